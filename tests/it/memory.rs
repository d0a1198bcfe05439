//! Bounded memory for any response: the worst 32 MiB bodies a server can send, in every
//! output format, measured as the peak resident memory of the whole process by GNU time
//! (`time -f %M`: `/usr/bin/time` on Linux, `gtime` from Homebrew's gnu-time on macOS,
//! whose own `/usr/bin/time` is BSD's, without `-f`: `support::gnu_time`). Where there is
//! none (Windows, a Mac without gnu-time) the checks are skipped, and said so.
//!
//! The bound is 200 MiB for bodies just under the 32 MiB the client accepts: a tree of
//! `serde_json::Value`s would take gigabytes for some of them (a list of millions of `{}`
//! or `0`), which is what this guards against.

use crate::support::gnu_time::{gnu_time, peak_kib_in};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, TOKEN, bin};

const BODY_BYTES: usize = 31 * 1024 * 1024;
const LIMIT_KIB: u64 = 200 * 1024;

/// The peak RSS (KiB) and outcome of `avn-token list -o FORMAT` against `server`, or
/// `None` where GNU time is not installed.
fn peak_kib(server: &ScriptedServer, format: &str) -> Option<(u64, crate::support::Run)> {
    peak_kib_of(server, &["list", "-o", format])
}

/// The same for any command line.
fn peak_kib_of(server: &ScriptedServer, args: &[&str]) -> Option<(u64, crate::support::Run)> {
    let time = gnu_time()?;
    let report = tempfile::NamedTempFile::new().expect("a report file");
    let run = Cmd::new(time)
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(bin())
        .url(server.url())
        .token(TOKEN)
        .args(args)
        .run();
    let text = std::fs::read_to_string(report.path()).expect("GNU time's report");
    let kib = peak_kib_in(&text).unwrap_or_else(|| panic!("no peak in {text:?}"));
    Some((kib, run))
}

fn body(prefix: &str, item: &str, suffix: &str) -> Vec<u8> {
    let count = (BODY_BYTES - prefix.len() - suffix.len()) / (item.len() + 1);
    let mut body = String::with_capacity(BODY_BYTES);
    body.push_str(prefix);
    for index in 0..count {
        if index > 0 {
            body.push(',');
        }
        body.push_str(item);
    }
    body.push_str(suffix);
    body.into_bytes()
}

