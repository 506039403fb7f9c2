//! Reads libtest's console output (run with `--show-output`) line by line: adds up the
//! `test result:` lines and finds tests that passed only by skipping (their captured output has a
//! line starting with `SKIPPED`), while hiding the bulky captured output of passing tests.

/// Totals of one or more `cargo test` runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Tests that passed.
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// `#[ignore]`d tests that were not run.
    pub ignored: u64,
    /// Number of `test result:` lines seen (one per test binary / doctest run).
    pub binaries: u64,
}

/// Parses `test result: ok. 5 passed; 1 failed; 2 ignored; 0 measured; 3 filtered out; ...`.
pub fn parse_result_line(line: &str) -> Option<Tally> {
    let rest = line.trim().strip_prefix("test result:")?;
    let mut t = Tally {
        binaries: 1,
        ..Tally::default()
    };
    for part in rest.split(';') {
        let mut words = part.split_whitespace().skip_while(|w| w.ends_with('.'));
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else { continue };
        match what {
            "passed" => t.passed = n,
            "failed" => t.failed = n,
            "ignored" => t.ignored = n,
            _ => {}
        }
    }
    Some(t)
}

/// Line-by-line scanner of libtest output.
#[derive(Debug, Default)]
pub struct Scanner {
    /// Totals so far.
    pub tally: Tally,
    /// `(test name, SKIPPED line)` for tests that reported a skip.
    pub skips: Vec<(String, String)>,
    in_successes: bool,
    current_test: Option<String>,
}

impl Scanner {
    /// Feeds one line; returns whether it should be shown to the user.
    pub fn line(&mut self, line: &str) -> bool {
        if let Some(t) = parse_result_line(line) {
            self.tally.passed += t.passed;
            self.tally.failed += t.failed;
            self.tally.ignored += t.ignored;
            self.tally.binaries += 1;
            self.in_successes = false;
            return true;
        }
        match line.trim_end() {
            "successes:" => {
                self.in_successes = true;
                return false;
            }
            "failures:" => self.in_successes = false,
            _ => {}
        }
        if !self.in_successes {
            return true;
        }
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            self.current_test = Some(name.to_string());
        } else if line.trim_start().starts_with("SKIPPED") {
            let name = self.current_test.clone().unwrap_or_default();
            // One skip per test, however many lines it printed.
            if self.skips.last().is_none_or(|(n, _)| *n != name) {
                self.skips.push((name, line.trim().to_string()));
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ok_and_failed_result_lines() {
        let ok = parse_result_line("test result: ok. 12 passed; 0 failed; 3 ignored; 0 measured; 1 filtered out; finished in 0.02s").unwrap();
        assert_eq!((ok.passed, ok.failed, ok.ignored), (12, 0, 3));
        let bad = parse_result_line(
            "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
        )
        .unwrap();
        assert_eq!((bad.passed, bad.failed, bad.ignored), (1, 2, 0));
        assert!(parse_result_line("running 3 tests").is_none());
    }

    #[test]
    fn hides_successes_but_keeps_failures_and_collects_skips() {
        let out = "\
running 3 tests
test a ... ok
test b ... ok
test c ... FAILED

successes:

---- a stdout ----
SKIPPED: real files (../shared absent)
more output

---- b stdout ----
just output

successes:
    a
    b

failures:

---- c stdout ----
boom

failures:
    c

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        let mut s = Scanner::default();
        let shown: Vec<&str> = out.lines().filter(|l| s.line(l)).collect();
        assert!(shown.contains(&"boom"), "{shown:?}");
        assert!(!shown.contains(&"just output"), "{shown:?}");
        assert!(!shown.contains(&"more output"), "{shown:?}");
        assert_eq!(
            s.skips,
            vec![(
                "a".to_string(),
                "SKIPPED: real files (../shared absent)".to_string()
            )]
        );
        assert_eq!(
            (s.tally.passed, s.tally.failed, s.tally.binaries),
            (2, 1, 1)
        );
    }
}
