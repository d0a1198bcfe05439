//! What an outside tester found probing the release binary from the user's side against
//! the contract (SPEC §3–4, issues 8 and 11) after those issues were done: each test is a
//! case that got through, and is kept here so that it stays fixed.
//!
//! The token-echo cases of the same probing extend `hostile.rs` (its echo server covers
//! every command, format and trace).

use serde_json::json;

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Run, cmd, token};

/// Issue 11.3: input that cannot work fails before anything is sent (exit 2). An empty
/// token prefix or application-user ID made the item's URL the collection's:
/// `revoke "" --force` sent `DELETE /v1/access_token/`, `application-user delete ""`
/// sent `DELETE .../application-users/`. Blank ones are refused the same way in every
/// command, with the same words.
#[test]
fn a_blank_token_prefix_or_user_id_is_refused_before_sending() {
    let server = ScriptedServer::always(Canned::json(200, json!({"tokens": []})));
    for blank in ["", "  "] {
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec!["info", blank], "token prefix"),
            (vec!["revoke", blank], "token prefix"),
            (vec!["revoke", blank, "--force"], "token prefix"),
            (vec!["update", blank, "--description", "x"], "token prefix"),
            (vec!["rotate", blank, "--force"], "token prefix"),
            (
                vec!["application-user", "info", blank],
                "application user ID",
            ),
            (
                vec!["application-user", "update", blank, "--name", "n"],
                "application user ID",
            ),
            (
                vec!["application-user", "delete", blank, "--force"],
                "application user ID",
            ),
            (
                vec!["application-user", "token", "list", blank],
                "application user ID",
            ),
            (
                vec![
                    "application-user",
                    "token",
                    "create",
                    blank,
                    "--description",
                    "d",
                ],
                "application user ID",
            ),
            (
                vec!["application-user", "token", "info", blank, "AAAA"],
                "application user ID",
            ),
            (
                vec!["application-user", "token", "info", "u1", blank],
                "token prefix",
            ),
            (
                vec![
                    "application-user",
                    "token",
                    "revoke",
                    blank,
                    "AAAA",
                    "--force",
                ],
                "application user ID",
            ),
            (
                vec![
                    "application-user",
                    "token",
                    "revoke",
                    "u1",
                    blank,
                    "--force",
                ],
                "token prefix",
            ),
        ];
        for (args, what) in cases {
            let out = cmd()
                .api(&server)
                .env("AIVEN_ORGANIZATION_ID", "org1")
                .args(&args)
                .run();
            out.code(2).one_line_error();
            out.stderr_contains(&format!("the {what} must not be empty"));
        }
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

/// The quality bar: a failure says so in one `error:` line. A rotation whose revoke failed
/// said it twice (the details, then "rotation of ... is incomplete"); the one line keeps
/// the details. stdout holds the new token, which must not be lost (exit 1, as documented).
#[test]
fn a_rotation_whose_revoke_failed_says_so_once() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token("OLDtoken0000", "deploy")]})),
        "POST" => Canned::json(
            200,
            json!({"token_prefix": "NEWtoken0000", "full_token": "TkVXdG9rZW4wMDAw"}),
        ),
        _ => Canned::json(500, json!({"message": "cannot revoke right now"})),
    });
    for (format, out) in rotate_in_every_mode(&server) {
        out.code(1).stdout_contains("TkVXdG9rZW4wMDAw");
        assert_eq!(out.stderr.lines().count(), 1, "{format:?}: {}", out.stderr);
        out.stderr_contains("error: the new token was created")
            .stderr_contains("cannot revoke right now")
            .stderr_contains("STILL ACTIVE")
            .stderr_contains("avn-token revoke OLDtoken0000");
    }
}

