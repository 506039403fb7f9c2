//! Our in-process steady state: the criterion bench `pipeline` (benches/benches/pipeline.rs) run
//! on the chosen cases, and its median per case read back from criterion's `estimates.json`.

use std::collections::HashMap;
use std::fs;
use std::os::fd::AsFd;
use std::path::Path;
use std::process::{Command, Stdio};

use super::cases::Case;
use super::{cargo, check_status, Failure};

/// The criterion id the bench gives `INPUT:MODE`.
pub fn case_id(input: &str, mode: &str) -> String {
    test_support::bench_case_id::case_id(Path::new(input), mode)
}

/// Runs `cargo bench -p arraydict-benches --bench pipeline` on the cases' bench entries (each
/// distinct entry once) and returns the median seconds per criterion id.
pub fn run_bench(
    root: &Path,
    dir: &Path,
    out: &Path,
    cases: &[Case],
) -> Result<HashMap<String, f64>, Failure> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for b in cases.iter().filter_map(|c| c.bench.as_ref()) {
        let id = case_id(&b.input, &b.mode);
        if !entries.iter().any(|(i, _)| *i == id) {
            entries.push((id, format!("{}:{}", b.input, b.mode)));
        }
    }
    let home = dir.join("criterion");
    // Stale estimates of an earlier run must not stand in for a case that failed this time.
    let _ = fs::remove_dir_all(home.join("pipeline"));
    let list: Vec<&str> = entries.iter().map(|(_, e)| e.as_str()).collect();
    eprintln!(
        "xtask: bench-compare: cargo bench -p arraydict-benches --bench pipeline ({} cases)",
        entries.len()
    );
    // Criterion's progress goes to our stderr; stdout carries only the report.
    let to_stderr = std::io::stderr()
        .as_fd()
        .try_clone_to_owned()
        .map_or_else(|_| Stdio::inherit(), Stdio::from);
    check_status(
        Command::new(cargo())
            .current_dir(root)
            .args([
                "bench",
                "-p",
                "arraydict-benches",
                "--bench",
                "pipeline",
                "--",
                "--noplot",
            ])
            .env("ARRAYDICT_BENCH_INPUTS", dir)
            .env("ARRAYDICT_BENCH_CASES", list.join("\n"))
            .env("ARRAYDICT_BENCH_OUT", out)
            .env("CRITERION_HOME", &home)
            .stdout(to_stderr),
        "cargo bench --bench pipeline",
    )?;
    let mut times = HashMap::new();
    for (id, _) in entries {
        let path = home.join("pipeline").join(&id).join("new/estimates.json");
        match fs::read_to_string(&path).ok().and_then(|t| median_ns(&t)) {
            Some(ns) => {
                times.insert(id, ns / 1e9);
            }
            None => eprintln!(
                "xtask: bench-compare: no median in {} (case left blank)",
                path.display()
            ),
        }
    }
    Ok(times)
}

/// `median.point_estimate` (nanoseconds) of a criterion `estimates.json`. A plain scan: xtask
/// has no JSON dependency, and criterion writes this object flat with `median` once.
fn median_ns(json: &str) -> Option<f64> {
    let rest = &json[json.find("\"median\"")?..];
    let rest = &rest[rest.find("\"point_estimate\"")? + "\"point_estimate\"".len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')))
        .unwrap_or(rest.len());
    rest[..end]
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_is_read_from_the_median_object_not_the_mean() {
        let json = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.5e8,"standard_error":1.0},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":114385330.75,"standard_error":4.1},"median_abs_dev":{"point_estimate":7.0}}"#;
        assert_eq!(median_ns(json), Some(114_385_330.75));
        assert_eq!(median_ns(r#"{"mean":{"point_estimate":1.0}}"#), None);
    }

    #[test]
    fn case_ids_are_criterion_safe_and_distinct_per_mode() {
        assert_eq!(
            case_id("out/surface.ref.hdf5-none.hdf5", "vtp-none"),
            "surface.ref.hdf5-none.hdf5_to_vtp-none"
        );
        assert_eq!(
            case_id("inputs-small/a b:c.vtp", "pickle"),
            "a_b_c.vtp_to_pickle"
        );
        assert!(case_id(&"x".repeat(100), "pickle").len() <= 60);
    }
}
