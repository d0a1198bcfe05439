//! Faults and hostile servers: retries, timeouts, broken and strange responses, secrets in
//! traces and errors, cleartext refusal, Ctrl-C. The real binary against a scripted server
//! on 127.0.0.1; nothing here leaves loopback.
//!
//! Every run goes through [`run_cli`], which also checks that the token never appears on
//! stderr, whatever the scenario.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::server::{Canned, ScriptedServer, unused_address};
use crate::support::{Cmd, Run, TOKEN, cmd};

/// The secret a `create` returns.
const FULL_TOKEN: &str = "XCJ3+bgWywIhFULL/TOKEN+VALUE==";

fn one_token() -> Value {
    json!({
        "create_time": "2021-08-16T15:29:14Z", "created_manually": true,
        "currently_active": false, "description": "ci", "expiry_time": null,
        "extend_when_used": false, "last_ip": null, "last_used_time": null,
        "last_user_agent": null, "max_age_seconds": null, "token_prefix": "XCJ3+bgWywIh"
    })
}

fn list_ok() -> Canned {
    Canned::json(200, json!({ "tokens": [one_token()] }))
}

fn created() -> Canned {
    let mut token = one_token();
    token["full_token"] = json!(FULL_TOKEN);
    Canned::json(200, token)
}

/// Run, and check the one rule that holds in every scenario: neither the token in use nor
/// a token the server handed out is ever written to stderr, raw or percent-encoded.
fn run_cli(command: Cmd) -> Run {
    let out = command.run();
    for secret in [TOKEN, FULL_TOKEN] {
        for form in [secret.to_owned(), encoded(secret)] {
            assert!(
                !out.stderr.contains(&form),
                "a token leaked to stderr: {}",
                out.stderr
            );
        }
    }
    out
}

fn encoded(secret: &str) -> String {
    secret
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D")
}

fn methods(server: &ScriptedServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.method).collect()
}

// ---- retries -------------------------------------------------------------------------

#[test]
fn get_is_retried_through_503s() {
    let server = ScriptedServer::always(list_ok());
    server.push(Canned::json(503, json!({"message": "busy"})));
    server.push(Canned::raw(503, "text/html", b"<html>down</html>"));
    let out = run_cli(cmd().api(&server).arg("list"));
    out.success();
    out.stdout_contains("XCJ3+bgWywIh");
    assert_eq!(methods(&server), ["GET", "GET", "GET"]);
}

#[test]
fn put_and_delete_are_retried_through_502_and_504() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "PUT" => Canned::json(200, one_token()),
        _ => Canned::json(200, json!({"message": "Token revoked"})),
    });
    server.push(Canned::raw(502, "text/plain", b""));
    run_cli(
        cmd()
            .api(&server)
            .args(["update", "XCJ3+bgWywIh", "--description", "x"]),
    )
    .success();
    server.push(Canned::raw(504, "text/plain", b""));
    run_cli(
        cmd()
            .api(&server)
            .args(["revoke", "XCJ3+bgWywIh", "--force"]),
    )
    .success();
    assert_eq!(methods(&server), ["PUT", "PUT", "DELETE", "DELETE"]);
}

#[test]
fn retry_after_is_honoured() {
    let server = ScriptedServer::always(list_ok());
    server.push(Canned::json(429, json!({"message": "slow down"})).with_header("Retry-After", "1"));
    run_cli(cmd().api(&server).arg("list")).success();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // Our own backoff starts at 250 ms or less: a gap of a second is the server's word.
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
}

