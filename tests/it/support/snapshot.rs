//! Snapshot tests of byte-exact output (avn's tables, help, the man page, JSON) with
//! insta: the expected text lives in a `snapshots/*.snap` file beside the test, committed,
//! and a change is reviewed with `cargo insta review` (`cargo install cargo-insta`).
//!
//! Where `CI` is set (as `.ci/run` sets it) insta writes nothing and a mismatch fails the
//! test; elsewhere it fails too, leaving the new text in a `.snap.new` file to review.
//!
//! [`assert_exact_snapshot!`] keeps every byte: insta trims the end of a snapshot and reads
//! CRLF as LF, so [`exact`] shows each CR and marks the end. What varies between runs
//! (ports, temporary paths, the version) is replaced by a placeholder ([`settings`]).

use super::Run;

/// `text` as a snapshot keeps it byte for byte: each CR shown as `␍`, and `[end]` right
/// after the last byte (on a line of its own after a final newline), so that neither a
/// missing nor an extra newline or trailing blank can pass.
#[track_caller]
pub fn exact(text: &str) -> String {
    assert!(
        !text.contains('␍'),
        "the text holds the CR marker: {text:?}"
    );
    format!("{}[end]", text.replace('\r', "␍"))
}

/// Several runs as one snapshot: for each, `$ avn-token LINE`, what it printed on stdout
/// (as [`exact`] shows it) and how it ended (`[exit CODE]`).
pub fn transcript(runs: &[(String, Run)]) -> String {
    runs.iter()
        .map(|(line, run)| {
            let status = run
                .status
                .map_or_else(|| "killed by a signal".to_owned(), |code| code.to_string());
            format!(
                "$ avn-token {line}\n{}\n[exit {status}]\n\n",
                exact(&run.stdout)
            )
        })
        .collect()
}

/// insta's settings with a placeholder for each thing that varies between runs: a loopback
/// port (`127.0.0.1:[PORT]`), a temporary directory (`[TEMP]`), this crate's version
/// (`[VERSION]`, so a release does not rewrite every snapshot). No snapshot names the
/// expression it was made from (the file name and the test say it).
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    // tempfile's directories in this platform's temporary directory: `/tmp` on Linux,
    // `$TMPDIR` (`/var/folders/...`) on macOS, `%TEMP%` (`C:\Users\...\Temp`) on Windows.
    let temp = std::env::temp_dir();
    let temp = temp.to_string_lossy();
    let temp = temp.trim_end_matches(['/', '\\']);
    settings.add_filter(
        &format!(r"{}[/\\]\.tmp[0-9A-Za-z]+", literal(temp)),
        "[TEMP]",
    );
    let version = literal(env!("CARGO_PKG_VERSION"));
    settings.add_filter(&format!(r"\b{version}\b"), "[VERSION]");
    settings
}

/// `text` as a regular expression that matches it and nothing else: each ASCII punctuation
/// character escaped (all may be, in the regex crate, but `<` and `>`, which never need it).
fn literal(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = (c.is_ascii_punctuation() && !matches!(c, '<' | '>')).then_some('\\');
            escape.into_iter().chain([c])
        })
        .collect()
}

#[test]
fn a_temporary_directory_is_a_placeholder_on_every_platform() {
    let dir = tempfile::tempdir().unwrap();
    let shown = format!("at {}: ok", dir.path().display());
    settings().bind(|| insta::assert_snapshot!(shown, @"at [TEMP]: ok"));
    assert_eq!(
        literal("C:\\Users\\RUNNER~1 (x)"),
        "C\\:\\\\Users\\\\RUNNER\\~1 \\(x\\)"
    );
}

/// `assert_exact_snapshot!("name", text)`: `text` (a `String` or `&str`) is, byte for
/// byte, the snapshot `name` of this test file (see the module's docs).
macro_rules! assert_exact_snapshot {
    ($name:expr, $text:expr $(,)?) => {
        $crate::support::snapshot::settings().bind(|| {
            insta::assert_snapshot!($name, $crate::support::snapshot::exact(&$text));
        })
    };
}
pub(crate) use assert_exact_snapshot;
