//! Byte-for-byte compatibility with the reference: `avn user access-token ...` from
//! aiven-client 4.18.0 and `avn-token ...` run against the same canned server responses
//! must print the same stdout (parsed-equal JSON for `--json`) and agree on success.
//!
//! `avn` is found through `$AVN_BIN` or `.venv/bin/avn` (`.ci/run` installs it). Without it
//! these tests say so loudly and pass locally; with `CI` set they fail.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, Run, avn_binary, cmd};

const TOKEN: &str = "compat+test/token=value0123456789abcdefABCDEF==";

/// What both clients get back from the fake API: one canned response per endpoint.
#[derive(Clone)]
struct CannedApi {
    list: Canned,
    created: Canned,
    updated: Canned,
    revoked: Canned,
}

impl CannedApi {
    fn tokens(tokens: Value) -> CannedApi {
        let first = tokens.get(0).cloned().unwrap_or_else(|| json!({}));
        let mut created = first.clone();
        created["full_token"] = json!("6JsKDclT3OMQd1V2Fl2/+RaraBPg==");
        CannedApi {
            list: Canned::json(200, json!({ "tokens": tokens })),
            created: Canned::json(200, created),
            updated: Canned::json(200, first),
            revoked: Canned::json(200, json!({"message": ""})),
        }
    }

    fn every_call(reply: Canned) -> CannedApi {
        CannedApi {
            list: reply.clone(),
            created: reply.clone(),
            updated: reply.clone(),
            revoked: reply,
        }
    }

    fn serve(&self) -> ScriptedServer {
        let canned = self.clone();
        ScriptedServer::start(move |request| match request.method.as_str() {
            "GET" => canned.list.clone(),
            "POST" => canned.created.clone(),
            "PUT" => canned.updated.clone(),
            _ => canned.revoked.clone(),
        })
    }
}

fn run_avn(avn: &Path, url: &str, args: &[&str]) -> Run {
    let run = Cmd::new(avn)
        .url(url)
        .env("PYTHONIOENCODING", "utf-8")
        .args(["--auth-token", TOKEN, "user", "access-token"])
        .args(args)
        .run();
    // Python writes CRLF line ends on Windows; avn-token writes LF everywhere.
    if cfg!(windows) {
        let stdout = run.stdout.replace("\r\n", "\n");
        return Run { stdout, ..run };
    }
    run
}

fn run_ours(url: &str, args: &[&str]) -> Run {
    cmd()
        .url(url)
        // Like avn: no retry delays, so error cases stay fast and comparable.
        .args(["--auth-token", TOKEN, "--retry-budget", "0.1"])
        .args(args)
        .run()
}

/// Run `args` with both clients against one canned server and compare.
fn same(avn: &Path, canned: &CannedApi, args: &[&str]) {
    let server = canned.serve();
    let reference = run_avn(avn, &server.url(), args);
    let ours = run_ours(&server.url(), args);
    // `avn`'s spelling works too, with the same result: a script can swap the program name.
    let spelled_like_avn = run_ours(&server.url(), &[&["user", "access-token"], args].concat());
    assert_eq!(
        (spelled_like_avn.succeeded(), &spelled_like_avn.stdout),
        (ours.succeeded(), &ours.stdout),
        "{args:?}: `avn-token user access-token ...` differs from `avn-token ...`"
    );
    assert_eq!(
        ours.succeeded(),
        reference.succeeded(),
        "{args:?}: success differs\navn stderr: {}\navn-token stderr: {}",
        reference.stderr,
        ours.stderr
    );
    if args.contains(&"--json") && reference.succeeded() {
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
        assert_eq!(
            parse(&ours.stdout),
            parse(&reference.stdout),
            "{args:?}: JSON differs"
        );
        assert_ne!(
            parse(&ours.stdout),
            Value::Null,
            "{args:?}: no JSON printed"
        );
    } else {
        assert_eq!(
            ours.stdout, reference.stdout,
            "{args:?}: stdout differs\n--- avn ---\n{}\n--- avn-token ---\n{}",
            reference.stdout, ours.stdout
        );
    }
    if !reference.succeeded() {
        assert_eq!(
            ours.stdout, "",
            "{args:?}: failures print nothing on stdout"
        );
    }
}

fn all_commands(avn: &Path, canned: &CannedApi) {
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["create", "--description", "ci"],
        &[
            "create",
            "--description",
            "ci",
            "--max-age-seconds",
            "3600",
            "--extend-when-used",
        ],
        &["create", "--description", "ci", "--json"],
        &["update", "XCJ3+bgWywIh", "--description", "new"],
        &["update", "ab/c+d==", "--description", "new", "--json"],
        &["revoke", "XCJ3+bgWywIh"],
    ] {
        same(avn, canned, args);
    }
}

