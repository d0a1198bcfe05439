//! Issue 19.5: a value nested deeper than serde_json's 128 levels in a field no column shows
//! made the whole answer fail, where `avn` prints the other columns. Now a value is read
//! only when it is printed: the table, CSV and pretty views show the other columns at any
//! depth, and `--json` prints deep values whole, as `avn` does, up to 1000 levels (more than
//! `avn` itself can read: Python's recursion limit stops its `json.loads` at about 980).
//! Deeper than that, a format that has to print the value fails with one line, before
//! anything is written.

use std::path::Path;

use crate::support::gnu_time::{gnu_time, peak_kib_in};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, Run, TOKEN, avn_binary, bin, cmd};

/// `depth` levels of nested lists (`[[[]]]`) or objects (`{"a": {"a": 1}}`).
fn nested(depth: usize, objects: bool) -> String {
    if objects {
        format!("{}1{}", r#"{"a": "#.repeat(depth), "}".repeat(depth))
    } else {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }
}

/// A token with every column `list` shows, and `extra` spliced in as more fields.
fn body(extra: &str) -> String {
    format!(
        r#"{{"tokens": [{{"expiry_time": null, "token_prefix": "DEEPtoken000", "description": "d",
            "max_age_seconds": null, "extend_when_used": true, "last_used_time": null,
            "last_ip": "10.0.0.1", "last_user_agent": null{extra}}}]}}"#
    )
}

fn server(body: &str) -> ScriptedServer {
    ScriptedServer::always(Canned::raw(200, "application/json", body.as_bytes()))
}

fn ours(body: &str, args: &[&str]) -> Run {
    cmd().api(&server(body)).args(args).run()
}

fn avn(avn: &Path, body: &str, args: &[&str]) -> Run {
    Cmd::new(avn)
        .url(server(body).url())
        .args(["--auth-token", TOKEN, "user", "access-token"])
        .args(args)
        .run()
}

/// Where `avn` succeeds, the output is its output, byte for byte: the table leaves the
/// value out, `--json` prints it whole.
#[test]
fn deep_values_print_as_avn_prints_them() {
    let Some(reference) = avn_binary() else {
        return;
    };
    for depth in [200, 900] {
        for objects in [false, true] {
            let body = body(&format!(r#", "x": {}"#, nested(depth, objects)));
            for args in [&["list"][..], &["list", "--json"]] {
                let theirs = avn(&reference, &body, args);
                theirs.success();
                let mine = ours(&body, args);
                mine.success();
                assert!(
                    mine.stdout == theirs.stdout,
                    "{depth} levels of {}, {args:?}: the output differs from avn's",
                    if objects { "objects" } else { "lists" }
                );
            }
        }
    }
}

/// Deeper than `avn` can go, the views that leave the value out show the other columns as
/// they would without it; JSON and YAML, which print every field, fail with one line that
/// names the field, and print nothing.
#[test]
fn values_too_deep_to_print_fail_only_the_formats_that_print_them() {
    let plain = body("");
    for objects in [false, true] {
        let deep = body(&format!(r#", "x": {}"#, nested(5000, objects)));
        for format in ["table", "csv", "pretty"] {
            let args = ["list", "-o", format];
            let without = ours(&plain, &args);
            without.success();
            let with = ours(&deep, &args);
            with.success();
            assert_eq!(with.stdout, without.stdout, "-o {format}");
        }
        for format in ["json", "yaml"] {
            ours(&deep, &["list", "-o", format])
                .code(1)
                .one_line_error()
                .stderr_contains("\"x\"")
                .stderr_contains("1000 levels");
        }
    }
}

/// The limit is 1000 levels of the field's value: the 1000th prints, the 1001st does not.
#[test]
fn the_limit_is_1000_levels() {
    let at_limit = body(&format!(r#", "x": {}"#, nested(1000, false)));
    let json = ours(&at_limit, &["list", "--json"]);
    json.success();
    // The list of tokens, then the field's 1000 levels, the innermost `[]` indented once
    // for each level around it (serde_json itself cannot read this back: 128 levels).
    assert_eq!(json.stdout.matches('[').count(), 1 + 1000);
    let innermost = format!("{}[]", " ".repeat(4 * (2 + 999)));
    assert!(json.stdout.lines().any(|line| line == innermost));
    let over = body(&format!(r#", "x": {}"#, nested(1001, false)));
    ours(&over, &["list", "--json"]).code(1).one_line_error();
    ours(&over, &["list"]).success();
}

/// A column the table shows that is too deep to print fails the table too (avn fails on it).
#[test]
fn a_shown_column_too_deep_to_print_fails_with_one_line() {
    let deep = body("").replace(
        r#""description": "d""#,
        &format!(r#""description": {}"#, nested(5000, true)),
    );
    for format in ["table", "csv", "pretty", "json", "yaml"] {
        ours(&deep, &["list", "-o", format])
            .code(1)
            .one_line_error()
            .stderr_contains("\"description\"");
    }
}

/// A value nested millions of levels deep in a 31 MiB answer costs about the answer's size:
/// it is never walked, nor refused, where no column shows it.
#[test]
fn a_31_mib_deep_value_stays_under_200_mib() {
    // Said as a skip where there is no GNU time (macOS's own `time` is BSD's).
    let Some(time) = gnu_time() else {
        return;
    };
    let depth = 31 * 1024 * 1024 / 2 - 512;
    let deep = body(&format!(r#", "x": {}"#, nested(depth, false)));
    let server = server(&deep);
    for (format, succeeds) in [
        ("table", true),
        ("csv", true),
        ("pretty", true),
        ("json", false),
    ] {
        let report = tempfile::NamedTempFile::new().expect("a report file");
        let run = Cmd::new(&time)
            .args(["-f", "%M", "-o"])
            .arg(report.path())
            .arg(bin())
            .api(&server)
            .args(["list", "-o", format])
            .run();
        assert_eq!(run.succeeded(), succeeds, "-o {format}: {}", run.stderr);
        let text = std::fs::read_to_string(report.path()).expect("GNU time's report");
        let kib = peak_kib_in(&text).unwrap_or_else(|| panic!("no peak in {text:?}"));
        eprintln!("deep_values: -o {format}: peak {} MiB", kib / 1024);
        assert!(kib < 200 * 1024, "-o {format}: peak {} MiB", kib / 1024);
    }
}