#[test]
fn retry_after_beyond_the_budget_fails_at_once() {
    let server = ScriptedServer::always(
        Canned::json(429, json!({"message": "quota exceeded"})).with_header("Retry-After", "3600"),
    );
    // --request-timeout turns a wrong hour-long sleep into a failure instead of a hang.
    let out = run_cli(cmd().api(&server).args(["list", "--request-timeout", "20"]));
    out.code(1).one_line_error();
    out.stderr_contains("quota exceeded (HTTP 429)");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn retry_after_zero_still_backs_off() {
    // Without a floor under Retry-After, this would be thousands of requests in a second.
    let server = ScriptedServer::always(
        Canned::json(429, json!({"message": "slow down"})).with_header("Retry-After", "0"),
    );
    let out = run_cli(cmd().api(&server).args(["list", "--retry-budget", "1"]));
    out.code(1).one_line_error();
    let count = server.requests().len();
    assert!((2..=8).contains(&count), "{count} requests");
}

#[test]
fn exhausted_budget_is_one_line_with_the_last_status() {
    let server = ScriptedServer::always(Canned::json(503, json!({"message": "maintenance"})));
    let out = run_cli(cmd().api(&server).args(["list", "--retry-budget", "1"]));
    out.code(1).one_line_error();
    out.stderr_contains("maintenance (HTTP 503)");
    assert!(server.requests().len() >= 2, "it never retried");
}

#[test]
fn retry_budget_zero_sends_once() {
    let server = ScriptedServer::always(Canned::json(503, json!({"message": "maintenance"})));
    run_cli(cmd().api(&server).args(["list", "--retry-budget", "0"]))
        .code(1)
        .one_line_error();
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn create_is_never_retried_once_sent() {
    // A second POST would make a second token and eat into the 10-token quota.
    let server = ScriptedServer::always(Canned::json(503, json!({"message": "busy"})));
    let out = run_cli(cmd().api(&server).args(["create", "--description", "ci"]));
    out.code(1).one_line_error();
    out.stderr_contains("busy (HTTP 503)");
    assert_eq!(methods(&server), ["POST"]);

    let server =
        ScriptedServer::always(Canned::json(429, json!({})).with_header("Retry-After", "0"));
    run_cli(cmd().api(&server).args(["create", "--description", "ci"]))
        .code(1)
        .one_line_error();
    assert_eq!(methods(&server), ["POST"]);
}

#[test]
fn a_hangup_is_retried_for_get_but_not_for_create() {
    let server = ScriptedServer::always(list_ok());
    server.push(Canned::Hangup);
    run_cli(cmd().api(&server).arg("list")).success();
    assert_eq!(methods(&server), ["GET", "GET"]);

    let server = ScriptedServer::always(created());
    server.push(Canned::Hangup);
    let out = run_cli(cmd().api(&server).args(["create", "--description", "ci"]));
    out.code(1).one_line_error();
    out.stderr_contains("check before");
    assert_eq!(methods(&server), ["POST"]);
}

#[test]
fn a_body_cut_short_is_retried_for_get_but_not_for_create() {
    let server = ScriptedServer::always(list_ok());
    server.push(Canned::Truncated {
        status: 200,
        declared: 500,
        body: br#"{"tokens": [{"token_prefix": "#.to_vec(),
    });
    run_cli(cmd().api(&server).arg("list")).success();
    assert_eq!(methods(&server), ["GET", "GET"]);

    let server = ScriptedServer::always(created());
    server.push(Canned::Truncated {
        status: 200,
        declared: 500,
        body: br#"{"full_token": "XCJ3"#.to_vec(),
    });
    let out = run_cli(cmd().api(&server).args(["create", "--description", "ci"]));
    out.code(1).one_line_error();
    out.stderr_contains("HTTP 200");
    assert_eq!(methods(&server), ["POST"]);
}

#[test]
fn create_is_retried_when_the_connection_was_refused() {
    // Nothing listens on the port at first, so the server cannot have seen the request;
    // a listener appears a little later and must get exactly one POST.
    let addr = unused_address();
    let late = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        ScriptedServer::start_on(addr, |_| created())
    });
    let out = run_cli(cmd().url(format!("http://{addr}")).token(TOKEN).args([
        "create",
        "--description",
        "ci",
    ]));
    let server = late.join().unwrap();
    out.success();
    out.stdout_contains(FULL_TOKEN);
    assert_eq!(methods(&server), ["POST"]);
}

// ---- timeouts ------------------------------------------------------------------------

#[test]
fn request_timeout_bounds_a_stalled_call() {
    let server = ScriptedServer::always(Canned::Delayed(
        Duration::from_secs(15),
        Box::new(list_ok()),
    ));
    let started = Instant::now();
    let out = run_cli(
        cmd()
            .api(&server)
            .args(["list", "--request-timeout", "0.5"]),
    );
    out.code(1).one_line_error();
    out.stderr_contains("timed out");
    // Sanity only: the server would have answered (successfully) after 15 s.
    assert!(started.elapsed() < Duration::from_secs(12));
}

#[test]
fn request_timeout_bounds_the_retries_too() {
    let server = ScriptedServer::always(Canned::json(503, json!({"message": "busy"})));
    let started = Instant::now();
    let out = run_cli(cmd().api(&server).args([
        "list",
        "--request-timeout",
        "1",
        "--retry-budget",
        "60",
    ]));
    out.code(1).one_line_error();
    out.stderr_contains("timed out");
    assert!(started.elapsed() < Duration::from_secs(12));
}

// ---- hostile and strange responses ---------------------------------------------------