#[test]
fn the_reference_example_and_its_neighbours() {
    let Some(avn) = avn_binary() else { return };
    all_commands(
        &avn,
        &CannedApi::tokens(json!([
            {
                "create_time": "2021-08-16T15:29:14.000001Z", "created_manually": true,
                "currently_active": false, "description": "Test token",
                "expiry_time": "2021-09-15T15:29:14.654321Z", "extend_when_used": true,
                "last_ip": "192.168.1.1", "last_used_time": "2021-08-16T15:29:14Z",
                "last_user_agent": "aiven-client/2.12.0", "max_age_seconds": 2592000,
                "token_prefix": "XCJ3+bgWywIh", "scopes": ["user:read"], "brand_new_field": {"b": 1, "a": [true]}
            },
            {
                "create_time": "2021-08-16T16:26:10Z", "created_manually": false,
                "currently_active": true, "description": "To be used with Python Notebooks",
                "expiry_time": null, "extend_when_used": false, "last_ip": null,
                "last_used_time": null, "last_user_agent": null, "max_age_seconds": null,
                "token_prefix": "6JsK/lT3+M=="
            }
        ])),
    );
}

#[test]
fn strings_that_json_escapes_and_odd_times() {
    let Some(avn) = avn_binary() else { return };
    all_commands(
        &avn,
        &CannedApi::tokens(json!([
            {
                "description": "say \"hi\" \\ back\\slash\ttab", "token_prefix": "ab/+=cdEFgh1",
                "expiry_time": "2021-08-16T16:26:10.5Z", "last_used_time": "2021-08-16T16:26:10.5",
                "last_ip": "2001:db8::1", "last_user_agent": "curl/8.0 \"quoted\"",
                "max_age_seconds": 3600.0, "extend_when_used": "yes"
            },
            {
                "description": "line\nbreak and \u{1b}[31mescape", "token_prefix": "==//++==//++",
                "expiry_time": "not-a-time.Z", "last_used_time": "2021-08-16T16:26:10.123+00:00",
                "last_ip": ["10.0.0.1", "10.0.0.2"], "last_user_agent": {"z": null, "a": "b c"},
                "max_age_seconds": -1, "extend_when_used": null
            },
            {
                "description": "   padded   ", "token_prefix": "x",
                "expiry_time": "", "max_age_seconds": 1.5e16
            },
            {
                "description": "del\u{7f}ete", "token_prefix": "del/+=token1",
                "last_user_agent": "\u{7f}"
            }
        ])),
    );
}

#[test]
fn sparse_objects_and_a_missing_first_column() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedApi::tokens(json!([
        {"token_prefix": "onlyprefix00"},
        {
            "expiry_time": "2030-01-01T00:00:00Z", "token_prefix": "full00000000", "description": "d",
            "max_age_seconds": 1, "extend_when_used": false, "last_used_time": null,
            "last_ip": null, "last_user_agent": null
        },
        {"description": "no prefix, no expiry", "unknown": 1}
    ]));
    for args in [&["list"][..], &["list", "--json"]] {
        same(&avn, &canned, args);
    }
}

#[test]
fn empty_list_and_empty_bodies() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedApi::tokens(json!([]));
    same(&avn, &canned, &["list"]);
    same(&avn, &canned, &["list", "--json"]);
    // An empty body labelled `application/json` crashes avn 4.18.0 (it logs
    // `response.json()`); avn-token accepts it (the `cli` tests). Unlabelled, both accept it.
    let mut empty_delete = CannedApi::tokens(json!([]));
    empty_delete.revoked = Canned::raw(200, "text/plain", b"");
    same(&avn, &empty_delete, &["revoke", "XCJ3+bgWywIh"]);
    empty_delete.revoked = Canned::raw(204, "text/plain", b"");
    same(&avn, &empty_delete, &["revoke", "XCJ3+bgWywIh"]);
}

#[test]
fn failures_agree_and_print_nothing_on_stdout() {
    let Some(avn) = avn_binary() else { return };
    for reply in [
        Canned::json(
            404,
            json!({"message": "Token not found", "errors": [{"message": "Token not found", "status": 404}]}),
        ),
        Canned::json(
            403,
            json!({"message": "Invalid token", "errors": [{"message": "Invalid token", "status": 403}]}),
        ),
        Canned::json(
            400,
            json!({"message": "Invalid input", "errors": [{"message": "description: too long", "status": 400}]}),
        ),
        Canned::raw(
            500,
            "text/html",
            b"<html><body>Internal error</body></html>",
        ),
    ] {
        all_commands(&avn, &CannedApi::every_call(reply));
    }
}
