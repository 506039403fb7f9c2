//! Peak and available memory, for the huge-data tests (`big_*`, run by `cargo xtask big`), read from
//! Linux's /proc; `None` elsewhere.

/// A `kB` field of a /proc file (`VmHWM:` of /proc/self/status, `MemAvailable:` of /proc/meminfo), in MiB.
fn proc_field_mib(file: &str, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(file).ok()?;
    let kb: u64 = s
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// Peak resident memory since the last [`reset_peak`] (or process start), in MiB.
pub fn peak_rss_mib() -> Option<u64> {
    proc_field_mib("/proc/self/status", "VmHWM:")
}

/// Resets the peak: writing 5 to `/proc/self/clear_refs` resets `VmHWM` (Linux >= 4.0); without it the figure
/// covers the whole process.
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Memory the kernel says is available, in MiB.
pub fn available_mib() -> Option<u64> {
    proc_field_mib("/proc/meminfo", "MemAvailable:")
}
