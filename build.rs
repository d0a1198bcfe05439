//! What `avn-token version --verbose` prints beside the version, for bug reports: the commit,
//! the build date and the target. Passed to the crate as compile-time variables
//! (`AVN_TOKEN_BUILD_*`, read with `env!` in `src/commands/version.rs`).
//!
//! Each comes from the first source that has it, so that every way of building gives an
//! honest answer and none needs git:
//! - commit: `AVN_TOKEN_COMMIT` (the release workflow sets it), else `.cargo_vcs_info.json`
//!   (cargo writes it into a published crate, so `cargo install avn-token` knows its
//!   commit), else `git rev-parse HEAD` when this directory is a checkout's top, else
//!   `unknown`;
//! - build date: `AVN_TOKEN_BUILD_DATE` (the release workflow's), else `SOURCE_DATE_EPOCH`
//!   (reproducible builds), else today (UTC);
//! - target: cargo's `TARGET`, always known.
//!
//! Kept cheap: no dependencies, at most four `git` calls, and rerun only when one of these
//! inputs changes (the checked-out commit included), not on every source change.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    for key in [
        "AVN_TOKEN_COMMIT",
        "AVN_TOKEN_BUILD_DATE",
        "SOURCE_DATE_EPOCH",
    ] {
        println!("cargo:rerun-if-env-changed={key}");
    }
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    watch_checked_out_commit(&manifest_dir);

    let commit = given("AVN_TOKEN_COMMIT")
        .or_else(|| packaged_commit(&manifest_dir))
        .or_else(|| checkout_commit(&manifest_dir))
        .unwrap_or_else(|| "unknown".to_owned());
    let date = given("AVN_TOKEN_BUILD_DATE").unwrap_or_else(|| {
        let seconds = given("SOURCE_DATE_EPOCH")
            .and_then(|text| text.parse::<u64>().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |elapsed| elapsed.as_secs())
            });
        iso_date(seconds)
    });
    let target = given("TARGET").unwrap_or_else(|| "unknown".to_owned());

    println!("cargo:rustc-env=AVN_TOKEN_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=AVN_TOKEN_BUILD_DATE={date}");
    println!("cargo:rustc-env=AVN_TOKEN_BUILD_TARGET={target}");
}

/// A variable's value when it is one non-empty line of printable ASCII (it is pasted into
/// a `cargo:` instruction, which ends at a newline).
fn given(key: &str) -> Option<String> {
    let value = env::var(key).ok()?;
    let value = value.trim();
    let printable = value
        .bytes()
        .all(|byte| byte.is_ascii_graphic() || byte == b' ');
    (!value.is_empty() && printable).then(|| value.to_owned())
}

/// The commit cargo recorded when it packaged this crate (`{"git": {"sha1": "..."}}`).
fn packaged_commit(manifest_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest_dir.join(".cargo_vcs_info.json")).ok()?;
    let after_key = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let value = after_key.split('"').nth(1)?;
    is_commit_id(value).then(|| value.to_owned())
}

/// `HEAD` of the git checkout whose top is `manifest_dir`; not of a repository that merely
/// contains it (an unpacked crate or sdist under a home directory kept in git).
fn checkout_commit(manifest_dir: &Path) -> Option<String> {
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != manifest_dir.canonicalize().ok()? {
        return None;
    }
    let commit = git(manifest_dir, &["rev-parse", "HEAD"])?;
    is_commit_id(&commit).then_some(commit)
}

/// Run again when another commit is checked out in the repository around `manifest_dir`:
/// HEAD names the branch, whose ref file (or packed-refs, after `git gc`) holds the commit.
///
/// Whichever source gave the commit: `cargo package` verifies the crate in
/// `target/package/`, and cargo gives that build the same build-script directory as the
/// checkout's (the package's path relative to its workspace is the same), so each build
/// must leave behind what makes the other run this script again.
fn watch_checked_out_commit(manifest_dir: &Path) {
    for name in ["HEAD", "packed-refs"] {
        watch_git_path(manifest_dir, name);
    }
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        watch_git_path(manifest_dir, &branch);
    }
}

/// Rerun this script when a file of the repository changes. Only an existing file: cargo
/// reruns every build for a missing one.
fn watch_git_path(manifest_dir: &Path, name: &str) {
    if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", name]) {
        let path = manifest_dir.join(path);
        if path.is_file() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
}

/// One line of a git command's output, or `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.trim();
    (output.status.success() && !line.is_empty() && !line.contains('\n')).then(|| line.to_owned())
}

fn is_commit_id(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

/// `YYYY-MM-DD` (UTC) of a Unix time: the civil-from-days conversion (Howard Hinnant's
/// algorithm), here to keep the build script free of dependencies.
fn iso_date(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
