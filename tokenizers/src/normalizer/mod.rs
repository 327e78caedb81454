//! Normalizers (to be written).
