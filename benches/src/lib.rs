//! Shared input generators for the benches.
