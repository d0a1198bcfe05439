//! The real `avn` (aiven-client 4.18.0) against the sandbox, unchanged: personal tokens
//! (create, list, update, revoke by prefix and by full token, a revoked token refused),
//! application users and their tokens, `user info`, `user logout`, the `max_age_seconds`
//! range and a scoped session, `user login`.
//!
//! `avn` is found through `$AVN_BIN` or `.venv/bin/avn` (CI installs it there). Without it
//! these tests say so loudly and pass locally; with `CI` set they fail.

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use crate::support::sandbox::{Api, Avn, api, organization, sandbox, scoped, token_path};
use crate::support::{Cmd, avn_binary, credentials_file};

/// `user access-token ARGS...`
fn access<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["user", "access-token"], args].concat()
}

#[test]
fn the_real_avn_works_against_the_sandbox() {
    let Some(program) = avn_binary() else {
        return;
    };
    let sandbox = BackgroundSandbox::start(Options::default()).expect("start");
    let avn = Avn {
        program,
        url: sandbox.url(),
    };
    let session = sandbox.token().expose().to_owned();

    // create: the table has the full token; --json the whole object.
    let table = avn.ok(
        &session,
        &access(&[
            "create",
            "--description",
            "made by avn",
            "--max-age-seconds",
            "3600",
        ]),
    );
    let header = table.lines().next().unwrap_or_default();
    assert!(header.starts_with("EXPIRY_TIME"), "{table}");
    assert!(header.contains("FULL_TOKEN"));
    let created = avn.json(
        &session,
        &access(&[
            "create",
            "--description",
            "second",
            "--extend-when-used",
            "--json",
        ]),
    );
    let second = created[0]["full_token"]
        .as_str()
        .expect("full_token")
        .to_owned();
    assert_eq!(created[0]["extend_when_used"], true);
    assert_eq!(created[0]["max_age_seconds"], 2_592_000);

    // list: three tokens, the session one active.
    let listed = avn.json(&session, &access(&["list", "--json"]));
    let tokens = listed.as_array().expect("a list");
    assert_eq!(tokens.len(), 3);
    let made = tokens
        .iter()
        .find(|t| t["description"] == "made by avn")
        .expect("listed");
    let first_prefix = made["token_prefix"].as_str().expect("prefix").to_owned();
    assert_eq!(made["max_age_seconds"], 3600);
    let list_table = avn.ok(&session, &access(&["list"]));
    assert!(list_table.contains(&first_prefix), "{list_table}");
    assert!(
        list_table.contains("aiven-client/4.18.0"),
        "last user agent: {list_table}"
    );

    // update by prefix.
    let updated = avn.json(
        &session,
        &access(&[
            "update",
            &first_prefix,
            "--description",
            "renamed",
            "--json",
        ]),
    );
    assert_eq!(updated[0]["description"], "renamed");
    assert_eq!(updated[0]["token_prefix"], first_prefix.as_str());

    // revoke by prefix, then by full token; both print `Revoked`.
    assert_eq!(
        avn.ok(&session, &access(&["revoke", &first_prefix])),
        "Revoked\n"
    );
    // The second token can still be used, then is revoked by its full value.
    avn.ok(&second, &access(&["list"]));
    assert_eq!(avn.ok(&session, &access(&["revoke", &second])), "Revoked\n");
    let paths: Vec<String> = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paths, [token_path(&first_prefix), token_path(&second)]);

    // A revoked token is refused, and avn says it failed.
    let refused = avn.run(&second, &access(&["list"]));
    refused.failure();
    assert_eq!(refused.stdout, "");
    let listed = avn.json(&session, &access(&["list", "--json"]));
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "only the session is left"
    );
}

#[test]
fn the_real_avn_manages_application_users_and_tokens_in_the_sandbox() {
    let Some(program) = avn_binary() else {
        return;
    };
    let sandbox = sandbox();
    let mut api = api(&sandbox);
    let org = organization(&mut api);
    let avn = Avn {
        program,
        url: sandbox.url(),
    };
    let session = sandbox.token().expose().to_owned();
    let org_arg = ["--organization-id", org.as_str()];
    let app_user = |args: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = vec!["application-user".into()];
        all.extend(args.iter().map(|a| (*a).to_owned()));
        all.extend(org_arg.iter().map(|a| (*a).to_owned()));
        all
    };
    let run_ok = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        avn.ok(&session, &args)
    };

    let created = run_ok(app_user(&["create", "--name", "ci \"bot\"", "--json"]));
    let user: Value = serde_json::from_str(&created).expect("avn's JSON");
    let user_id = user["user_id"].as_str().expect("an ID").to_owned();
    assert_eq!(user["name"], "ci \"bot\"");
    let table = run_ok(app_user(&["list"]));
    assert!(table.contains(&user_id), "{table}");

    let made = run_ok(app_user(&[
        "token",
        "create",
        &user_id,
        "--description",
        "pipeline",
    ]));
    // The box, the header, the rule, then FULL_TOKEN TOKEN_PREFIX.
    let row = made.lines().last().unwrap_or_default();
    let full = row.split_whitespace().next().unwrap_or_default().to_owned();
    assert!(full.len() > 300 && !full.starts_with("==="), "{made}");
    let prefix = full[..12].to_owned();
    // The token works, as its application user.
    let me = Api::new(&sandbox.url(), &full).get("/v1/me").ok();
    assert_eq!(me["user"]["user_id"], user_id.as_str());

    let listed = run_ok(app_user(&["token", "list", &user_id, "--json"]));
    let tokens: Value = serde_json::from_str(&listed).expect("avn's JSON");
    assert_eq!(tokens[0]["token_prefix"], prefix.as_str());
    assert_eq!(
        tokens[0]["expiry_time"],
        Value::Null,
        "no expiry without a maximum age"
    );
    let table = run_ok(app_user(&["token", "list", &user_id]));
    assert!(table.starts_with("TOKEN_PREFIX"), "{table}");
    assert!(table.contains(&prefix), "{table}");

    let revoked = run_ok(app_user(&["token", "revoke", &user_id, &prefix, "--force"]));
    assert!(revoked.contains("revoked successfully"), "{revoked}");
    Api::new(&sandbox.url(), &full).get("/v1/me").error(403);
    let listed = run_ok(app_user(&["token", "list", &user_id, "--json"]));
    assert_eq!(listed.trim(), "[]");
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
    // avn sends no scopes: an unscoped token is wider than the manager (sandbox/scopes.rs).
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
        Cmd::python(&program)
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
