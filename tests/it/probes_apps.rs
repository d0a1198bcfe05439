//! What an outside tester found probing the release binary against issues 10 and 11
//! (application users, audit; the CLI as a new user meets it) after both were done: each
//! test is a case that got through, kept here so that it stays fixed.

use serde_json::json;

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{cmd, token};

const ORG: &str = "org1a2b3c4d";

/// Issue 11.3: "An ambiguous prefix is exit 2 for every command, naming the matching tokens
/// (when the API answers 409 for it, list the tokens to name them). An unknown prefix is
/// exit 4 for every command, naming the prefix exactly as typed. One wording for each
/// message." `application-user token revoke` passed the API's 409 through as exit 1, where
/// `revoke --app-user` names the tokens (exit 2). Its 404 stays in the API's words (exit 4):
/// it may be about the user, and `avn`'s requests are sent, no more.
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
        .stderr_contains("prefix 'zz'");
    revoke("u9", "zz")
        .code(4)
        .one_line_error()
        .stderr_contains("Application user not found");
}