/// Issue 11.3: an unknown prefix is exit 4 in every command, in one wording, which says
/// where the tokens are. For an application user's token it pointed at `avn-token list`,
/// your personal tokens, where the token is not either.
#[test]
fn an_unknown_prefix_of_an_application_users_token_points_at_that_users_tokens() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" if request.path.ends_with("/application-users") => Canned::json(
            200,
            json!({"application_users": [{"user_id": "u1", "name": "ci-bot"}]}),
        ),
        "GET" => Canned::json(200, json!({"tokens": [token("AAAAtoken000", "ci")]})),
        _ => Canned::json(404, json!({"message": "No access token matches prefix"})),
    });
    let app_user = ["--app-user", "u1", "--organization-id", "org1"];
    let cases: [&[&str]; 4] = [
        &["info", "ZZZZ"],
        &["rotate", "ZZZZ", "--force"],
        &["revoke", "ZZZZ", "--force"],
        &[
            "application-user",
            "token",
            "info",
            "u1",
            "ZZZZ",
            "--organization-id",
            "org1",
        ],
    ];
    for args in cases {
        let mut command = cmd().api(&server).args(args);
        if args[0] != "application-user" {
            command = command.args(app_user);
        }
        let out = command.run();
        out.code(4).one_line_error();
        assert_eq!(
            out.stderr,
            "error: no token matches prefix `ZZZZ`; `avn-token list --app-user u1 \
             --organization-id org1` shows that application user's tokens\n",
            "{args:?}"
        );
    }
}

/// The quality bar: a failure prints one `error:` line, with at most documented notes or
/// warnings. `audit` warned that your email could not be read (so your tokens are shown as
/// "you") before failing anyway; the warning is for a report, and comes only with one.
#[test]
fn audit_warns_about_your_email_only_when_it_reports() {
    for organizations in [
        Canned::json(500, json!({"message": "organizations are down"})),
        Canned::json(200, json!({"organizations": []})),
    ] {
        let failing = organizations.clone();
        let server = ScriptedServer::start(move |request| match request.path.as_str() {
            "/v1/me" => Canned::json(500, json!({"message": "me is down"})),
            "/v1/organizations" => failing.clone(),
            _ => Canned::json(200, json!({"tokens": [token("AAAAtoken000", "ci")]})),
        });
        let out = cmd()
            .api(&server)
            .args(["audit", "--retry-budget", "0"])
            .run();
        if matches!(organizations, Canned::Respond { status: 500, .. }) {
            out.code(1).one_line_error();
            out.stderr_contains("organizations are down");
        } else {
            // The token was never used: a finding, so exit 5, and the report names you "you".
            out.code(5).stdout_contains("you (user)");
            out.stderr_contains("warning: cannot read your email address");
        }
    }
}

/// `rotate OLDtoken0000` as a script (`-q`), a person (the table) and a pipeline (`-o json`).
fn rotate_in_every_mode(server: &ScriptedServer) -> Vec<(&'static [&'static str], Run)> {
    [&["-q"][..], &[], &["-o", "json"]]
        .into_iter()
        .map(|format| {
            let out = cmd()
                .api(server)
                .args(["rotate", "OLDtoken0000"])
                .args(format)
                .run();
            (format, out)
        })
        .collect()
}

/// Issue 8.2 (found after the probing above): `rotate` prints the new token once, on
/// stdout. A server that echoes it back in the revoke's error must not get it onto stderr
/// too (a CI log), in any output mode.
#[test]
fn rotate_keeps_the_new_token_out_of_later_messages() {
    const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0UGFydE9mVGhlTmV3VG9rZW4xMjM0NTY3ODkw";
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token("OLDtoken0000", "deploy")]})),
        "POST" => Canned::json(200, json!({"token_prefix": &NEW[..12], "full_token": NEW})),
        _ => Canned::json(
            500,
            json!({ "message": format!("cannot revoke: {NEW} is busy") }),
        ),
    });
    for (format, out) in rotate_in_every_mode(&server) {
        out.code(1)
            .stdout_contains(NEW)
            .stderr_contains("(redacted)");
        for window in NEW.as_bytes()[12..].windows(16) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(!out.stderr.contains(piece), "{format:?}: {}", out.stderr);
        }
    }
}

/// Issue 11.3: an argument too long to make a request of (a prefix of 70,000 characters,
/// longer than an HTTP URL may be) is the user's input to fix: exit 2, one line, nothing
/// sent. It was exit 1, "builder error", as if the network had failed.
#[test]
fn a_prefix_too_long_for_a_url_is_a_usage_error() {
    let server = ScriptedServer::always(Canned::json(200, json!({"message": "Revoked"})));
    let prefix = "A".repeat(70_000);
    let out = cmd()
        .api(&server)
        .args(["revoke", &prefix, "--force"])
        .run();
    out.code(2).one_line_error();
    out.stderr_contains("cannot make a request");
    assert!(server.requests().is_empty());
}
