//! What is retried and what is not (README `--retry-budget`): GETs, PUTs and DELETEs
//! through 408, 429, 502–504, hang-ups and bodies cut short; a create only when the
//! connection was refused; `Retry-After` honoured, bounded and never a panic; a refused
//! connection retried briefly and said once; an answer that is not HTTP never retried.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::faults::{FULL_TOKEN, created, list_ok, methods, one_token, run_cli};
use crate::support::hostile::{self, PREFIX, no_panic, token_json};
use crate::support::server::{Canned, ScriptedServer, unused_address};
use crate::support::{TOKEN, cmd};

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

/// Issue 9.3: 408 Request Timeout is retried, as the official Go client does.
#[test]
fn request_timeout_status_is_retried() {
    let server = ScriptedServer::always(hostile::list_ok());
    server.push(Canned::json(408, json!({"message": "request timeout"})));
    cmd().api(&server).arg("list").run().success();
    assert_eq!(server.requests().len(), 2);
}

/// Issue 8.1: `Retry-After: 1e30` on any response, or `18446744073709551615` on a 429,
/// made the binary panic (exit 101). Every value ends in bounded time, without a panic.
#[test]
fn no_retry_after_value_makes_it_panic() {
    let values = [
        "1e30",
        "18446744073709551615",
        "99999999999999999999999999999",
        "-1",
        "NaN",
        "inf",
        "1e-30",
        "0x10",
        "",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ];
    for value in values {
        for (status, command) in [
            (200, vec!["list"]),
            (200, vec!["create", "--description", "ci"]),
            (429, vec!["list"]),
            (503, vec!["list"]),
        ] {
            let body = if status == 200 && command[0] == "create" {
                let mut token = token_json(PREFIX, "ci");
                token["full_token"] = json!("Zm9vYmFyYmF6cXV4");
                token
            } else if status == 200 {
                json!({"tokens": []})
            } else {
                json!({"message": "slow down"})
            };
            let server = ScriptedServer::always(
                Canned::json(status, body).with_header("Retry-After", value),
            );
            let started = Instant::now();
            let out = cmd()
                .api(&server)
                .args(&command)
                .args(["--retry-budget", "0.3", "--request-timeout", "10"])
                .run();
            no_panic(&out);
            assert!(
                started.elapsed() < Duration::from_secs(9),
                "{value} on {status}: not bounded by the retry budget"
            );
            if status == 200 {
                out.success();
            } else {
                out.code(1).one_line_error();
            }
        }
    }
}

/// Issue 11.4: a refused connection is retried for about 3 s (not the whole budget), with
/// one note saying what is retried and why, then one error saying it was retried.
#[test]
fn a_refused_connection_is_retried_briefly_and_said_once() {
    let addr = unused_address();
    let started = Instant::now();
    let out = cmd()
        .url(format!("http://{addr}"))
        .token(TOKEN)
        .arg("list")
        .run();
    let took = started.elapsed();
    out.code(1);
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("note: ")
            && lines[0].contains("connection refused")
            && lines[0].contains("retrying for up to 3s"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("error: ")
            && lines[1].contains("connection refused")
            && lines[1].contains("retried for"),
        "{lines:?}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(8),
        "{took:?}"
    );
}

/// README (`--retry-budget`): transient failures are retried (408, 429, 502–504, dropped
/// connections). An answer that is not HTTP at all is none of those, yet it was retried for
/// the whole budget (15 s by default, with a note) before the error: it fails at once now.
#[test]
fn an_answer_that_is_not_http_is_not_retried() {
    for garbage in [
        &b"garbage\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nbad header line\r\n\r\n",
        b"HTTP/9.9 200 OK\r\ncontent-length: 2\r\n\r\n{}",
    ] {
        let server = ScriptedServer::always(Canned::Raw(garbage.to_vec()));
        let started = std::time::Instant::now();
        let out = cmd().api(&server).arg("list").run();
        out.code(1).one_line_error();
        assert_eq!(server.requests().len(), 1, "retried: {}", out.stderr);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
