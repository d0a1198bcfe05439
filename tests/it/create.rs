//! `avn-token create`: the body sent (avn's, plus durations, scopes and allowlists), the
//! create table, `-q` and `--json`; a `max_age_seconds` the API would refuse refused before
//! sending; a new token that is not plain base64, or missing, never printed; and what the
//! sandbox stores.

use serde_json::{Value, json};

use crate::support::cmd;
use crate::support::fakes::{fake_aiven, posted, prefix_api, sample_tokens, token_api};
use crate::support::hostile::{self, HAZARDS, PREFIX, assert_no_raw_controls, token_json};
use crate::support::sandbox::{SandboxEnv, sandbox};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::snapshot::assert_exact_snapshot;

#[test]
fn create_sends_avns_body_and_prints_the_create_table() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args([
            "create",
            "--description",
            "To be used with python notebooks",
            "--max-age-seconds",
            "3600",
            "--extend-when-used",
        ])
        .run();
    out.success();
    assert_exact_snapshot!("avn_create_table", out.stdout);
    let request = &server.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/access_token")
    );
    assert_eq!(
        request.json(),
        json!({"description": "To be used with python notebooks", "extend_when_used": true, "max_age_seconds": 3600})
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[test]
fn create_without_max_age_sends_null_and_quiet_prints_only_the_token() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args(["create", "--description", "ci", "-q"])
        .run();
    out.success();
    assert_eq!(out.stdout, "XCJ3+bgWywIhFULL/TOKEN+VALUE==\n");
    assert_eq!(
        server.requests()[0].json(),
        json!({"description": "ci", "extend_when_used": false, "max_age_seconds": null})
    );
}

#[test]
fn create_json_is_a_one_element_list() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args(["create", "--description", "x", "--json"])
        .run();
    out.success();
    let parsed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 1);
    assert_eq!(parsed[0]["full_token"], "XCJ3+bgWywIhFULL/TOKEN+VALUE==");
}

#[test]
fn expires_in_scopes_and_allowlists_reach_the_api() {
    let server = token_api(vec![]);
    cmd()
        .api(&server)
        .args([
            "create",
            "--description",
            "ci",
            "--expires-in",
            "12h",
            "--scope",
            "user:read",
            "--scope",
            "projects",
            "--ip-allowlist",
            "10.0.0.0/8",
            "--ip-allowlist",
            "2001:db8::1",
            "-q",
        ])
        .run()
        .success();
    assert_eq!(
        posted(&server),
        [json!({
            "description": "ci", "max_age_seconds": 43200, "extend_when_used": false,
            "scopes": ["user:read", "projects"], "ip_allowlist": ["10.0.0.0/8", "2001:db8::1"]
        })]
    );
    for (flag, seconds) in [("90m", 5400), ("30d", 2_592_000), ("1w", 604_800)] {
        cmd()
            .api(&server)
            .args(["create", "--description", "d", "--expires-in", flag, "-q"])
            .run()
            .success();
        assert_eq!(
            posted(&server).last().unwrap()["max_age_seconds"],
            json!(seconds)
        );
    }
}

#[test]
fn expires_in_a_year_is_365_days() {
    let server = prefix_api(vec![]);
    cmd()
        .api(&server)
        .args(["create", "--description", "ci", "--expires-in", "1y", "-q"])
        .run()
        .success();
    let body = server.requests()[0].json();
    assert_eq!(body["max_age_seconds"], json!(365 * 86_400));
}

