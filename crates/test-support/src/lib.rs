//! Helpers shared by the workspace's tests, benches and `xtask`: memory figures for the huge-data
//! tests, the location of the real VMTK data, and the id of a `pipeline` bench case.
//!
//! A dev-dependency only (xtask and the benches excepted, which are never published either); it
//! replaces files that several crates used to include by `#[path]`, which compiled them once per
//! including crate with `#![allow(dead_code)]` and gave them no crate of their own to be checked in.

#![forbid(unsafe_code)]

pub mod bench_case_id;
pub mod memory;
pub mod shared_dir;
