//! A restricted token cannot create a wider one in the sandbox (issue 18 item 6): a token
//! with scopes or an IP allowlist creates only tokens within all of its restrictions
//! (scopes, networks, lifetime), personal or application tokens alike, and is told why in
//! the API's error shape (403, `restriction_exceeded`). Aiven documents nothing about this;
//! the README says what the sandbox does and why.

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use crate::support::cmd;
use crate::support::sandbox::Api;

fn sandbox() -> BackgroundSandbox {
    BackgroundSandbox::start(Options::default()).expect("start the sandbox")
}

/// A token made by the session token with these fields; its full value.
fn token_with(sandbox: &BackgroundSandbox, fields: Value) -> String {
    let mut body = json!({"description": "restricted"});
    if let (Some(body), Some(fields)) = (body.as_object_mut(), fields.as_object()) {
        body.extend(fields.clone());
    }
    let created = Api::new(&sandbox.url(), sandbox.token().expose()).create(&body.to_string());
    created["full_token"]
        .as_str()
        .expect("full_token")
        .to_owned()
}

/// What creating `body` with `token` gives: `Ok(created)` or `Err(message)` for the 403.
fn create_with(
    sandbox: &BackgroundSandbox,
    token: &str,
    path: &str,
    body: Value,
) -> Result<Value, String> {
    let answer = Api::new(&sandbox.url(), token).send("POST", path, Some(&body.to_string()));
    if answer.status == 403 {
        let (message, code) = answer.error_with_code(403);
        assert_eq!(code, "restriction_exceeded", "{message}");
        return Err(message);
    }
    Ok(answer.ok())
}

const PERSONAL: &str = "/v1/access_token";

/// A token with `user:write` only, living at most an hour: what a CI job might be given.
fn user_write_for_an_hour(sandbox: &BackgroundSandbox) -> String {
    token_with(
        sandbox,
        json!({"scopes": ["user:write"], "max_age_seconds": 3600}),
    )
}

#[test]
fn a_scoped_token_creates_only_tokens_within_its_scopes_and_lifetime() {
    let sandbox = sandbox();
    let scoped = user_write_for_an_hour(&sandbox);
    let refused = [
        (
            json!({"description": "d", "max_age_seconds": 600}),
            "without scopes",
        ),
        (
            json!({"description": "d", "scopes": [], "max_age_seconds": 600}),
            "without scopes",
        ),
        (
            json!({"description": "d", "scopes": ["all"], "max_age_seconds": 600}),
            "'all'",
        ),
        (
            json!({"description": "d", "scopes": ["user"], "max_age_seconds": 600}),
            "'user'",
        ),
        (
            json!({"description": "d", "scopes": ["user:write", "projects:read"], "max_age_seconds": 600}),
            "'projects:read'",
        ),
        (
            json!({"description": "d", "scopes": ["user:write"]}),
            "default of 2592000",
        ),
        (
            json!({"description": "d", "scopes": ["user:write"], "max_age_seconds": 3601}),
            "at most 3600",
        ),
        (
            json!({"description": "d", "scopes": ["user:read"], "max_age_seconds": 600, "extend_when_used": true}),
            "extend",
        ),
    ];
    for (body, why) in refused {
        let message = create_with(&sandbox, &scoped, PERSONAL, body.clone())
            .expect_err(&format!("refused: {body}"));
        assert!(message.contains(why), "{body}: {message}");
    }
    let allowed = [
        json!({"description": "d", "scopes": ["user:write"], "max_age_seconds": 3600}),
        json!({"description": "d", "scopes": ["user:read"], "max_age_seconds": 600}),
        json!({"description": "d", "scopes": ["user:read", "user:write"], "max_age_seconds": 1200, "ip_allowlist": ["10.0.0.0/8"]}),
    ];
    for body in allowed {
        let created = create_with(&sandbox, &scoped, PERSONAL, body.clone())
            .unwrap_or_else(|message| panic!("{body}: {message}"));
        assert_eq!(created["scopes"], body["scopes"]);
    }
    // Only the three allowed were created, besides the scoped token and the session.
    let tokens = Api::new(&sandbox.url(), sandbox.token().expose()).list();
    assert_eq!(tokens.len(), 5);
}

