//! GNU time, which measures a program's peak resident memory (`time -f %M`) for the tests
//! that bound it: `/usr/bin/time` on Linux, `gtime` (Homebrew's gnu-time) on macOS, whose
//! own `/usr/bin/time` is BSD's and has no `-f`; none on Windows. Found by trying it, not
//! by its path.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::bin;
use super::skips::skip;

/// The peak resident memory (KiB) GNU time's `-f %M` wrote in its report: its last number
/// (a line about the command's exit status may come first).
pub fn peak_kib_in(report: &str) -> Option<u64> {
    report
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .next_back()
}

/// GNU time, found once: the first of `gtime` and `time` on PATH and `/usr/bin/time` that
/// measures `avn-token --version` with `-f %M` (BSD's `time` refuses `-f`); `None`, said as
/// a skip, where none does.
pub fn gnu_time() -> Option<PathBuf> {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let mut candidates: Vec<PathBuf> = ["gtime", "time"]
            .iter()
            .filter_map(|name| on_path(name))
            .collect();
        candidates.push(PathBuf::from("/usr/bin/time"));
        candidates.into_iter().find(|time| measures(time))
    });
    if found.is_none() {
        skip(
            "peak memory",
            "no GNU time (`time -f %M`) here",
            "install GNU time (Linux: the `time` package; macOS: `brew install gnu-time`)",
        );
    }
    found.clone()
}

/// Whether `time -f %M -o FILE avn-token --version` runs and reports a peak.
fn measures(time: &Path) -> bool {
    let Ok(report) = tempfile::NamedTempFile::new() else {
        return false;
    };
    let ran = Command::new(time)
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(bin())
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success());
    ran && std::fs::read_to_string(report.path()).is_ok_and(|text| peak_kib_in(&text).is_some())
}

/// `name` in a directory of this process's PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}