#[test]
fn the_client_refuses_a_max_age_the_api_would_refuse_and_sends_nothing() {
    let sandbox = sandbox();
    let token = sandbox.token().expose().to_owned();
    for flags in [
        &["--max-age-seconds", "300"][..],
        &["--max-age-seconds", "599"],
        &["--max-age-seconds", "315360001"],
        &["--max-age-seconds", "-1"],
        &["--expires-in", "5m"],
        &["--expires-in", "11y"],
    ] {
        let out = cmd()
            .url(sandbox.url())
            .token(&token)
            .args(["create", "--description", "d"])
            .args(flags)
            .run();
        out.code(2).one_line_error();
        out.stderr_contains("600");
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");
    for flags in [&["--max-age-seconds", "600"][..], &["--expires-in", "10m"]] {
        cmd()
            .url(sandbox.url())
            .token(&token)
            .args(["create", "--description", "d", "-q"])
            .args(flags)
            .run()
            .success();
    }
}

/// Issue 8.4: `create` and `rotate` print a `full_token` only when it is plain base64, in
/// every format; anything else is an error (exit 1) and nothing is printed. `rotate` then
/// keeps the old token.
#[test]
fn a_new_token_that_is_not_plain_base64_is_never_printed() {
    for full_token in [
        format!("abc{HAZARDS}"),
        "abc def".to_owned(),
        "(redacted)".to_owned(),
        "abc==x".to_owned(),
    ] {
        refused_new_token(Some(json!(full_token)), "not plain base64");
    }
}

/// A create answered without `full_token` (or with one that is not a string) made a token
/// nobody can use: an error in every format (avn fails its table too, on the missing
/// column), naming the token that was made; `rotate` then keeps the old token.
#[test]
fn a_create_answer_without_the_new_token_is_an_error() {
    for full_token in [None, Some(json!(null)), Some(json!(12345))] {
        refused_new_token(full_token, "sent no \"full_token\"");
    }
}

/// `create` answered with `full_token` (absent when `None`) fails in every format (`-q`,
/// the avn table, JSON, CSV, YAML, the table for people) saying `why` and naming the token
/// made (and how to revoke it: nothing shows it is a new token, so it is not revoked on the
/// answer's word), and prints nothing; `rotate` keeps the old token (no DELETE is sent).
#[track_caller]
fn refused_new_token(full_token: Option<Value>, why: &str) {
    let mut created = token_json("N3WT0KENPR3F", "ci");
    if let Some(value) = full_token {
        created["full_token"] = value;
    }
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "GET" => hostile::list_ok(),
        _ => Canned::json(200, created.clone()),
    });
    for format in [
        &["-q"][..],
        &[],
        &["--json"],
        &["-o", "csv"],
        &["-o", "yaml"],
        &["-o", "pretty"],
    ] {
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci"])
            .args(format)
            .run();
        out.code(1).one_line_error();
        out.stderr_contains(why)
            .stderr_contains("N3WT0KENPR3F was created")
            .stderr_contains("revoke it with `avn-token revoke N3WT0KENPR3F`");
        assert_no_raw_controls(&out);
    }
    for format in [&["-q"][..], &[]] {
        let out = cmd()
            .api(&server)
            .args(["rotate", PREFIX, "--force"])
            .args(format)
            .run();
        out.code(1).one_line_error();
        out.stderr_contains(&format!(
            "the old token {PREFIX} was NOT revoked and is still valid"
        ));
        assert_no_raw_controls(&out);
    }
    let methods: Vec<String> = server.requests().into_iter().map(|r| r.method).collect();
    assert!(!methods.contains(&"DELETE".to_owned()), "{methods:?}");
}

#[test]
fn durations_scopes_and_allowlists_are_what_the_service_stores() {
    let env = SandboxEnv::new();
    let (_, prefix) = env.create(&[
        "--description",
        "scoped",
        "--expires-in",
        "90m",
        "--scope",
        "user:read",
        "--ip-allowlist",
        "127.0.0.0/8",
        "--ip-allowlist",
        "::1",
    ]);
    let out = env.run(&["info", &prefix, "--json"]);
    out.success();
    let info: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(info[0]["max_age_seconds"], json!(5400));
    assert_eq!(info[0]["scopes"], json!(["user:read"]));
    assert_eq!(info[0]["ip_allowlist"], json!(["127.0.0.0/8", "::1"]));
    let table = env.run(&["info", &prefix]);
    table.success();
    table.stdout_contains(&format!("TOKEN_PREFIX      {prefix}\n"));
    table.stdout_contains("IP_ALLOWLIST      127.0.0.0/8, ::1\n");
}
