//! The sandbox's organization and application users (issue 10 §4), over real HTTP: the
//! shapes of `shared/reference/aiven-api-facts.md` ("Application users"), tokens that
//! authenticate as their user, revocation and deletion. (Persistence is in
//! `sandbox::persistence`, the real `avn` driving them in `sandbox::avn`.)

use serde_json::{Value, json};

use crate::support::sandbox::{
    Api, api, create_app_token, create_user, organization, sandbox, users_path,
};

/// `user_id`, with `%2F`-style encoding for anything but the unreserved characters.
fn encode(segment: &str) -> String {
    crate::support::sandbox::token_path(segment)
        .trim_start_matches("/v1/access_token/")
        .to_owned()
}

#[track_caller]
fn app_tokens(api: &mut Api, org: &str, user_id: &str) -> Vec<Value> {
    let path = users_path(org, &format!("/{user_id}/access-tokens"));
    match api.get(&path).ok()["tokens"].take() {
        Value::Array(tokens) => tokens,
        other => panic!("tokens is not a list: {other}"),
    }
}

/// Keys and JSON types of an application user (facts file; GC `ApplicationUserOut`).
#[track_caller]
fn assert_user_shape(user: &Value) {
    let object = user.as_object().expect("an object");
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "create_time",
            "is_super_admin",
            "name",
            "user_email",
            "user_id"
        ]
    );
    assert!(user["is_super_admin"].is_boolean());
    assert!(user["user_email"].as_str().is_some_and(|e| e.contains('@')));
    let created = user["create_time"].as_str().expect("a time");
    chrono::DateTime::parse_from_rfc3339(created).expect("an RFC 3339 time");
}

#[test]
fn one_organization_with_every_required_field() {
    let sandbox = sandbox();
    let answer = api(&sandbox).get("/v1/organizations").ok();
    let organizations = answer["organizations"].as_array().expect("a list");
    assert_eq!(organizations.len(), 1);
    let organization = &organizations[0];
    for key in [
        "account_id",
        "create_time",
        "organization_id",
        "organization_name",
        "tier",
        "update_time",
    ] {
        assert!(organization[key].is_string(), "{key} in {organization}");
    }
    assert!(["business", "personal"].contains(&organization["tier"].as_str().unwrap_or("")));
}