#[test]
fn the_worst_bodies_stay_under_200_mib_in_every_format() {
    let huge_string = format!(
        r#"{{"tokens":[{{"token_prefix":"x","description":"{}"}}]}}"#,
        "a".repeat(BODY_BYTES - 64)
    );
    let every_format: &[&str] = &["table", "json", "csv", "yaml", "pretty"];
    let cases = [
        // Millions of empty tokens: refused past the token cap, one line, exit 1.
        (
            "empty tokens",
            body(r#"{"tokens":["#, "{}", "]}"),
            false,
            &["table"][..],
        ),
        // One token whose listed column is a list of millions of numbers.
        (
            "a huge list in a cell",
            body(r#"{"tokens":[{"token_prefix":"x","last_ip":["#, "0", "]}]}"),
            true,
            every_format,
        ),
        // Lists of millions of empty objects or strings where the pretty table wraps text.
        (
            "a huge list of objects in a cell",
            body(
                r#"{"tokens":[{"token_prefix":"x","last_ip":["#,
                "{}",
                "]}]}",
            ),
            true,
            &["csv", "pretty"][..],
        ),
        (
            "a huge list of strings in a cell",
            body(
                r#"{"tokens":[{"token_prefix":"x","last_user_agent":["#,
                r#""""#,
                "]}]}",
            ),
            true,
            &["table", "pretty"][..],
        ),
        // An object of millions of members: in a column every format shows, and in a
        // field only the JSON and YAML show (every format sorts members by name, as avn).
        (
            "a huge object in a cell",
            body(
                r#"{"tokens":[{"token_prefix":"x","description":{"#,
                r#""k":0"#,
                "}}]}",
            ),
            true,
            &["table", "yaml", "pretty"][..],
        ),
        (
            "a huge object in a field",
            body(
                r#"{"tokens":[{"token_prefix":"x","extra":{"#,
                r#""k":0"#,
                "}}]}",
            ),
            true,
            &["json"][..],
        ),
        // One token whose description is the whole body.
        (
            "a huge string",
            huge_string.into_bytes(),
            true,
            &["table", "csv"][..],
        ),
    ];
    let mut over = Vec::new();
    for (name, body, succeeds, formats) in cases {
        assert!(
            body.len() < 32 * 1024 * 1024,
            "{name}: the body must be accepted"
        );
        let server = ScriptedServer::always(Canned::raw(200, "application/json", &body));
        for &format in formats {
            let Some((kib, run)) = peak_kib(&server, format) else {
                return;
            };
            assert_ne!(run.status, Some(101), "{name} -o {format}: panicked");
            if succeeds {
                assert!(run.succeeded(), "{name} -o {format}: {}", run.stderr);
            } else {
                run.code(1).one_line_error();
            }
            eprintln!("memory: {name} -o {format}: peak {} MiB", kib / 1024);
            if kib >= LIMIT_KIB {
                over.push(format!("{name} -o {format}: peak {} MiB", kib / 1024));
            }
        }
    }
    assert!(over.is_empty(), "over {} MiB: {over:#?}", LIMIT_KIB / 1024);
}

/// Issue 8.6 beyond `list`: every other answer a command reads (an error's body, the user,
/// the organizations, the application users, the `--show-http` trace) is bounded too.
#[test]
fn every_commands_worst_body_stays_under_200_mib() {
    let numbers = |prefix: &str, suffix: &str| body(prefix, "0", suffix);
    let cases: [(&str, Vec<u8>, u16, &[&str]); 5] = [
        (
            "application users",
            body(r#"{"application_users":["#, "{}", "]}"),
            200,
            &["application-user", "list", "--organization-id", "o"],
        ),
        (
            "an organization's name",
            numbers(
                r#"{"organizations":[{"organization_id":"o","organization_name":["#,
                "]}]}",
            ),
            200,
            &["application-user", "list"],
        ),
        (
            "the user's email",
            numbers(r#"{"user":{"user":["#, "]}}"),
            200,
            &["login", "--auth-token", TOKEN],
        ),
        (
            "an error's body",
            numbers(r#"{"message":"no","errors":["#, "]}"),
            500,
            &["--retry-budget", "0", "list"],
        ),
        (
            "a traced error's body",
            body("[", "{}", "]"),
            400,
            &["--show-http", "list"],
        ),
    ];
    for (name, body, status, args) in cases {
        assert!(body.len() < 32 * 1024 * 1024, "{name}: too big");
        let server = ScriptedServer::start(move |request| {
            let listing_users = request.path.ends_with("/application-users");
            if name == "an organization's name" && listing_users {
                return Canned::raw(200, "application/json", br#"{"application_users":[]}"#);
            }
            Canned::raw(status, "application/json", &body)
        });
        let Some((kib, run)) = peak_kib_of(&server, args) else {
            return;
        };
        assert_ne!(run.status, Some(101), "{name}: panicked");
        assert!(
            kib < LIMIT_KIB,
            "{name}: peak {} MiB, over {} MiB",
            kib / 1024,
            LIMIT_KIB / 1024
        );
    }
}

/// An audit reads one token list per application user: a server that answers each with a
/// big list (40 users × 10 MiB here; thousands × 32 MiB are possible) cannot make it keep
/// them all. It stops with one clear error instead.
#[test]
fn an_audit_of_many_big_token_lists_stays_bounded() {
    let users: Vec<serde_json::Value> = (0..40)
        .map(|i| serde_json::json!({"user_id": format!("u{i}"), "name": format!("ci{i}")}))
        .collect();
    let users = serde_json::json!({ "application_users": users }).to_string();
    let big_list = format!(
        r#"{{"tokens":[{{"token_prefix":"x","description":"{}"}}]}}"#,
        "a".repeat(10 * 1024 * 1024)
    );
    let server = ScriptedServer::start(move |request| {
        let body = match request.path.as_str() {
            "/v1/me" => r#"{"user": {"user": "me@example.com"}}"#,
            "/v1/access_token" => r#"{"tokens": []}"#,
            path if path.ends_with("/application-users") => &users,
            _ => &big_list,
        };
        Canned::raw(200, "application/json", body.as_bytes())
    });
    let Some((kib, run)) = peak_kib_of(&server, &["audit", "--organization-id", "o"]) else {
        return;
    };
    run.code(1).one_line_error();
    run.stderr_contains("--app-user");
    assert!(
        kib < LIMIT_KIB,
        "peak {} MiB, over {} MiB",
        kib / 1024,
        LIMIT_KIB / 1024
    );
}
