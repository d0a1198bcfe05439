//! The sandbox speaks the Aiven access-token API like the real service: real HTTP on
//! 127.0.0.1:0, raw requests, every status and field checked.

use std::time::Duration;

use avn_token::sandbox::{BackgroundSandbox, Options, Sandbox};
use avn_token::secret::Secret;
use serde_json::Value;

use crate::support::sandbox::{Api, Http, api, sandbox, seeded_state, token_path};

/// A sandbox whose state holds exactly these tokens (the first is the session token).
fn seeded(dir: &tempfile::TempDir, tokens: &[(&str, bool)]) -> BackgroundSandbox {
    let path = dir.path().join("state.json");
    std::fs::write(&path, seeded_state(tokens)).expect("write state");
    BackgroundSandbox::start(Options {
        token: Some(Secret::new(tokens[0].0)),
        state: Some(path),
        ..Options::default()
    })
    .expect("start the sandbox")
}

/// `2021-08-16T16:26:10.123456Z`: UTC with microseconds, as the real service writes.
#[track_caller]
fn assert_api_time(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    let parsed = chrono::DateTime::parse_from_rfc3339(text).expect("an RFC 3339 time");
    assert_eq!(parsed.offset().local_minus_utc(), 0);
    assert_eq!(text.len(), "2021-08-16T16:26:10.123456Z".len(), "{text}");
    assert!(text.ends_with('Z'));
}

fn time(value: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a time")).expect("a time")
}

#[test]
fn the_session_token_is_listed_as_the_current_one() {
    let sandbox = sandbox();
    let token = sandbox.token();
    assert!(sandbox.url().starts_with("http://127.0.0.1:"));
    assert!(!sandbox.url().ends_with('/'));
    assert!(token.expose().len() > 300, "long like the real tokens");
    let tokens = api(&sandbox).list();
    assert_eq!(tokens.len(), 1);
    let session = &tokens[0];
    assert_eq!(session["token_prefix"], &token.expose()[..12]);
    assert_eq!(session["created_manually"], false);
    assert_eq!(session["currently_active"], true);
    assert_eq!(session["last_ip"], "127.0.0.1");
    assert_eq!(session["last_user_agent"], "sandbox-tests/1.0");
    assert_eq!(
        session["last_user_agent_human_readable"],
        "sandbox-tests 1.0"
    );
    for field in ["create_time", "expiry_time", "last_used_time"] {
        assert_api_time(&session[field]);
    }
    assert!(session.get("full_token").is_none(), "never shown in a list");
}

#[test]
fn create_returns_the_full_token_once_with_every_field() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let created = api.create(
        r#"{"description":"ci","max_age_seconds":null,"extend_when_used":false,
            "scopes":["user:read"],"ip_allowlist":["127.0.0.0/8","::1"]}"#,
    );
    let full = created["full_token"]
        .as_str()
        .expect("full_token")
        .to_owned();
    assert!(full.len() > 300);
    assert!(full.ends_with('='));
    assert!(
        full.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
    );
    assert_eq!(created["token_prefix"], &full[..12]);
    assert_eq!(created["description"], "ci");
    assert_eq!(created["created_manually"], true);
    assert_eq!(created["currently_active"], false);
    assert_eq!(created["extend_when_used"], false);
    assert_eq!(created["max_age_seconds"], 2_592_000, "30 days by default");
    let lifetime = time(&created["expiry_time"]) - time(&created["create_time"]);
    assert_eq!(lifetime.num_seconds(), 2_592_000);
    assert_eq!(created["scopes"], serde_json::json!(["user:read"]));
    assert_eq!(
        created["ip_allowlist"],
        serde_json::json!(["127.0.0.0/8", "::1"])
    );
    for field in ["last_used_time", "last_ip", "last_user_agent"] {
        assert_eq!(created[field], Value::Null, "{field}: not used yet");
    }

    let listed = api.list();
    let shown = listed
        .iter()
        .find(|t| t["token_prefix"] == created["token_prefix"])
        .expect("listed");
    assert!(shown.get("full_token").is_none());
    let mut expected = created.clone();
    expected.as_object_mut().map(|o| o.remove("full_token"));
    assert_eq!(shown, &expected);

    // The new token works, and is the current one when it calls.
    let mut own = Api::new(&sandbox.url(), &full);
    let seen = own.list();
    let me = seen
        .iter()
        .find(|t| t["currently_active"] == true)
        .expect("one current token");
    assert_eq!(me["token_prefix"], &full[..12]);
    assert_eq!(
        seen.iter()
            .filter(|t| t["currently_active"] == true)
            .count(),
        1
    );
}