#[test]
fn application_users_are_created_read_renamed_and_deleted() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let org = organization(&mut api);
    let name = r#"ci "deploy" bot's 🚀"#;
    let created = create_user(&mut api, &org, json!({"name": name}));
    assert_user_shape(&created);
    assert_eq!(created["name"], name);
    assert_eq!(created["is_super_admin"], false);
    let user_id = created["user_id"].as_str().expect("an ID").to_owned();
    let admin = create_user(
        &mut api,
        &org,
        json!({"name": name, "is_super_admin": true}),
    );
    assert_eq!(admin["is_super_admin"], true);
    assert_ne!(admin["user_id"], created["user_id"], "same name, two users");

    let one = api.get(&users_path(&org, &format!("/{user_id}"))).ok();
    assert_eq!(one, created);
    let listed = api.get(&users_path(&org, "")).ok();
    assert_eq!(listed["application_users"], json!([created, admin]));

    let path = users_path(&org, &format!("/{user_id}"));
    let renamed = api.send("PATCH", &path, Some(r#"{"name":"renamed"}"#)).ok();
    assert_user_shape(&renamed);
    assert_eq!(renamed["name"], "renamed");
    assert_eq!(renamed["is_super_admin"], false);
    assert_eq!(renamed["user_id"], created["user_id"]);
    let promoted = api
        .send(
            "PATCH",
            &path,
            Some(r#"{"name":"renamed","is_super_admin":true}"#),
        )
        .ok();
    assert_eq!(promoted["is_super_admin"], true);

    api.send("DELETE", &path, None).no_content();
    let (_, code) = api.get(&path).error_with_code(404);
    assert_eq!(code, "application_user_not_found");
    let left = api.get(&users_path(&org, "")).ok();
    assert_eq!(left["application_users"].as_array().map(Vec::len), Some(1));
}

#[test]
fn bad_requests_and_unknown_things_get_the_apis_errors() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let org = organization(&mut api);
    let user = create_user(&mut api, &org, json!({"name": "bot"}));
    let user_id = user["user_id"].as_str().expect("an ID");

    for body in [
        "",
        "[]",
        "{}",
        r#"{"name":""}"#,
        r#"{"name":"  "}"#,
        r#"{"name":7}"#,
        r#"{"name":"x","is_super_admin":"yes"}"#,
    ] {
        api.send("POST", &users_path(&org, ""), Some(body))
            .error(400);
    }
    let long = json!({"name": "x".repeat(257)}).to_string();
    api.send("POST", &users_path(&org, ""), Some(&long))
        .error(400);

    for (path, code) in [
        (users_path("org0000000000", ""), "organization_not_found"),
        (
            users_path("org0000000000", &format!("/{user_id}")),
            "organization_not_found",
        ),
        (
            users_path(&org, "/u000000000000"),
            "application_user_not_found",
        ),
        (
            users_path(&org, "/u000000000000/access-tokens"),
            "application_user_not_found",
        ),
    ] {
        assert_eq!(api.get(&path).error_with_code(404).1, code, "{path}");
    }
    // An unknown ID is named as given, but never more of it than a token prefix (it may be
    // a token given by mistake), and a cut is marked: it must not read as a wrong ID.
    for (given, named) in [("u1", "u1"), ("u000000000000", "u00000000000…")] {
        let message = api.get(&users_path(&org, &format!("/{given}"))).error(404);
        assert_eq!(message, format!("Application user {named} not found"));
    }
    let tokens = users_path(&org, &format!("/{user_id}/access-tokens"));
    for body in [
        "{}",
        r#"{"description":"d","max_age_seconds":300}"#,
        r#"{"description":"d","scopes":["nope"]}"#,
        r#"{"description":"d","ip_allowlist":["not-an-ip"]}"#,
    ] {
        api.send("POST", &tokens, Some(body)).error(400);
    }
    let (_, code) = api
        .send("DELETE", &format!("{tokens}/nothingLikeIt"), None)
        .error_with_code(404);
    assert_eq!(code, "token_not_found");
    let wrong = api.send("PUT", &tokens, Some("{}"));
    wrong.error(405);
    assert_eq!(wrong.header("allow"), Some("GET, POST"));
    api.send("PUT", &users_path(&org, &format!("/{user_id}")), None)
        .error(405);
    api.get(&format!("{tokens}/a/b")).error(404);
    assert!(
        app_tokens(&mut api, &org, user_id).is_empty(),
        "nothing created"
    );
}

#[test]
fn application_tokens_act_as_their_user_until_revoked() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let org = organization(&mut api);
    let user = create_user(&mut api, &org, json!({"name": "ci"}));
    let user_id = user["user_id"].as_str().expect("an ID").to_owned();

    // No maximum age: an application token never expires.
    let created = create_app_token(&mut api, &org, &user_id, json!({"description": "forever"}));
    let mut keys: Vec<&String> = created.as_object().expect("an object").keys().collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["full_token", "token_prefix"],
        "the facts file's create result"
    );
    let full = created["full_token"].as_str().expect("a token").to_owned();
    assert_eq!(created["token_prefix"], &full[..12]);
    let limited = create_app_token(
        &mut api,
        &org,
        &user_id,
        json!({"description": "limited", "max_age_seconds": 3600.0, "extend_when_used": true,
               "scopes": ["user:read"], "ip_allowlist": ["127.0.0.0/8"]}),
    );

    let listed = app_tokens(&mut api, &org, &user_id);
    assert_eq!(listed.len(), 2);
    let forever = &listed[0];
    assert_eq!(forever["token_prefix"], created["token_prefix"]);
    assert_eq!(forever["description"], "forever");
    assert_eq!(forever["expiry_time"], Value::Null);
    assert_eq!(forever["max_age_seconds"], Value::Null);
    assert_eq!(forever["created_manually"], true);
    assert_eq!(forever["currently_active"], false);
    assert!(forever.get("full_token").is_none());
    let with_age = &listed[1];
    assert_eq!(with_age["token_prefix"], limited["token_prefix"]);
    assert_eq!(with_age["max_age_seconds"], 3600);
    assert!(with_age["expiry_time"].is_string());
    assert_eq!(with_age["scopes"], json!(["user:read"]));
    assert_eq!(with_age["ip_allowlist"], json!(["127.0.0.0/8"]));
    assert!(
        api.list()
            .iter()
            .all(|t| t["token_prefix"] != created["token_prefix"]),
        "application tokens are not the user's personal tokens"
    );

    // The token authenticates as its application user.
    let mut bot = Api::new(&sandbox.url(), &full);
    let me = bot.get("/v1/me").ok();
    assert_eq!(me["user"]["user"], user["user_email"]);
    assert_eq!(me["user"]["user_id"], user["user_id"]);
    assert_eq!(me["user"]["real_name"], "ci");
    let own = bot.list();
    assert_eq!(
        own.len(),
        2,
        "GET /v1/access_token lists the caller's own tokens"
    );
    assert_eq!(
        own.iter()
            .find(|t| t["currently_active"] == true)
            .map(|t| t["token_prefix"].clone()),
        Some(created["token_prefix"].clone())
    );
    assert_eq!(
        bot.get("/v1/organizations").ok()["organizations"][0]["organization_id"],
        org.as_str()
    );
    // Not a super admin: it may not manage application users.
    let (_, code) = bot.get(&users_path(&org, "")).error_with_code(403);
    assert_eq!(code, "permission_denied");

    // Revoked: refused from then on, with 403.
    let prefix = created["token_prefix"].as_str().expect("prefix");
    let path = users_path(
        &org,
        &format!("/{user_id}/access-tokens/{}", encode(prefix)),
    );
    api.send("DELETE", &path, None).no_content();
    let (_, code) = bot.get("/v1/me").error_with_code(403);
    assert_eq!(code, "authentication_failed");
    api.send("DELETE", &path, None).error(404);
    assert_eq!(app_tokens(&mut api, &org, &user_id).len(), 1);
}

