//! `avn-token revoke`: the token in use refused without `--force`, the question on a
//! terminal (with `--force` too, and Ctrl-C at it), an empty answer accepted, and a
//! retried revoke that finds nothing counted as done.

use serde_json::json;

use crate::support::fakes::{deletes, fake_aiven, token_api};
use crate::support::hostile::PREFIX;
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{answer_on_a_terminal, on_a_terminal, wait_for_output};
use crate::support::{cmd, token};

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
    // Without an earlier attempt, 404 is "not found" (exit 4), as before (the list, read
    // to explain it, shows the API is there).
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": []})),
        _ => Canned::json(404, json!({"message": "Not found"})),
    });
    cmd()
        .api(&server)
        .args(["revoke", PREFIX, "--force"])
        .run()
        .code(4)
        .one_line_error();
}

/// On a terminal, revoke asks first; "n" keeps the token, "y" (or `--yes`) revokes it.
/// util-linux `script` gives the command a pseudo-terminal; without it the test is skipped.
#[test]
fn revoke_asks_on_a_terminal_and_respects_no() {
    let server = token_api(vec![token("TARGETtoken0", "deploy")]);
    let on_terminal = |answer: &str| {
        let script = on_a_terminal(&server, "revoke TARGETtoken0")?;
        Some(answer_on_a_terminal(script, "[y/N]", answer))
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

/// `--force` lets `revoke` take the token in use; on a terminal it still asks first (only
/// `--yes` skips the question), so "n" keeps the token.
#[cfg(target_os = "linux")]
#[test]
fn revoke_force_on_a_terminal_still_asks() {
    let mut in_use = token("CURRENTtoken", "me");
    in_use["currently_active"] = json!(true);
    let server = token_api(vec![in_use]);
    let Some(script) = on_a_terminal(&server, "revoke CURRENTtoken --force") else {
        return;
    };
    let declined = answer_on_a_terminal(script, "[y/N]", "n\n");
    declined
        .stdout_contains("Revoke token CURRENTtoken (\"me\")? [y/N]")
        .stdout_contains("aborted");
    assert_eq!(deletes(&server), 0, "declined: nothing revoked");
    let Some(script) = on_a_terminal(&server, "revoke CURRENTtoken --force --yes") else {
        return;
    };
    let forced = script.run();
    forced.stdout_contains("Revoked");
    assert!(!forced.stdout.contains("[y/N]"), "{}", forced.stdout);
    assert_eq!(deletes(&server), 1);
}

/// Ctrl-C at a confirmation prompt ends the command at once with 130 (the prompt reads the
/// terminal on a blocking thread; read on the async thread, Ctrl-C would wait for Enter and
/// the closed input would then read as "no": exit 1).
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

/// `revoke` from the user's side: the check that keeps the token in use (issue 19.4) and
/// the machine-readable result of `-o json|yaml|csv` (issue 19.11).
mod check_and_result {
    use crate::support::fakes::deleted;
    use crate::support::server::{Canned, Request, ScriptedServer};
    use crate::support::{Cmd, Run, avn_binary, cmd, token};
    use serde_json::{Value, json};

    /// The token the commands authenticate with; its prefix is its first 12 characters.
    const IN_USE: &str = "InUseToken12/rest+of+the+token/value==";
    const OTHER: &str = "OtherToken12";

    /// A server whose token list fails as `list_reply` says and whose revoke succeeds.
    fn server(list_reply: Canned) -> ScriptedServer {
        ScriptedServer::start(move |request: &Request| match request.method.as_str() {
            "GET" => list_reply.clone(),
            "DELETE" => Canned::json(200, json!({"message": ""})),
            _ => Canned::json(404, json!({"message": "no such call"})),
        })
    }

    fn revoke(server: &ScriptedServer, args: &[&str]) -> Run {
        cmd()
            .url(server.url())
            .token(IN_USE)
            .args(["--retry-budget", "0"])
            .arg("revoke")
            .args(args)
            .run()
    }

    /// Answers to the list that say nothing about which token is in use.
    fn failed_lists() -> Vec<(&'static str, Canned)> {
        vec![
            (
                "500",
                Canned::raw(500, "text/html", b"<html>Internal error</html>"),
            ),
            (
                "403",
                Canned::json(403, json!({"message": "Insufficient scope"})),
            ),
            ("odd body", Canned::json(200, json!({"tokens": "none"}))),
        ]
    }

    /// Issue 19.4: when the list cannot be had, a prefix that is not the configured token's is
    /// revoked, as `avn` revokes it, with a warning that the check could not be made.
    #[test]
    fn a_failed_list_does_not_stop_revoking_another_token() {
        for (what, reply) in failed_lists() {
            let server = server(reply);
            let out = revoke(&server, &[OTHER]);
            out.success();
            assert_eq!(out.stdout, "Revoked\n", "{what}");
            assert_eq!(out.stderr.lines().count(), 1, "{what}: {}", out.stderr);
            out.stderr_contains(&format!(
                "warning: revoked {OTHER} without checking that it is not the token in use"
            ));
            assert_eq!(
                deleted(&server),
                [format!("/v1/access_token/{OTHER}")],
                "{what}"
            );
        }
    }

    /// ... and the configured token itself (its prefix, a shorter one, or all of it) is still
    /// refused without `--force`, with nothing sent.
    #[test]
    fn a_failed_list_still_refuses_the_token_in_use() {
        for (what, reply) in failed_lists() {
            for wanted in [&IN_USE[..12], &IN_USE[..5], IN_USE] {
                let server = server(reply.clone());
                let out = revoke(&server, &[wanted]);
                out.code(1).one_line_error();
                out.stderr_contains("it is the token this command is using");
                assert!(!out.stderr.contains("rest+of"), "never more than a prefix");
                assert!(deleted(&server).is_empty(), "{what} {wanted}");
            }
            let server = server(reply.clone());
            revoke(&server, &[&IN_USE[..12], "--force"]).success();
            assert_eq!(deleted(&server).len(), 1, "{what}: --force revokes it");
        }
    }

    /// The same answers given to `avn`: both revoke, print `Revoked` and send the same DELETE.
    #[test]
    fn a_failed_list_revokes_as_avn_does() {
        let Some(avn) = avn_binary() else { return };
        for (what, reply) in failed_lists() {
            let (for_avn, for_us) = (server(reply.clone()), server(reply));
            let reference = Cmd::python(&avn)
                .url(for_avn.url())
                .args([
                    "--auth-token",
                    IN_USE,
                    "user",
                    "access-token",
                    "revoke",
                    OTHER,
                ])
                .run();
            let ours = cmd()
                .url(for_us.url())
                .args(["--auth-token", IN_USE, "--retry-budget", "0"])
                .args(["user", "access-token", "revoke", OTHER])
                .run();
            reference.success();
            ours.success();
            assert_eq!(ours.stdout, reference.stdout, "{what}");
            assert_eq!(deleted(&for_us), deleted(&for_avn), "{what}");
        }
    }

    fn listing() -> ScriptedServer {
        let mut in_use = token(&IN_USE[..12], "in use");
        in_use["currently_active"] = json!(true);
        server(Canned::json(
            200,
            json!({"tokens": [token(OTHER, "ci"), in_use]}),
        ))
    }

    /// Issue 19.11: `-o json` and `-o yaml` (and csv) print what was revoked for programs: the
    /// token's prefix as the list names it, never more of what was typed than a prefix.
    #[test]
    fn machine_formats_say_which_token_was_revoked() {
        let server = listing();
        let json = revoke(&server, &["Other", "-o", "json"]);
        json.success();
        assert_eq!(json.stdout, "{\n    \"revoked\": \"OtherToken12\"\n}\n");
        let parsed: Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(parsed, json!({"revoked": OTHER}));
        let yaml = revoke(&server, &[OTHER, "-o", "yaml"]);
        assert_eq!(yaml.success().stdout, "- revoked: \"OtherToken12\"\n");
        let csv = revoke(&server, &[OTHER, "-o", "csv"]);
        assert_eq!(csv.success().stdout, "revoked\r\nOtherToken12\r\n");
        // With --force nothing is listed: the prefix as typed, cut to a prefix's length.
        let whole = format!("{OTHER}/the+rest+of+it==");
        let forced = revoke(&server, &[&whole, "--force", "-o", "json"]);
        assert_eq!(
            forced.success().stdout,
            "{\n    \"revoked\": \"OtherToken12\"\n}\n"
        );
        assert!(!forced.stdout.contains("the+rest"));
    }

    /// `--json`, `avn`'s spelling, keeps `avn`'s `Revoked` (byte parity), as do the tables.
    #[test]
    fn avns_json_and_the_tables_print_revoked() {
        let server = listing();
        for format in [&["--json"][..], &["-o", "table"], &["-o", "pretty"], &[]] {
            let out = revoke(&server, &[&[OTHER][..], format].concat());
            assert_eq!(out.success().stdout, "Revoked\n", "{format:?}");
        }
    }
}
