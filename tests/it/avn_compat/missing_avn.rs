//! A missing reference `avn` is visible in plain `cargo test` output: the compatibility
//! checks it skips are counted and reported once, past libtest's capture.

/// Run this very test binary's compatibility checks without `avn` (and without CI, where a
/// missing `avn` fails instead): the skip is reported on stderr, outside libtest's capture,
/// with the count and the command that runs them, and the run still passes.
#[test]
fn skipped_compatibility_checks_are_reported_past_the_capture() {
    let this_binary = std::env::current_exe().unwrap();
    let out = crate::support::Cmd::new(&this_binary)
        .env("AVN_BIN", "/nonexistent/avn")
        .args(["avn_compat::access_token::", "--test-threads", "2"])
        .run();
    out.success();
    let report = out
        .stderr
        .lines()
        .find(|line| line.contains("SKIPPED"))
        .unwrap_or_else(|| panic!("no skip report on stderr: {:?}", out.stderr));
    let count: usize = report
        .split_whitespace()
        .nth(1)
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no count in {report:?}"));
    let ran = out.stdout.matches("... ok").count();
    assert!(count >= 1 && count <= ran, "{count} of {ran}: {report}");
    assert!(report.contains("/nonexistent/avn"), "{report}");
    out.stderr_contains("pip install aiven-client==4.18.0");
    assert_eq!(
        out.stderr.matches("SKIPPED").count(),
        1,
        "once, not per test"
    );
}