#[test]
fn authentication_failures_are_403_in_the_api_shape() {
    let sandbox = sandbox();
    let mut http = Http::new(&sandbox.url());
    let missing = http
        .call("GET", "/v1/access_token", None, None)
        .expect("answer");
    missing.error(403);
    let unknown = http
        .call("GET", "/v1/access_token", Some("not-a-token"), None)
        .expect("answer");
    unknown.error(403);
    let token = sandbox.token();
    for header in [
        format!("Basic {}", token.expose()),
        "aivenv1".to_owned(),
        "aivenv1    ".to_owned(),
    ] {
        let request = format!("GET /v1/me HTTP/1.1\r\nhost: x\r\nauthorization: {header}\r\n\r\n");
        http.raw(request.as_bytes()).expect("answer").error(403);
    }
    // Revoked and expired tokens are refused too.
    let mut api = api(&sandbox);
    let revoked = api.create(r#"{"description":"to revoke"}"#);
    let revoked = revoked["full_token"].as_str().expect("token").to_owned();
    api.revoke(&revoked[..12]).ok();
    Api::new(&sandbox.url(), &revoked).get("/v1/me").error(403);
    // Every endpoint checks.
    for (method, path) in [
        ("GET", "/v1/me"),
        ("POST", "/v1/access_token"),
        ("PUT", "/v1/access_token/abc"),
        ("DELETE", "/v1/access_token/abc"),
        ("POST", "/v1/me/expire_tokens"),
    ] {
        let reply = http
            .call(method, path, None, Some(r#"{"description":"x"}"#))
            .expect("answer");
        reply.error(403);
    }
    assert_eq!(api.list().len(), 1, "nothing was created without auth");
}

#[test]
fn bad_requests_get_fitting_4xx_in_the_api_shape() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let long = format!(r#"{{"description":"{}"}}"#, "x".repeat(1001));
    for body in [
        "",
        "{",
        "[1]",
        "{}",
        r#"{"description":""}"#,
        r#"{"description":"   "}"#,
        r#"{"description":null}"#,
        r#"{"description":42}"#,
        long.as_str(),
        r#"{"description":"d","max_age_seconds":"3600"}"#,
        r#"{"description":"d","max_age_seconds":3600.5}"#,
        r#"{"description":"d","max_age_seconds":0}"#,
        r#"{"description":"d","max_age_seconds":-5}"#,
        r#"{"description":"d","max_age_seconds":315360001}"#,
        r#"{"description":"d","extend_when_used":1}"#,
        r#"{"description":"d","scopes":"user:read"}"#,
        r#"{"description":"d","scopes":[""]}"#,
        r#"{"description":"d","ip_allowlist":["10.0.0.0/33"]}"#,
        r#"{"description":"d","ip_allowlist":["not-an-ip"]}"#,
        r#"{"description":"d","ip_allowlist":"10.0.0.0/8"}"#,
    ] {
        let message = api.send("POST", "/v1/access_token", Some(body)).error(400);
        assert!(!message.contains("panic"), "{body}: {message}");
    }
    assert_eq!(api.list().len(), 1, "nothing was created");

    let ok = format!(
        r#"{{"description":"{}","max_age_seconds":315360000}}"#,
        "é".repeat(1000)
    );
    api.create(&ok);

    let prefix = token_path(&sandbox.token().expose()[..12]);
    api.send("PUT", &prefix, Some(r#"{"description":""}"#))
        .error(400);
    api.send("PUT", &prefix, Some("nope")).error(400);
    api.send(
        "PUT",
        "/v1/access_token/%FF%FE",
        Some(r#"{"description":"d"}"#),
    )
    .error(400);

    let huge = format!(r#"{{"description":"{}"}}"#, "x".repeat(70_000));
    api.send("POST", "/v1/access_token", Some(&huge)).error(413);

    api.get("/v1/nothing").error(404);
    api.get("/").error(404);
    api.get("/v1/access_token/a/b").error(404);
    let secret = sandbox.token().expose().replace('/', "_");
    let message = api.get(&format!("/v1/nothing/{secret}")).error(404);
    assert!(
        !message.contains(&secret[..12]),
        "no token echoed: {message}"
    );
    let wrong = api.send("PATCH", "/v1/access_token", None);
    wrong.error(405);
    assert_eq!(wrong.header("allow"), Some("GET, POST"));
    api.send("GET", "/v1/me/expire_tokens", None).error(405);
    // And the sandbox is still fine after all that.
    assert_eq!(api.list().len(), 2);
}

#[test]
fn ten_personal_tokens_at_most_and_the_session_token_does_not_count() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let mut prefixes = Vec::new();
    for n in 0..10 {
        let created = api.create(&format!(r#"{{"description":"token {n}"}}"#));
        prefixes.push(created["token_prefix"].as_str().expect("prefix").to_owned());
    }
    let message = api
        .send(
            "POST",
            "/v1/access_token",
            Some(r#"{"description":"eleventh"}"#),
        )
        .error(409);
    assert!(message.contains("10"), "{message}");
    assert_eq!(api.list().len(), 11);
    api.revoke(&prefixes[3]).ok();
    api.create(r#"{"description":"fits again"}"#);
}

#[test]
fn tokens_are_found_by_prefix_shorter_prefix_or_full_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = "S3ss/on+Tok=n0000000000000000000000000000000000==";
    let first = "ab/+=cdefghijAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
    let second = "ab/+=xyzxyzxBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB==";
    let sandbox = seeded(&dir, &[(session, false), (first, true), (second, true)]);
    let mut api = api(&sandbox);

    let ambiguous = api.send("PUT", &token_path("ab/+="), Some(r#"{"description":"x"}"#));
    assert!(ambiguous.error(409).contains("more than one"));
    api.revoke("ab").error(409);

    let renamed = api
        .send(
            "PUT",
            &token_path("ab/+=c"),
            Some(r#"{"description":"first"}"#),
        )
        .ok();
    assert_eq!(renamed["token_prefix"], "ab/+=cdefghi");
    assert_eq!(renamed["description"], "first");
    assert_eq!(renamed["currently_active"], false);
    // The path went over the wire encoded, and was recorded that way.
    let recorded = sandbox.requests();
    let put = recorded
        .iter()
        .rev()
        .find(|r| r.method == "PUT")
        .expect("recorded");
    assert_eq!(put.path, "/v1/access_token/ab%2F%2B%3Dc");
    assert_eq!(put.body, br#"{"description":"first"}"#);
    assert!(
        put.headers
            .iter()
            .any(|(name, value)| name == "authorization" && value == &format!("aivenv1 {session}"))
    );

    // Updating the current token says so.
    let own = api
        .send(
            "PUT",
            &token_path(&session[..12]),
            Some(r#"{"description":"me"}"#),
        )
        .ok();
    assert_eq!(own["currently_active"], true);

    api.revoke("ab/+=xyzxyzxBBB").error(404);
    api.revoke("nothing-like-it").error(404);
    api.send("DELETE", "/v1/access_token/", None).error(400);
    let revoked = api.revoke(second).ok();
    assert!(revoked["message"].is_string());
    api.revoke("ab/+=").ok();
    let left: Vec<Value> = api
        .list()
        .iter()
        .map(|t| t["token_prefix"].clone())
        .collect();
    assert_eq!(left, vec![Value::from(&session[..12])]);
}

#[test]
fn expired_tokens_are_hidden_and_refused() {
    // Tokens live at least 600 seconds (the API's minimum), so the expired one is seeded.
    let dir = tempfile::tempdir().expect("tempdir");
    let session = "S3ssionT0ken/for+expiry=tests00000000000000000000000==";
    let expired = "Exp1redT0ken/for+expiry=tests00000000000000000000000==";
    let mut state: Value =
        serde_json::from_str(&seeded_state(&[(session, false), (expired, true)]))
            .expect("seeded state");
    state["tokens"][1]["expiry_time"] = Value::from("2024-01-02T04:04:05.123456Z");
    state["tokens"][1]["max_age_seconds"] = Value::from(3600);
    let path = dir.path().join("state.json");
    std::fs::write(&path, state.to_string()).expect("write state");
    let sandbox = BackgroundSandbox::start(Options {
        token: Some(Secret::new(session)),
        state: Some(path),
        ..Options::default()
    })
    .expect("start the sandbox");
    let mut api = api(&sandbox);
    let listed = api.list();
    assert_eq!(listed.len(), 1, "expired tokens are not listed: {listed:?}");
    assert_eq!(listed[0]["token_prefix"], &session[..12]);
    Api::new(&sandbox.url(), expired).get("/v1/me").error(403);
    api.revoke(&expired[..12]).error(404);
}

#[test]
fn use_is_recorded_and_extends_tokens_that_ask_for_it() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let extending =
        api.create(r#"{"description":"e","max_age_seconds":600,"extend_when_used":true}"#);
    let fixed = api.create(r#"{"description":"f","max_age_seconds":600}"#);
    let mut with_extending = Api::new(&sandbox.url(), extending["full_token"].as_str().expect("t"));
    let mut with_fixed = Api::new(&sandbox.url(), fixed["full_token"].as_str().expect("t"));
    with_extending.http.user_agent = "aiven-client/4.18.0".into();
    std::thread::sleep(Duration::from_millis(20));
    with_extending.get("/v1/me").ok();
    with_fixed.get("/v1/me").ok();

    let tokens = api.list();
    let find = |prefix: &Value| {
        tokens
            .iter()
            .find(|t| &t["token_prefix"] == prefix)
            .expect("listed")
            .clone()
    };
    let extended = find(&extending["token_prefix"]);
    assert_eq!(extended["last_user_agent"], "aiven-client/4.18.0");
    assert_eq!(
        extended["last_user_agent_human_readable"],
        "aiven-client 4.18.0"
    );
    assert_eq!(extended["last_ip"], "127.0.0.1");
    let used = time(&extended["last_used_time"]);
    assert!(used > time(&extended["create_time"]));
    assert_eq!((time(&extended["expiry_time"]) - used).num_seconds(), 600);
    assert!(time(&extended["expiry_time"]) > time(&extending["expiry_time"]));

    let unextended = find(&fixed["token_prefix"]);
    assert_eq!(unextended["expiry_time"], fixed["expiry_time"]);
    assert_api_time(&unextended["last_used_time"]);
}

#[test]
fn me_names_the_user_with_the_apis_field_names() {
    let sandbox = sandbox();
    let me = api(&sandbox).get("/v1/me").ok();
    assert!(me["user"]["user"].as_str().is_some_and(|e| e.contains('@')));
    assert!(
        me["user"].get("user_email").is_none(),
        "the real API has no user_email: {me}"
    );
}

#[test]
fn expire_tokens_ends_every_token_including_the_callers() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let other = api.create(r#"{"description":"other"}"#);
    let answer = api.send("POST", "/v1/me/expire_tokens", None).ok();
    assert!(answer["message"].is_string());
    api.get("/v1/me").error(403);
    Api::new(&sandbox.url(), other["full_token"].as_str().expect("t"))
        .get("/v1/me")
        .error(403);
}

#[test]
fn a_revoked_calling_token_is_refused_from_then_on() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let token = sandbox.token();
    api.revoke(token.expose()).ok();
    api.get("/v1/access_token").error(403);
}

#[test]
fn every_request_is_recorded_in_order() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    api.get("/v1/me");
    api.send("POST", "/v1/access_token", Some(r#"{"description":"r"}"#));
    api.get("/v1/nowhere");
    let recorded = sandbox.requests();
    let seen: Vec<(&str, &str)> = recorded
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("GET", "/v1/me"),
            ("POST", "/v1/access_token"),
            ("GET", "/v1/nowhere")
        ]
    );
    assert!(
        recorded[0]
            .headers
            .iter()
            .all(|(name, _)| *name == name.to_lowercase())
    );
}

#[tokio::test]
async fn the_async_sandbox_serves_on_the_callers_runtime() {
    let sandbox = Sandbox::start(Options {
        token: Some(Secret::new("fixed/token+for=tests")),
        ..Options::default()
    })
    .await
    .expect("start");
    assert_eq!(sandbox.token().expose(), "fixed/token+for=tests");
    let url = sandbox.url();
    let reply =
        tokio::task::spawn_blocking(move || Api::new(&url, "fixed/token+for=tests").get("/v1/me"))
            .await
            .expect("client thread");
    reply.ok();
    assert_eq!(sandbox.requests().len(), 1);
    sandbox.shutdown().await;
}