#[test]
fn an_allowlisted_token_creates_only_tokens_within_its_networks() {
    let sandbox = sandbox();
    let fenced = token_with(
        &sandbox,
        json!({"ip_allowlist": ["127.0.0.0/8", "10.1.0.0/16"], "max_age_seconds": 7200, "extend_when_used": true}),
    );
    for (body, why) in [
        (
            json!({"description": "d", "max_age_seconds": 600}),
            "usable from anywhere",
        ),
        (
            json!({"description": "d", "max_age_seconds": 600, "ip_allowlist": ["0.0.0.0/0"]}),
            "0.0.0.0/0",
        ),
        (
            json!({"description": "d", "max_age_seconds": 600, "ip_allowlist": ["127.0.0.1", "10.0.0.0/8"]}),
            "10.0.0.0/8",
        ),
    ] {
        let message = create_with(&sandbox, &fenced, PERSONAL, body.clone())
            .expect_err(&format!("refused: {body}"));
        assert!(message.contains(why), "{body}: {message}");
    }
    // Narrower networks, any scopes (it has none to keep), extending as it does.
    let narrower = json!({"description": "d", "max_age_seconds": 7200, "extend_when_used": true,
                          "scopes": ["all"], "ip_allowlist": ["127.0.0.1", "10.1.2.0/24"]});
    create_with(&sandbox, &fenced, PERSONAL, narrower).expect("within its networks");
}

#[test]
fn application_tokens_are_held_to_the_creator_s_restrictions_too() {
    let sandbox = sandbox();
    let mut session = Api::new(&sandbox.url(), sandbox.token().expose());
    let org = session.get("/v1/organizations").ok()["organizations"][0]["organization_id"]
        .as_str()
        .expect("org")
        .to_owned();
    let user = session
        .send(
            "POST",
            &format!("/v1/organization/{org}/application-users"),
            Some(r#"{"name":"ci","is_super_admin":true}"#),
        )
        .ok();
    let path = format!(
        "/v1/organization/{org}/application-users/{}/access-tokens",
        user["user_id"].as_str().expect("user_id")
    );
    let scoped = token_with(
        &sandbox,
        json!({"scopes": ["authentication:write"], "max_age_seconds": 3600}),
    );
    // Without max_age_seconds an application token never expires: longer than an hour.
    let message = create_with(
        &sandbox,
        &scoped,
        &path,
        json!({"description": "d", "scopes": ["authentication:read"]}),
    )
    .expect_err("no expiry");
    assert!(message.contains("no expiry"), "{message}");
    let message = create_with(
        &sandbox,
        &scoped,
        &path,
        json!({"description": "d", "max_age_seconds": 600}),
    )
    .expect_err("unscoped");
    assert!(message.contains("without scopes"), "{message}");
    create_with(
        &sandbox,
        &scoped,
        &path,
        json!({"description": "d", "scopes": ["authentication:read"], "max_age_seconds": 600}),
    )
    .expect("within");
}

#[test]
fn an_unrestricted_token_still_creates_any_token() {
    let sandbox = sandbox();
    // The session token: no scopes, no allowlist, 30 days extending when used.
    let session = sandbox.token().expose().to_owned();
    let body = json!({"description": "ten years", "max_age_seconds": 315_360_000, "extend_when_used": true});
    create_with(&sandbox, &session, PERSONAL, body).expect("as on the real service");
    let unrestricted = token_with(&sandbox, json!({"max_age_seconds": 600}));
    create_with(
        &sandbox,
        &unrestricted,
        PERSONAL,
        json!({"description": "longer"}),
    )
    .expect("its lifetime alone restricts nothing");
}

#[test]
fn the_cli_says_why_and_a_scoped_token_can_still_rotate_itself() {
    let sandbox = sandbox();
    let scoped = user_write_for_an_hour(&sandbox);
    let out = cmd()
        .url(sandbox.url())
        .token(&scoped)
        .args(["create", "--description", "escape", "--expires-in", "1y"])
        .run();
    out.failure();
    out.one_line_error();
    out.stderr_contains("cannot create a token without scopes");
    assert_eq!(out.stdout, "");
    let longer = cmd()
        .url(sandbox.url())
        .token(&scoped)
        .args(["create", "--description", "escape", "--expires-in", "1y"])
        .args(["--scope", "user:write"])
        .run();
    longer.failure();
    longer.stderr_contains("at most 3600");

    let made = cmd()
        .url(sandbox.url())
        .token(&scoped)
        .args([
            "create",
            "--description",
            "narrow",
            "--expires-in",
            "30m",
            "--scope",
            "user:read",
            "-q",
        ])
        .run();
    made.success();

    // The replacement has the same scopes and maximum age: not wider.
    let rotated = cmd()
        .url(sandbox.url())
        .token(&scoped)
        .args(["rotate", &scoped[..12], "--force", "--yes", "-q"])
        .run();
    rotated.success();
    let new = rotated.stdout.trim();
    let me = Api::new(&sandbox.url(), new).list();
    let replacement = me
        .iter()
        .find(|t| t["currently_active"] == true)
        .expect("the replacement is listed");
    assert_eq!(replacement["scopes"], json!(["user:write"]));
    assert_eq!(replacement["max_age_seconds"], 3600);
}
