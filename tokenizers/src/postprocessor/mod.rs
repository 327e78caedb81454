//! Post-processors (to be written).