#[test]
fn a_super_admin_application_user_manages_application_users() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let org = organization(&mut api);
    let admin = create_user(
        &mut api,
        &org,
        json!({"name": "admin", "is_super_admin": true}),
    );
    let admin_id = admin["user_id"].as_str().expect("an ID");
    let token = create_app_token(&mut api, &org, admin_id, json!({"description": "t"}));
    let mut admin_api = Api::new(&sandbox.url(), token["full_token"].as_str().expect("t"));
    let made = create_user(&mut admin_api, &org, json!({"name": "made by a bot"}));
    let listed = api.get(&users_path(&org, "")).ok();
    assert_eq!(listed["application_users"][1], made);
}

#[test]
fn deleting_a_user_revokes_its_tokens_and_the_quota_is_for_personal_tokens() {
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let org = organization(&mut api);
    let user = create_user(&mut api, &org, json!({"name": "many"}));
    let user_id = user["user_id"].as_str().expect("an ID").to_owned();
    // Ten personal tokens fill the user's quota; application tokens are not part of it.
    for n in 0..10 {
        api.create(&format!(r#"{{"description":"personal {n}"}}"#));
    }
    let mut tokens = Vec::new();
    for n in 0..12 {
        let body = json!({"description": format!("app {n}")});
        let created = create_app_token(&mut api, &org, &user_id, body);
        tokens.push(created["full_token"].as_str().expect("t").to_owned());
    }
    assert_eq!(app_tokens(&mut api, &org, &user_id).len(), 12);
    Api::new(&sandbox.url(), &tokens[11]).get("/v1/me").ok();

    api.send("DELETE", &users_path(&org, &format!("/{user_id}")), None)
        .no_content();
    for token in &tokens {
        Api::new(&sandbox.url(), token).get("/v1/me").error(403);
    }
    assert_eq!(api.list().len(), 11, "the personal tokens are untouched");
}
