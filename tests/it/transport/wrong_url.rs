//! A URL with no API behind it is not "no such token" (issue 19.8): exit 4 only when the
//! API says a token, application user or organization is missing; a 404 from a fixed
//! endpoint or in a shape that is not the API's (an HTML page, an empty body) is exit 1,
//! naming the URL requested and the base URL in use. (A host name that does not resolve is
//! unit-tested in `api::transport::failure`: a real lookup would leave the machine.)

use serde_json::json;

use crate::support::cmd;
use crate::support::sandbox::SandboxProcess;
use crate::support::server::{Canned, ScriptedServer};

const PREFIX: &str = "AbCdEfGhIjKl";

/// Every command that calls the API, with what it needs to get as far as its first call.
fn commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["list"],
        vec!["list", "--json"],
        vec!["create", "--description", "ci"],
        vec!["create", "--description", "ci", "-q"],
        vec!["info", PREFIX],
        vec!["update", PREFIX, "--description", "new"],
        vec!["revoke", PREFIX],
        vec!["revoke", PREFIX, "--force"],
        vec!["rotate", PREFIX],
        vec!["expire-all", "--yes"],
        vec!["user", "access-token", "list"],
        vec!["application-user", "list", "--organization-id", "org1"],
        vec![
            "application-user",
            "token",
            "list",
            "--organization-id",
            "org1",
            "u1",
        ],
        vec!["list", "--app-user", "u1", "--organization-id", "org1"],
        vec!["audit", "--organization-id", "org1"],
    ]
}

#[test]
fn a_page_that_is_not_the_api_is_exit_1_naming_the_urls_for_every_command() {
    for (what, reply) in [
        (
            "an HTML page",
            Canned::raw(
                404,
                "text/html",
                b"<!DOCTYPE html><html><body>Not Found</body></html>",
            ),
        ),
        ("an empty body", Canned::raw(404, "text/plain", b"")),
        (
            "JSON of another shape",
            Canned::json(404, json!({"detail": "nope"})),
        ),
    ] {
        let server = ScriptedServer::always(reply);
        let base = format!("{}/api", server.url());
        for args in commands() {
            let out = cmd().api(&server).url(&base).args(&args).run();
            out.code(1).one_line_error();
            out.stderr_contains(&format!("{base}/v1/"))
                .stderr_contains(&format!("API URL in use, {base} "))
                .stderr_contains("HTTP 404");
            assert!(
                !out.stderr.contains("no token matches"),
                "{what}, {args:?}: {}",
                out.stderr
            );
        }
    }
}

#[test]
fn the_apis_own_404_for_a_fixed_endpoint_is_a_wrong_url_too() {
    let server = ScriptedServer::always(Canned::json(
        404,
        json!({"message": "No such API endpoint", "errors": [{"message": "No such API endpoint", "status": 404}]}),
    ));
    // A token's own path answers the same 404 in the API's shape: the list that would name
    // the matching tokens reveals the wrong URL.
    for args in [
        vec!["list"],
        vec!["create", "--description", "ci"],
        vec!["expire-all", "--yes"],
        vec!["update", PREFIX, "--description", "new"],
        vec!["revoke", PREFIX, "--force"],
    ] {
        cmd()
            .api(&server)
            .args(&args)
            .run()
            .code(1)
            .one_line_error()
            .stderr_contains("No such API endpoint")
            .stderr_contains("check the API URL in use");
    }
}

/// The API saying a named thing is missing stays exit 4, worded as before, also when the
/// list that would name the tokens there are fails for another reason (your token's path is
/// the API's own: its 404 is the API's word).
#[test]
fn the_api_saying_a_token_is_missing_is_still_exit_4() {
    for list in [
        Canned::json(200, json!({"tokens": []})),
        Canned::json(500, json!({"message": "Internal error"})),
    ] {
        let server = ScriptedServer::start(move |request| {
            match (request.method.as_str(), request.path.as_str()) {
                ("GET", "/v1/access_token") => list.clone(),
                _ => Canned::json(
                    404,
                    json!({"message": "Token not found", "errors": [{"message": "Token not found", "status": 404}]}),
                ),
            }
        });
        for args in [
            vec!["update", PREFIX, "--description", "new"],
            vec!["revoke", PREFIX, "--force"],
        ] {
            cmd()
                .api(&server)
                .args(&args)
                .args(["--retry-budget", "0"])
                .run()
                .code(4)
                .one_line_error()
                .stderr_contains("no token matches prefix");
        }
    }
    let server =
        ScriptedServer::start(
            |request| match (request.method.as_str(), request.path.as_str()) {
                ("GET", "/v1/access_token") => Canned::json(200, json!({"tokens": []})),
                _ => Canned::json(404, json!({"message": "Token not found"})),
            },
        );
    cmd()
        .api(&server)
        .args(["info", PREFIX])
        .run()
        .code(4)
        .one_line_error()
        .stderr_contains("no token matches prefix");
}

/// The README's own mistake: `--url` ending in `/v1`, against the sandbox.
#[test]
fn a_base_url_ending_in_v1_against_the_sandbox_is_exit_1() {
    let sandbox = SandboxProcess::start(&[]);
    let wrong = format!("{}/v1", sandbox.url);
    for args in [
        vec!["list"],
        vec!["create", "--description", "ci", "-q"],
        vec!["revoke", PREFIX],
    ] {
        cmd()
            .token(&sandbox.token)
            .args(["--url", &wrong])
            .args(&args)
            .run()
            .code(1)
            .one_line_error()
            .stderr_contains(&format!("{wrong}/v1/access_token"))
            .stderr_contains(&format!("API URL in use, {wrong} "));
    }
    // Nothing was created by the create above: the sandbox holds only its own token.
    assert_eq!(sandbox.api().list().len(), 1);
}
