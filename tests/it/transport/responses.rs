//! What the API answers, and what the user sees of it: API errors in one line with the
//! message and status (and the exit code that fits), an unreachable API, broken and
//! strange answers (HTML, bodies that are not JSON or not the expected shape, huge ones),
//! fields the client does not know, and redirects, which are not followed.

use serde_json::{Value, json};

use crate::support::fakes::api_error;
use crate::support::faults::{list_ok, methods, run_cli};
use crate::support::server::{Canned, ScriptedServer, unused_address};
use crate::support::{TOKEN, cmd};

#[test]
fn api_errors_are_one_line_with_message_and_status() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": []})),
        _ => Canned::json(
            404,
            json!({"message": "Token not found", "errors": [{"message": "Token not found", "status": 404}]}),
        ),
    });
    let out = cmd()
        .api(&server)
        .args(["update", "nope", "--description", "x"])
        .run();
    out.code(4).one_line_error();
    assert_eq!(
        out.stderr,
        "error: no token matches prefix `nope`; `avn-token list` shows your tokens\n"
    );

    let server = ScriptedServer::always(Canned::json(403, json!({"message": "Invalid token"})));
    let out = cmd().api(&server).arg("list").run();
    out.code(3).one_line_error();
    out.stderr_contains("Invalid token (HTTP 403)");

    // The API refusing the request as invalid: exit 2 (fix it, do not retry).
    let server = ScriptedServer::always(Canned::json(400, json!({"message": "Bad description"})));
    let out = cmd()
        .api(&server)
        .args(["create", "--description", "x"])
        .run();
    out.code(2).one_line_error();
    out.stderr_contains("Bad description (HTTP 400)");
}

#[test]
fn api_400_and_422_exit_2_with_the_apis_message() {
    for status in [400, 422] {
        let server = ScriptedServer::always(api_error(status, "max_age_seconds too small"));
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci"])
            .run();
        out.code(2).one_line_error();
        out.stderr_contains("max_age_seconds too small");
    }
}

#[test]
fn unreachable_api_is_a_one_line_network_error() {
    let out = cmd()
        .url(format!("http://{}", unused_address()))
        .token(TOKEN)
        .args(["list", "--retry-budget", "0.5"])
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("cannot reach");
}

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
