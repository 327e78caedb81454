//! Operations (to be written).
