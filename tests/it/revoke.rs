//! `revoke` from the user's side: the check that keeps the token in use (issue 19.4) and
//! the machine-readable result of `-o json|yaml|csv` (issue 19.11).

use serde_json::{Value, json};

use crate::support::server::{Canned, Request, ScriptedServer};
use crate::support::{Cmd, Run, avn_binary, cmd, token};

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

fn deletes(server: &ScriptedServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.method == "DELETE")
        .map(|request| request.path)
        .collect()
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
            deletes(&server),
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
            assert!(deletes(&server).is_empty(), "{what} {wanted}");
        }
        let server = server(reply.clone());
        revoke(&server, &[&IN_USE[..12], "--force"]).success();
        assert_eq!(deletes(&server).len(), 1, "{what}: --force revokes it");
    }
}

/// The same answers given to `avn`: both revoke, print `Revoked` and send the same DELETE.
#[test]
fn a_failed_list_revokes_as_avn_does() {
    let Some(avn) = avn_binary() else { return };
    for (what, reply) in failed_lists() {
        let (for_avn, for_us) = (server(reply.clone()), server(reply));
        let reference = Cmd::new(&avn)
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
        assert_eq!(deletes(&for_us), deletes(&for_avn), "{what}");
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
