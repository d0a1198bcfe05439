//! The sandbox refuses what the real API refuses (issue 9, sandbox items 6–10): scopes
//! enforced per operation, the published `max_age_seconds` range, `/v1/me` as `avn user
//! info` reads it, `POST /v1/me/logout`, and `error_code` in every error. The rules are in
//! `shared/reference/aiven-api-facts.md` ("Scopes", "Personal tokens", "`GET /v1/me`").
//! (The real `avn` against these rules is in `sandbox::avn`; the client's own refusal of a
//! `max_age_seconds` the API would refuse is in `create`.)

use serde_json::{Value, json};

use crate::support::sandbox::{Api, api, sandbox, scoped, token_path};

/// What a token restricted to `scopes` may do with tokens, in a sandbox of its own: (list,
/// create, update, revoke, expire all), each allowed (2xx) or refused (403
/// `insufficient_scope`). Expiring comes last: when allowed, it ends every token.
#[track_caller]
fn abilities(scopes: &[&str]) -> [bool; 5] {
    let sandbox = sandbox();
    let mut admin = api(&sandbox);
    let token = scoped(&mut admin, scopes);
    let mut own = Api::new(&sandbox.url(), &token);
    // Something to rename and revoke that is not the token itself.
    let victim = admin.create(r#"{"description":"victim"}"#);
    let victim = token_path(victim["token_prefix"].as_str().expect("prefix"));
    // What it creates keeps its scopes: a wider token is refused for another reason
    // (sandbox/scopes.rs).
    let mut create = json!({"description": "x"});
    if !scopes.is_empty() {
        create["scopes"] = json!(scopes);
    }
    [
        own.send("GET", "/v1/access_token", None),
        own.send("POST", "/v1/access_token", Some(&create.to_string())),
        own.send("PUT", &victim, Some(r#"{"description":"renamed"}"#)),
        own.send("DELETE", &victim, None),
        own.send("POST", "/v1/me/expire_tokens", None),
    ]
    .map(|answer| {
        if (200..300).contains(&answer.status) {
            return true;
        }
        let (_, code) = answer.error_with_code(403);
        assert_eq!(code, "insufficient_scope", "{scopes:?}");
        false
    })
}

#[test]
fn scopes_are_enforced_per_operation() {
    let read_only = [true, false, false, false, false];
    for (scopes, expected) in [
        (&["projects:read"][..], [false; 5]),
        (&["projects", "services:write", "billing"], [false; 5]),
        (&["user:read"], read_only),
        (&["authentication:read"], read_only),
        (&["user:write"], [true; 5]),
        (&["authentication"], [true; 5]),
        (&["projects:read", "authentication:write"], [true; 5]),
        (&["all"], [true; 5]),
        (&[], [true; 5]),
    ] {
        assert_eq!(abilities(scopes), expected, "{scopes:?}");
    }
}

#[test]
fn a_scoped_token_that_may_change_tokens_may_also_expire_them() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let token = scoped(&mut api, &["authentication:write"]);
    let mut own = Api::new(&sandbox.url(), &token);
    own.send("POST", "/v1/me/expire_tokens", None).ok();
    api.get("/v1/me").error(403);
}

#[test]
fn unknown_scopes_are_refused_at_create() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    for scopes in [
        json!(["projects:admin"]),
        json!(["users"]),
        json!(["all", "nope"]),
        json!([""]),
        json!(["USER:READ"]),
    ] {
        let body = json!({"description": "d", "scopes": scopes}).to_string();
        let answer = api.send("POST", "/v1/access_token", Some(&body));
        let (message, code) = answer.error_with_code(400);
        assert_eq!(code, "invalid_request");
        assert!(message.contains("scope"), "{message}");
    }
    assert_eq!(api.list().len(), 1, "nothing was created");
}

#[test]
fn me_needs_user_read_and_logout_needs_no_scope() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let reader = scoped(&mut api, &["user:read"]);
    Api::new(&sandbox.url(), &reader).get("/v1/me").ok();
    let other = scoped(&mut api, &["authentication"]);
    let (_, code) = Api::new(&sandbox.url(), &other)
        .get("/v1/me")
        .error_with_code(403);
    assert_eq!(code, "insufficient_scope");
    let organizations = Api::new(&sandbox.url(), &other).get("/v1/organizations");
    assert_eq!(organizations.error_with_code(403).1, "insufficient_scope");

    let narrow = scoped(&mut api, &["projects:read"]);
    let mut own = Api::new(&sandbox.url(), &narrow);
    let answer = own.send("POST", "/v1/me/logout", None).ok();
    assert!(answer.get("message").is_none_or(Value::is_string));
    let (_, code) = own.get("/v1/access_token").error_with_code(403);
    assert_eq!(
        code, "authentication_failed",
        "logged out: the token is gone"
    );
    let left: Vec<Value> = api
        .list()
        .iter()
        .map(|t| t["token_prefix"].clone())
        .collect();
    assert!(!left.contains(&Value::from(&narrow[..12])));
    assert_eq!(left.len(), 3, "only the calling token was revoked");
}

#[test]
fn max_age_seconds_is_the_published_range() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    for (value, seconds) in [("600", 600), ("3600.0", 3600), ("315360000", 315_360_000)] {
        let body = format!(r#"{{"description":"d","max_age_seconds":{value}}}"#);
        let created = api.create(&body);
        assert_eq!(created["max_age_seconds"], seconds, "{value}");
        api.revoke(created["token_prefix"].as_str().expect("prefix"));
    }
    for value in [
        "1",
        "300",
        "599",
        "599.9",
        "3600.5",
        "315360001",
        "-600",
        "\"3600\"",
        "true",
    ] {
        let body = format!(r#"{{"description":"d","max_age_seconds":{value}}}"#);
        let message = api.send("POST", "/v1/access_token", Some(&body)).error(400);
        assert!(message.contains("600"), "{value}: {message}");
    }
}

#[test]
fn every_error_carries_an_error_code() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let mut anonymous = crate::support::sandbox::Http::new(&sandbox.url());
    let missing = anonymous
        .call("GET", "/v1/me", None, None)
        .expect("an answer");
    assert_eq!(missing.error_with_code(403).1, "authentication_failed");
    for (answer, status, code) in [
        (api.get("/v1/nothing"), 404, "not_found"),
        (api.send("PATCH", "/v1/me", None), 405, "method_not_allowed"),
        (
            api.send("POST", "/v1/access_token", Some("{}")),
            400,
            "invalid_request",
        ),
        (api.revoke("nothingLikeIt"), 404, "token_not_found"),
    ] {
        assert_eq!(answer.error_with_code(status).1, code);
    }
    for n in 0..10 {
        api.create(&format!(r#"{{"description":"t{n}"}}"#));
    }
    let full = api.send("POST", "/v1/access_token", Some(r#"{"description":"x"}"#));
    assert_eq!(full.error_with_code(409).1, "token_limit_exceeded");
}
