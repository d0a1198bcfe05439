//! `avn-token revoke`: the token in use refused without `--force`, the question on a
//! terminal (and Ctrl-C at it), an empty answer accepted, and a retried revoke that finds
//! nothing counted as done.

use serde_json::json;

use crate::support::fakes::{deletes, fake_aiven, token_api};
use crate::support::hostile::PREFIX;
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{cmd, token};
#[cfg(target_os = "linux")]
use crate::support::{on_a_terminal, wait_for_output};

#[test]
fn revoke_accepts_an_empty_json_body_where_avn_crashes() {
    let server = fake_aiven(json!([]));
    server.push(Canned::json(200, json!({"tokens": []})));
    server.push(Canned::raw(200, "application/json", b""));
    let out = cmd().api(&server).args(["revoke", "XCJ3+bgWywIh"]).run();
    out.success();
    assert_eq!(out.stdout, "Revoked\n");
}

#[test]
fn revoke_refuses_the_token_in_use_without_force() {
    let mut current = token("CURRENTtoken", "me");
    current["currently_active"] = json!(true);
    let server = token_api(vec![current]);
    let out = cmd().api(&server).args(["revoke", "CURRENTtoken"]).run();
    out.code(1).one_line_error();
    out.stderr_contains("--force");
    assert_eq!(deletes(&server), 0);
    cmd()
        .api(&server)
        .args(["revoke", "CURRENTtoken", "--force"])
        .run()
        .success();
    assert_eq!(deletes(&server), 1);
    // Rotating the token in use revokes it too: same rule.
    cmd()
        .api(&server)
        .args(["rotate", "CURRENTtoken"])
        .run()
        .code(1);
}

/// Issue 9.4: a DELETE retried after an answer that was lost or a 5xx, whose retry finds
/// nothing (404), did its job: "Revoked", exit 0, with a note saying so.
#[test]
fn a_retried_revoke_that_finds_nothing_succeeded() {
    for first in [
        Canned::json(503, json!({"message": "busy"})),
        Canned::Hangup,
    ] {
        let server = ScriptedServer::always(Canned::json(404, json!({"message": "Not found"})));
        server.push(first);
        let out = cmd().api(&server).args(["revoke", PREFIX, "--force"]).run();
        out.success();
        assert_eq!(out.stdout, "Revoked\n");
        out.stderr_contains("note:").stderr_contains("carried out");
        assert_eq!(server.requests().len(), 2);
    }
    // Without an earlier attempt, 404 is "not found" (exit 4), as before.
    let server = ScriptedServer::always(Canned::json(404, json!({"message": "Not found"})));
    cmd()
        .api(&server)
        .args(["revoke", PREFIX, "--force"])
        .run()
        .code(4)
        .one_line_error();
}

/// On a terminal, revoke asks first; "n" keeps the token, "y" (or `--yes`) revokes it.
/// util-linux `script` gives the command a pseudo-terminal; without it the test is skipped.
#[cfg(target_os = "linux")]
#[test]
fn revoke_asks_on_a_terminal_and_respects_no() {
    let server = token_api(vec![token("TARGETtoken0", "deploy")]);
    let on_terminal = |answer: &str| {
        let script = on_a_terminal(&server, "revoke TARGETtoken0")?;
        Some(script.write_stdin(answer).run())
    };
    let Some(declined) = on_terminal("n\n") else {
        return;
    };
    declined.stdout_contains("Revoke token TARGETtoken0 (\"deploy\")? [y/N]");
    declined.stdout_contains("aborted");
    assert!(
        server.requests().iter().all(|r| r.method != "DELETE"),
        "declined: nothing revoked"
    );
    let Some(accepted) = on_terminal("y\n") else {
        return;
    };
    accepted.stdout_contains("Revoked");
    assert_eq!(deletes(&server), 1);
}

/// Ctrl-C at a confirmation prompt ends the command at once with 130 (the prompt reads the
/// terminal on a blocking thread; read on the async thread, Ctrl-C would wait for Enter and
/// the closed input would then read as "no": exit 1).
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_at_a_prompt_exits_130() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let server = token_api(vec![token("TARGETtoken0", "deploy")]);
    let Some(script) = on_a_terminal(&server, "revoke TARGETtoken0") else {
        return;
    };
    let mut running = script.spawn();
    let child = &mut running.child;
    let (seen, reader) = wait_for_output(child.stdout.take().unwrap(), "[y/N]");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap(); // Ctrl-C, typed on the terminal
    stdin.flush().unwrap();
    // The terminal stays open: a command still blocked in its read would never end, so
    // give it a generous while, then kill it and fail.
    let waited = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if waited.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("Ctrl-C at the prompt did not end the command");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    reader.join().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "output: {}",
        String::from_utf8_lossy(&seen.lock().unwrap())
    );
    assert_eq!(deletes(&server), 0);
}

#[test]
fn the_token_in_use_is_protected_and_marked() {
    let env = SandboxEnv::new();
    let own = env.sandbox.token();
    let out = env.run(&["revoke", own.prefix()]);
    out.code(1).one_line_error();
    out.stderr_contains("--force");
    let people = env.run(&["list", "--relative"]);
    people.stdout_contains(&format!("{} (in use)", own.prefix()));

    env.run(&["revoke", own.expose(), "--force"]).success();
    env.run(&["list"]).code(3).one_line_error();
}
