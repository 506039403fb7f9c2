//! The criterion id of a `pipeline` bench case, shared by the bench (`benches/benches/pipeline.rs`,
//! which names its results) and `cargo xtask bench-compare` (which finds them).

/// `<input file name>_to_<mode>`, every byte outside `[A-Za-z0-9._-]` replaced by `_`, at most 60
/// bytes (criterion cuts directory names at 64).
pub fn case_id(input: &std::path::Path, mode: &str) -> String {
    let name = input
        .file_name()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let mut id: String = format!("{name}_to_{mode}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    id.truncate(60);
    id
}
