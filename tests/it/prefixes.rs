//! Naming a token by prefix, in every command that takes one (issue 11.3): an ambiguous
//! prefix is exit 2 naming the tokens, an unknown one exit 4 naming it as typed (and where
//! the tokens are, for an application user's), a blank one or one too long for a URL a
//! usage error before anything is sent; a full token is never printed.

use serde_json::json;

use crate::support::fakes::prefix_api;
use crate::support::org::ORG;
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{TOKEN, cmd, token};

/// Every command that names a token by prefix answers `prefix` with `code` and exactly the
/// error line `expected`.
fn every_prefix_command_says(server: &ScriptedServer, prefix: &str, code: i32, expected: &str) {
    let cases = [
        vec!["info", prefix],
        vec!["rotate", prefix],
        vec!["revoke", prefix],
        vec!["revoke", prefix, "--force"],
        vec!["update", prefix, "--description", "x"],
    ];
    for args in cases {
        let out = cmd().api(server).args(&args).run();
        out.code(code).one_line_error();
        assert_eq!(out.stderr, format!("error: {expected}\n"), "{args:?}");
    }
}

#[test]
fn an_ambiguous_prefix_exits_2_naming_the_tokens_in_every_command() {
    let server = prefix_api(vec![
        token("ABCDtoken001", "one"),
        token("ABCDtoken002", "two"),
        token("ZZZZtoken000", "other"),
    ]);
    let expected =
        "prefix `ABCD` matches 2 tokens (ABCDtoken001, ABCDtoken002); give more characters";
    every_prefix_command_says(&server, "ABCD", 2, expected);
    assert!(
        server.requests().iter().all(|r| r.method != "POST"),
        "nothing created"
    );
}

#[test]
fn an_unknown_prefix_exits_4_naming_it_as_typed_in_every_command() {
    let server = prefix_api(vec![token("ZZZZtoken000", "other")]);
    let expected = "no token matches prefix `nope`; `avn-token list` shows your tokens";
    every_prefix_command_says(&server, "nope", 4, expected);
    // A whole token is named by its first 12 characters only: never print a secret.
    for args in [vec!["info", TOKEN], vec!["revoke", TOKEN, "--force"]] {
        let out = cmd().api(&server).args(&args).run();
        out.code(4);
        out.stderr_contains(&format!("prefix `{}…`", &TOKEN[..12]));
        assert!(!out.stderr.contains(&TOKEN[..13]), "{}", out.stderr);
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

/// Issue 11.3: "An ambiguous prefix is exit 2 for every command, naming the matching tokens
/// (when the API answers 409 for it, list the tokens to name them). An unknown prefix is
/// exit 4 for every command, naming the prefix exactly as typed. One wording for each
/// message." `application-user token revoke` passed the API's 409 through as exit 1, where
/// `revoke --app-user` names the tokens (exit 2), and its 404 in the API's words. A 404 may
/// be about the user: it stays in the API's words when the user's tokens cannot be listed.
/// `avn`'s requests are sent first; the list only after a failure, to explain it.
#[test]
fn application_user_token_revoke_words_prefix_errors_as_every_command() {
    let tokens_path = format!("/v1/organization/{ORG}/application-users/u1/access-tokens");
    let server = ScriptedServer::start(move |request| {
        let path = request.path.as_str();
        match request.method.as_str() {
            "GET" if path == tokens_path => Canned::json(
                200,
                json!({"tokens": [token("Wp1srdCs9SC1", "a"), token("WpUau1WvKYrT", "b")]}),
            ),
            "DELETE" if path.ends_with("/Wp") => Canned::json(
                409,
                json!({"message": "Prefix 'Wp' matches more than one access token"}),
            ),
            "DELETE" if path.starts_with(&format!("{tokens_path}/")) => Canned::json(
                404,
                json!({"message": "No access token matches prefix 'zz'"}),
            ),
            _ => Canned::json(404, json!({"message": "Application user not found"})),
        }
    });
    let revoke = |user: &str, prefix: &str| {
        cmd()
            .api(&server)
            .args([
                "application-user",
                "token",
                "revoke",
                "--organization-id",
                ORG,
            ])
            .args([user, prefix, "--force"])
            .run()
    };
    revoke("u1", "Wp")
        .code(2)
        .one_line_error()
        .stderr_contains("prefix `Wp` matches 2 tokens (Wp1srdCs9SC1, WpUau1WvKYrT)");
    revoke("u1", "zz")
        .code(4)
        .one_line_error()
        .stderr_contains("no token matches prefix `zz`")
        .stderr_contains("avn-token list --app-user u1");
    revoke("u9", "zz")
        .code(4)
        .one_line_error()
        .stderr_contains("Application user not found");
}

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

#[test]
fn unknown_prefixes_are_not_found_for_every_command() {
    let env = SandboxEnv::new();
    env.run(&["info", "doesNotExist"]).code(4).one_line_error();
    env.run(&["update", "doesNotExist", "--description", "x"])
        .code(4)
        .one_line_error();
    env.run(&["revoke", "doesNotExist"])
        .code(4)
        .one_line_error();
    env.run(&["rotate", "doesNotExist"])
        .code(4)
        .one_line_error();
}
