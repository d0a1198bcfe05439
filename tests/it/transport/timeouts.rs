//! What ends a call: `--request-timeout` for one call and its retries, the deadline all of
//! a command's calls share (`--deadline`; an answer read from stdin does not count), a
//! body that drips, a create ended after it was sent, and Ctrl-C during a call.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::faults::{list_ok, run_cli};
use crate::support::hostile::{self, PREFIX, ended_within, token_json};
use crate::support::server::{Canned, REFUSED_AT_ONCE, ScriptedServer, unused_address};
use crate::support::{TOKEN, cmd};

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

/// Issue 8.5: a body that drips one byte at a time never ends a read timeout, but the
/// whole-call deadline ends the command, saying what was happening.
#[test]
fn a_dripping_body_is_ended_by_the_deadline() {
    let body = json!({ "tokens": [token_json(PREFIX, "ci")] })
        .to_string()
        .into_bytes();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let server = ScriptedServer::always(Canned::Drip {
        head: head.into_bytes(),
        body,
        every: Duration::from_millis(300),
    });
    let started = Instant::now();
    let out = cmd()
        .api(&server)
        .args(["list", "--request-timeout", "2"])
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("timed out after 2s")
        .stderr_contains("still arriving");
    ended_within(started, 10);
}

/// A create that the deadline ends after it was sent may have made the token: the error
/// says so, as every other failure of a create that reached the server does, so that
/// nobody runs it again blindly and ends up with two.
#[test]
fn a_create_ended_by_the_deadline_may_have_been_carried_out() {
    let body = br#"{"full_token": "YWJjZGVmZ2hpamtsbW5vcA==", "token_prefix": "YWJjZGVmZ2hp"}"#;
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let dripping = Canned::Drip {
        head: head.into_bytes(),
        body: body.to_vec(),
        every: Duration::from_millis(300),
    };
    let silent = Canned::Delayed(Duration::from_secs(5), Box::new(hostile::list_ok()));
    for (answer, what) in [(dripping, "still arriving"), (silent, "no response")] {
        let server = ScriptedServer::always(answer);
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci", "--request-timeout", "1"])
            .run();
        out.code(1).one_line_error();
        out.stderr_contains(what)
            .stderr_contains("the request may have been carried out");
        assert_eq!(server.requests().len(), 1, "sent once");
    }
}

/// Issue 8.5: by default (and with `--deadline`) one deadline covers all of a command's
/// calls, not each: a server that answers every call just inside a per-call bound cannot
/// stretch a `rotate` (a list, a create, a read-back, a revoke) to several times it. Each
/// answer here takes 0.8 s; `--deadline 2` ends the rotation on its third call.
#[test]
fn one_deadline_covers_all_of_a_commands_calls() {
    const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0";
    let server = ScriptedServer::start(|request| {
        let answer = match request.method.as_str() {
            "GET" => hostile::list_ok(),
            "POST" => Canned::json(200, json!({"token_prefix": &NEW[..12], "full_token": NEW})),
            _ => Canned::json(200, json!({"message": "revoked"})),
        };
        Canned::Delayed(Duration::from_millis(800), Box::new(answer))
    });
    let started = Instant::now();
    let out = cmd()
        .api(&server)
        .args(["--deadline", "2", "rotate", PREFIX, "-q"])
        .run();
    // The new token is never lost: printed, with the one error line for the old one.
    out.code(1).stdout_contains(NEW);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    out.stderr_contains("timed out")
        .stderr_contains("--deadline");
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "POST", "DELETE"], "{}", out.stderr);
    ended_within(started, 10);
}

/// Issue 8.5: the time an answer to `avn`'s question takes (read from stdin, as `avn`
/// reads it, after a call has started the command's deadline) is not the server's: the
/// call after it still has the whole deadline (`--deadline 2` here, the answer taken 3 s
/// after the first call).
#[test]
fn an_answer_read_from_stdin_does_not_count_against_the_deadline() {
    let server = ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/organizations" => {
            Canned::json(200, json!({"organizations": [{"organization_id": "o1"}]}))
        }
        _ => Canned::json(200, json!({"message": "revoked"})),
    });
    let mut running = cmd()
        .api(&server)
        .args([
            "--deadline",
            "2",
            "application-user",
            "token",
            "revoke",
            "u1",
            PREFIX,
        ])
        .spawn();
    while server.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
    let mut stdin = running.child.stdin.take().expect("piped stdin");
    stdin.write_all(b"y\n").expect("the answer");
    drop(stdin);
    let out = running.finish();
    out.success();
    assert_eq!(server.requests().len(), 2, "{}", out.stderr);
}

/// Issue 11.4: when `--request-timeout` ends the call, the error says what failed before:
/// a server that hangs up, on every platform; a refused connection, where one is refused at
/// once (on Windows a refusal takes about two seconds, longer than this timeout, and is
/// retried for at most three: it cannot fail before a timeout it has to fit under).
#[test]
fn a_timeout_says_what_failed_before_it() {
    let hangs_up = ScriptedServer::always(Canned::Hangup);
    let refused = format!("http://{}", unused_address());
    let mut cases = vec![(hangs_up.url(), "connection closed before message completed")];
    if REFUSED_AT_ONCE {
        cases.push((refused, "connection refused"));
    }
    for (url, failure) in cases {
        let out = cmd()
            .url(url)
            .token(TOKEN)
            .args(["list", "--request-timeout", "1"])
            .run();
        out.code(1);
        out.stderr_contains("timed out after 1s")
            .stderr_contains(&format!("{failure}, retried for"));
    }
}

#[test]
#[cfg_attr(not(unix), ignore = "sends SIGINT: Unix signals")]
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
