//! The sandbox refuses what the real API refuses (issue 9, sandbox items 6–10), and the
//! client refuses the same `max_age_seconds` before sending: scopes enforced per
//! operation, the published `max_age_seconds` range, `/v1/me` as `avn user info` reads it,
//! `POST /v1/me/logout`, and `error_code` in every error; the real `avn` against all of it.
//! The rules are in `shared/reference/aiven-api-facts.md` ("Scopes", "Personal tokens",
//! "`GET /v1/me`").

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use crate::support::sandbox::{Api, Avn, token_path};
use crate::support::{Cmd, avn_binary, cmd, credentials_file};

fn sandbox() -> BackgroundSandbox {
    BackgroundSandbox::start(Options::default()).expect("start the sandbox")
}

fn api(sandbox: &BackgroundSandbox) -> Api {
    Api::new(&sandbox.url(), sandbox.token().expose())
}

/// A new token restricted to `scopes` (an empty list: none given); its full value.
#[track_caller]
fn scoped(api: &mut Api, scopes: &[&str]) -> String {
    let mut body = json!({"description": format!("scoped {scopes:?}")});
    if !scopes.is_empty() {
        body["scopes"] = json!(scopes);
    }
    let created = api.create(&body.to_string());
    assert_eq!(
        created["scopes"],
        if scopes.is_empty() {
            Value::Null
        } else {
            json!(scopes)
        }
    );
    created["full_token"].as_str().expect("a token").to_owned()
}

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
    // (sandbox_scopes.rs).
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
fn the_client_refuses_a_max_age_the_api_would_refuse_and_sends_nothing() {
    let sandbox = sandbox();
    let token = sandbox.token().expose().to_owned();
    for flags in [
        &["--max-age-seconds", "300"][..],
        &["--max-age-seconds", "599"],
        &["--max-age-seconds", "315360001"],
        &["--max-age-seconds", "-1"],
        &["--expires-in", "5m"],
        &["--expires-in", "11y"],
    ] {
        let out = cmd()
            .url(sandbox.url())
            .token(&token)
            .args(["create", "--description", "d"])
            .args(flags)
            .run();
        out.code(2).one_line_error();
        out.stderr_contains("600");
    }
    assert!(sandbox.requests().is_empty(), "nothing was sent");
    for flags in [&["--max-age-seconds", "600"][..], &["--expires-in", "10m"]] {
        cmd()
            .url(sandbox.url())
            .token(&token)
            .args(["create", "--description", "d", "-q"])
            .args(flags)
            .run()
            .success();
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

#[test]
fn the_real_avn_user_info_logout_max_age_and_a_scoped_session() {
    let Some(program) = avn_binary() else {
        return;
    };
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let session = sandbox.token().expose().to_owned();
    let avn = Avn {
        program,
        url: sandbox.url(),
    };

    // `avn user info` reads every field it shows (it crashed with KeyError before).
    let info = avn.ok(&session, &["user", "info"]);
    assert!(info.contains("developer@sandbox.invalid"), "{info}");
    assert!(info.starts_with("USER"), "{info}");
    let json = avn.json(&session, &["user", "info", "--json"]);
    for key in [
        "user",
        "real_name",
        "state",
        "token_validity_begin",
        "projects",
        "auth",
    ] {
        assert!(json[0].get(key).is_some(), "{key} in {json}");
    }

    // A maximum age under ten minutes is refused by the service, so nothing is created.
    let refused = avn.run(
        &session,
        &[
            "user",
            "access-token",
            "create",
            "--description",
            "too short",
            "--max-age-seconds",
            "300",
        ],
    );
    refused.failure();
    assert_eq!(refused.stdout, "");
    assert_eq!(api.list().len(), 1);

    // A session with tokens of different scopes.
    let narrow = scoped(&mut api, &["projects:read"]);
    let reader = scoped(&mut api, &["user:read"]);
    let manager = scoped(&mut api, &["authentication"]);
    let list = ["user", "access-token", "list", "--json"];
    let create = [
        "user",
        "access-token",
        "create",
        "--description",
        "by scope",
    ];
    avn.run(&narrow, &list).failure();
    avn.run(&narrow, &create).failure();
    let listed = avn.json(&reader, &list);
    assert_eq!(listed.as_array().map(Vec::len), Some(4));
    avn.run(&reader, &create).failure();
    // avn sends no scopes: an unscoped token is wider than the manager (sandbox_scopes.rs).
    let wider = avn.run(&manager, &create);
    wider.failure();
    wider.stderr_contains("cannot create a token without scopes");
    avn.run(&manager, &["user", "info"]).failure();
    assert_eq!(api.list().len(), 4, "none of them created one");

    // `avn user logout` revokes the token it is given (with DELETE /v1/access_token/TOKEN,
    // which a read-only token may not call, as against the real API).
    avn.run(&reader, &["user", "logout"]).failure();
    avn.ok(&manager, &["user", "logout"]);
    avn.run(&manager, &list).failure();
    let prefixes: Vec<Value> = api
        .list()
        .iter()
        .map(|t| t["token_prefix"].clone())
        .collect();
    assert!(!prefixes.contains(&Value::from(&manager[..12])));
    assert!(prefixes.contains(&Value::from(&reader[..12])));
}

/// `avn user login --token` stores the token, then reads the user's projects
/// (`GET /v1/project`, scope `projects:read`: OA `ProjectList`) to pick a default one: the
/// sandbox's user has none, and says so, so the login succeeds; `avn user logout` then
/// revokes the token.
#[test]
fn the_real_avn_logs_in_with_a_token_and_out() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let projects = api.get("/v1/project").ok();
    assert_eq!(
        projects,
        json!({"project_membership": {}, "project_memberships": {}, "projects": []})
    );
    let narrow = scoped(&mut api, &["user:read"]);
    let refused = Api::new(&sandbox.url(), &narrow).get("/v1/project");
    assert_eq!(refused.error_with_code(403).1, "insufficient_scope");
    let reader = scoped(&mut api, &["projects:read"]);
    Api::new(&sandbox.url(), &reader).get("/v1/project").ok();

    let Some(program) = avn_binary() else {
        return;
    };
    let token = scoped(&mut api, &[]);
    let home = tempfile::tempdir().expect("a HOME");
    let avn = |args: &[&str]| {
        Cmd::new(&program)
            .home(home.path())
            .url(sandbox.url())
            .env("AIVEN_AUTH_TOKEN", &token)
            .args(args)
            .run()
    };
    avn(&["user", "login", "me@example.com", "--token"]).success();
    let stored = std::fs::read_to_string(credentials_file(home.path())).expect("credentials");
    assert!(stored.contains(&token), "{stored}");
    avn(&["user", "logout"]).success();
    assert!(!credentials_file(home.path()).exists());
    let prefixes: Vec<Value> = api
        .list()
        .iter()
        .map(|t| t["token_prefix"].clone())
        .collect();
    assert!(
        !prefixes.contains(&Value::from(&token[..12])),
        "{prefixes:?}"
    );
}
