//! Python virtual environments under `target/py/<name>`, installed from a committed, pinned
//! requirements file and reused while that file is unchanged.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::Failure;

/// Marker written after a successful install: a copy of the requirements the venv was built from.
const STAMP: &str = "arraydict-requirements.txt";

/// Returns the interpreter of the venv `name`, creating or refreshing it when its stamp differs
/// from `xtask/python/<requirements>`.
pub fn ensure(root: &Path, name: &str, requirements: &str) -> Result<PathBuf, Failure> {
    let req_path = root.join("xtask/python").join(requirements);
    let wanted = fs::read_to_string(&req_path)
        .map_err(|e| Failure(format!("{}: {e}", req_path.display())))?;
    let dir = root.join("target/py").join(name);
    let python = dir.join("bin/python");
    if python.is_file() && fs::read_to_string(dir.join(STAMP)).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    let start = Instant::now();
    eprintln!(
        "xtask: creating Python venv {} from {}",
        dir.display(),
        req_path.display()
    );
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
    }
    fs::create_dir_all(dir.parent().unwrap_or(root))?;
    if !create_venv(&dir)? {
        install_venv_support()?;
        let _ = fs::remove_dir_all(&dir);
        if !create_venv(&dir)? {
            return Err(Failure(format!(
                "`python3 -m venv {}` failed even after installing python3-venv",
                dir.display()
            )));
        }
    }
    // Wheels only: a source build would need compilers and take minutes; a missing wheel means the
    // local Python is outside the pinned packages' range, which the message below says.
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "-r",
        ])
        .arg(&req_path)
        .status()
        .map_err(|e| Failure(format!("running {}: {e}", python.display())))?;
    if !status.success() {
        let _ = fs::remove_dir_all(&dir);
        return Err(Failure(format!(
            "pip could not install {} into {} ({status}); the pins need CPython 3.10-3.12 with wheels \
             from PyPI (see README: Tests)",
            req_path.display(),
            dir.display()
        )));
    }
    fs::write(dir.join(STAMP), wanted)?;
    eprintln!(
        "xtask: venv {name} ready in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(python)
}

/// `python3 -m venv DIR`; `Ok(false)` when python3 exists but cannot make venvs (Debian without
/// python3-venv, whose ensurepip is missing).
fn create_venv(dir: &Path) -> Result<bool, Failure> {
    let out = Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .output();
    match out {
        Ok(o) if o.status.success() && dir.join("bin/python").is_file() => Ok(true),
        Ok(o) => {
            eprintln!(
                "xtask: python3 -m venv failed: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            install_venv_support()?;
            Ok(false)
        }
        Err(e) => Err(Failure(format!("running python3: {e}"))),
    }
}

/// As root on Debian/Ubuntu: `apt-get install python3 python3-venv python3-pip`. Elsewhere: an error
/// saying what to install.
fn install_venv_support() -> Result<(), Failure> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let has_apt = Command::new("apt-get")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !(is_root && has_apt) {
        return Err(Failure(
            "python3 with the venv module is needed for the Python tests (Debian/Ubuntu: \
             `apt-get install python3-venv python3-pip`); or run `cargo xtask test --no-python`"
                .into(),
        ));
    }
    eprintln!("xtask: installing python3-venv and python3-pip with apt-get");
    let ok = Command::new("apt-get")
        .args(["update", "-qq"])
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-qq",
                "python3",
                "python3-venv",
                "python3-pip",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(Failure(
            "apt-get install python3-venv python3-pip failed".into(),
        ))
    }
}