#[test]
fn hostile_list_responses_fail_in_one_line_with_the_status() {
    let cases: Vec<(&str, Canned, &str)> = vec![
        (
            "HTML from a proxy",
            Canned::raw(
                200,
                "text/html",
                b"<!DOCTYPE html><html><body>Login</body></html>",
            ),
            "HTML",
        ),
        (
            "empty body",
            Canned::raw(200, "application/json", b""),
            "tokens",
        ),
        (
            "not JSON",
            Canned::raw(200, "text/plain", b"ok\n\x00\xff"),
            "not JSON",
        ),
        (
            "tokens not a list",
            Canned::json(200, json!({"tokens": 5})),
            "list of token objects",
        ),
        ("a bare list", Canned::json(200, json!([1])), "token"),
        (
            "a bare string",
            Canned::json(200, json!("tokens")),
            "tokens",
        ),
        (
            "token not an object",
            Canned::json(200, json!({"tokens": [1]})),
            "a token object",
        ),
        (
            "truncated JSON",
            Canned::raw(200, "application/json", br#"{"tokens": [{"#),
            "JSON",
        ),
        (
            "HTML error page",
            Canned::raw(500, "text/html", b"<html>oops</html>"),
            "HTML",
        ),
        ("empty error", Canned::raw(500, "text/plain", b""), "empty"),
        (
            "error with odd JSON",
            Canned::json(400, json!({"message": 5, "errors": "x"})),
            "Bad Request",
        ),
        (
            "multi-line error message",
            Canned::json(
                400,
                json!({"message": "line one\nline two\r\n\u{1b}[31mred"}),
            ),
            "line one line two",
        ),
    ];
    for (name, reply, says) in cases {
        let status = match &reply {
            Canned::Respond { status, .. } => *status,
            _ => unreachable!(),
        };
        let server = ScriptedServer::always(reply);
        let out = run_cli(cmd().api(&server).args(["list", "--retry-budget", "0"]));
        // 400 and 422 say the request is invalid (exit 2); every other failure is exit 1.
        out.code(if matches!(status, 400 | 422) { 2 } else { 1 })
            .one_line_error();
        assert!(
            out.stderr.contains(&format!("HTTP {status}")) && out.stderr.contains(says),
            "{name}: {}",
            out.stderr
        );
        assert!(!out.stderr.contains('\u{1b}'), "{name}: {:?}", out.stderr);
    }
}

#[test]
fn huge_bodies_are_refused_with_the_status() {
    // Declared too big: refused before reading it.
    let server = ScriptedServer::always(Canned::Truncated {
        status: 200,
        declared: 1 << 40,
        body: b"{".to_vec(),
    });
    let out = run_cli(cmd().api(&server).arg("list"));
    out.code(1).one_line_error();
    out.stderr_contains("larger than")
        .stderr_contains("HTTP 200");
    assert_eq!(
        server.requests().len(),
        1,
        "a huge body is not worth a retry"
    );

    // Sent for real, past the cap.
    let mut body = br#"{"tokens": [], "padding": ""#.to_vec();
    body.resize(33 << 20, b'x');
    body.extend_from_slice(b"\"}");
    let server = ScriptedServer::always(Canned::raw(200, "application/json", &body));
    let out = run_cli(cmd().api(&server).arg("list"));
    out.code(1).one_line_error();
    out.stderr_contains("larger than");
}

#[test]
fn sparse_odd_and_unknown_fields_list_fine() {
    let server = ScriptedServer::always(Canned::json(
        200,
        json!({"tokens": [
            {},
            {"token_prefix": "only-prefix"},
            {"description": 5, "max_age_seconds": "soon", "extend_when_used": "yes",
             "expiry_time": 1.5, "last_ip": ["a", {"b": null}], "last_user_agent": {"k": "v"},
             "created_manually": "true", "currently_active": 1, "token_prefix": null,
             "brand_new_field": {"nested": [1, 2, 3]}},
        ], "extra": "ignored"}),
    ));
    let out = run_cli(cmd().api(&server).arg("list"));
    out.success();
    out.stdout_contains("only-prefix");
    out.stdout_contains(r#"a, {"b": null}"#);
    let json = run_cli(cmd().api(&server).args(["list", "--json"]));
    json.success();
    let parsed: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(parsed[2]["brand_new_field"], json!({"nested": [1, 2, 3]}));
}

// ---- secrets -------------------------------------------------------------------------

#[test]
fn show_http_traces_the_exchange_with_secrets_redacted() {
    let server = ScriptedServer::always(created());
    let out = run_cli(
        cmd()
            .api(&server)
            .args(["create", "--description", "ci", "--show-http"]),
    );
    out.success();
    let url = format!("> POST {}/v1/access_token", server.url());
    for expected in [
        url.as_str(),
        "> authorization: aivenv1 (redacted)",
        r#""description":"ci""#,
        "< HTTP 200 OK",
        "< content-type: application/json",
        r#""full_token":"(redacted)""#,
        r#""token_prefix":"XCJ3+bgWywIh""#,
    ] {
        out.stderr_contains(expected);
    }
    // The new token is the command's result: stdout still has it.
    out.stdout_contains(FULL_TOKEN);
}

#[test]
fn tokens_echoed_back_by_the_server_are_scrubbed() {
    // run_cli fails the test if either token reaches stderr.
    let server = ScriptedServer::always(Canned::json(
        403,
        json!({"message": format!("Invalid token {TOKEN} ({})", encoded(TOKEN))}),
    ));
    let out = run_cli(cmd().api(&server).args(["list", "--show-http"]));
    out.code(3);
    out.stderr_contains("Invalid token (redacted)");

    // A full token given as the prefix to revoke travels in the URL: traces and errors
    // show only its first characters.
    let server = ScriptedServer::always(Canned::json(
        404,
        json!({"message": format!("no token {FULL_TOKEN} at /v1/access_token/{}", encoded(FULL_TOKEN))}),
    ));
    let out = run_cli(
        cmd()
            .api(&server)
            .args(["revoke", FULL_TOKEN, "--force", "--show-http"]),
    );
    out.code(4);
    out.stderr_contains("XCJ3%2BbgWywIh");
    assert_eq!(
        server.requests()[0].path,
        format!("/v1/access_token/{}", encoded(FULL_TOKEN)),
        "the real request still names the token in full"
    );

    let out = run_cli(
        cmd()
            .api(&server)
            .env("AIVEN_WEB_URL", "http://127.0.0.1:1")
            .args(["revoke", FULL_TOKEN, "--force", "--retry-budget", "0"]),
    );
    out.code(1).one_line_error();
}

#[test]
fn cleartext_to_a_remote_host_is_refused_before_any_traffic() {
    let out = run_cli(cmd().url("http://example.invalid").token(TOKEN).arg("list"));
    // A DNS lookup or connection attempt would end in "cannot reach" (exit 1) instead.
    out.code(2).one_line_error();
    out.stderr_contains("--allow-insecure-http");
    assert!(!out.stderr.contains("cannot reach"), "{}", out.stderr);
}

/// `0.0.0.0` is not a loopback address, but on Linux connecting to it reaches this host:
/// a non-loopback URL whose traffic still stays on the machine.
#[cfg(target_os = "linux")]
#[test]
fn allow_insecure_http_is_the_explicit_opt_out() {
    let server = ScriptedServer::always(list_ok());
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://0.0.0.0:{port}");
    let refused = run_cli(cmd().api(&server).env("AIVEN_WEB_URL", &url).arg("list"));
    refused.code(2).one_line_error();
    assert!(server.requests().is_empty());
    run_cli(
        cmd()
            .api(&server)
            .env("AIVEN_WEB_URL", &url)
            .args(["list", "--allow-insecure-http"]),
    )
    .success();
    assert_eq!(server.requests().len(), 1);
}

// ---- signals -------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn ctrl_c_exits_130_without_a_trace() {
    use crate::support::send_signal;
    let server = ScriptedServer::always(Canned::Delayed(
        Duration::from_secs(15),
        Box::new(list_ok()),
    ));
    let running = cmd().api(&server).arg("list").spawn();
    // Once the request has arrived, the command is blocked in the call, where Ctrl-C lands.
    assert!(server.wait_for_requests(1, Duration::from_secs(10)));
    send_signal(&running.child, "INT");
    let started = Instant::now();
    let out = running.finish();
    assert_eq!(out.status, Some(130), "{out:?}");
    assert!(out.stdout.is_empty() && out.stderr.is_empty(), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "it waited for the server"
    );
}

/// The API never redirects. Following a 3xx would turn a create into a GET and could carry
/// the token elsewhere: it is reported as a one-line failure after a single request.
#[test]
fn redirects_are_not_followed() {
    let target = ScriptedServer::always(list_ok());
    let server = ScriptedServer::always(
        Canned::raw(302, "text/html", b"<a>moved</a>")
            .with_header("location", &format!("{}/v1/access_token", target.url())),
    );
    let out = run_cli(cmd().api(&server).arg("list"));
    out.code(1).one_line_error();
    out.stderr_contains("HTTP 302");
    assert_eq!(methods(&server), ["GET"]);
    assert!(target.requests().is_empty(), "the redirect was followed");
}
