//! Application users (issue 10): `--app-user` on the native commands (the organization and
//! the user resolved as documented; create, list, info, revoke and rotate through the
//! user's endpoints; update refused), `application-user` beyond avn (`-o pretty`, delete on
//! a terminal), and both against the sandbox. (avn's own `application-user` commands,
//! byte for byte: `avn_compat::application_user`; `audit`: `audit`.)

use serde_json::{Value, json};

use crate::support::cmd;
use crate::support::org::{NEW_FULL_TOKEN, ORG, Org, calls, run};
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::token;

#[test]
fn the_organization_comes_from_the_flag_the_environment_or_the_only_membership() {
    let tokens_of_u1 = format!("GET /v1/organization/{ORG}/application-users/u1/access-tokens");
    let users = format!("GET /v1/organization/{ORG}/application-users");

    let server = Org::new().serve();
    run(
        &server,
        &["list", "--app-user", "u1", "--organization-id", ORG],
    )
    .success();
    assert_eq!(calls(&server), [users.clone(), tokens_of_u1.clone()]);

    let server = Org::new().serve();
    cmd()
        .api(&server)
        .env("AIVEN_ORGANIZATION_ID", ORG)
        .args(["list", "--app-user", "u1"])
        .run()
        .success();
    assert_eq!(calls(&server), [users.clone(), tokens_of_u1.clone()]);

    let server = Org::new().serve();
    let out = run(&server, &["list", "--app-user", "u1"]);
    out.success().stdout_contains("CIBOTtoken01");
    assert_eq!(
        calls(&server),
        ["GET /v1/organizations".to_owned(), users, tokens_of_u1]
    );

    let mut several = Org::new();
    several
        .organizations
        .push(json!({"organization_id": "org9z8y7x6w", "organization_name": "Other"}));
    let server = several.serve();
    run(&server, &["list", "--app-user", "u1"])
        .code(2)
        .one_line_error()
        .stderr_contains(r#"org1a2b3c4d ("Acme"), org9z8y7x6w ("Other")"#)
        .stderr_contains("--organization-id");
    // Hundreds: the first 20 named, then how many more, on one line a person can read.
    let mut hundreds = Org::new();
    hundreds.organizations.extend(
        (0..300)
            .map(|i| json!({"organization_id": format!("org{i:04}"), "organization_name": "x"})),
    );
    let out = run(&hundreds.serve(), &["list", "--app-user", "u1"]);
    out.code(2)
        .one_line_error()
        .stderr_contains("you belong to 301 organizations")
        .stderr_contains(r#"org0018 ("x"), and 281 more;"#);
    assert!(out.stderr.len() < 1000, "{}", out.stderr);

    // A token that may not list organizations: the error says how to name one.
    let server = Org::new().serve();
    server.push(Canned::json(403, json!({"message": "Permission denied"})));
    run(&server, &["list", "--app-user", "u1"])
        .code(3)
        .one_line_error()
        .stderr_contains("cannot list your organizations (name one with --organization-id")
        .stderr_contains("Permission denied (HTTP 403)");

    let mut none = Org::new();
    none.organizations.clear();
    let server = none.serve();
    run(&server, &["list", "--app-user", "u1"])
        .code(4)
        .one_line_error()
        .stderr_contains("no organization");
}

#[test]
fn app_users_are_named_by_id_or_unique_name() {
    let server = Org::new().serve();
    run(&server, &["list", "--app-user", "deployer"])
        .success()
        .stdout_contains("DEPLOYtoken1");
    assert!(
        calls(&server)
            .last()
            .unwrap()
            .ends_with("/application-users/u2/access-tokens")
    );

    let mut twins = Org::new();
    twins
        .users
        .push(json!({"user_id": "u3", "name": "deployer"}));
    let server = twins.serve();
    run(&server, &["list", "--app-user", "deployer"])
        .code(2)
        .one_line_error()
        .stderr_contains("u2, u3");

    run(&Org::new().serve(), &["list", "--app-user", "nobody"])
        .code(4)
        .one_line_error()
        .stderr_contains("application-user list");
}

#[test]
fn create_for_an_app_user_sends_every_setting_and_shows_the_new_token() {
    let server = Org::new().serve();
    let out = run(
        &server,
        &[
            "create",
            "--app-user",
            "ci-bot",
            "--description",
            "deploy",
            "--expires-in",
            "2h",
            "--extend-when-used",
            "--scope",
            "projects:read",
            "--ip-allowlist",
            "10.0.0.0/8",
        ],
    );
    out.success();
    let posted: Vec<Value> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.json())
        .collect();
    assert_eq!(
        posted,
        [json!({
            "description": "deploy", "max_age_seconds": 7200, "extend_when_used": true,
            "scopes": ["projects:read"], "ip_allowlist": ["10.0.0.0/8"]
        })]
    );
    // The API answers only the token and its prefix: the rest is read from the list.
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("EXPIRY_TIME  "), "{}", out.stdout);
    assert!(lines[2].contains("  deploy  "), "{}", out.stdout);
    assert!(lines[2].contains(" 7200 "), "{}", out.stdout);
    assert!(lines[2].ends_with(NEW_FULL_TOKEN), "{}", out.stdout);
    assert!(!lines[2].starts_with(' ') && lines[2].len() > NEW_FULL_TOKEN.len() + 30);

    // -q: the token only, and no second request.
    let server = Org::new().serve();
    let quiet = run(
        &server,
        &["create", "--app-user", "u1", "--description", "d", "-q"],
    );
    quiet.success();
    assert_eq!(quiet.stdout, format!("{NEW_FULL_TOKEN}\n"));
    assert!(calls(&server).last().unwrap().starts_with("POST "));
    // Without a maximum age an application token never expires: nothing to extend.
    assert_eq!(
        server.requests().last().unwrap().json(),
        json!({"description": "d"})
    );

    // -o json: the listed token with its full token.
    let json_out = run(
        &Org::new().serve(),
        &[
            "create",
            "--app-user",
            "u1",
            "--description",
            "d",
            "-o",
            "json",
        ],
    );
    json_out.success();
    let parsed: Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(parsed[0]["full_token"], NEW_FULL_TOKEN);
    assert_eq!(parsed[0]["max_age_seconds"], 7200);
}

/// The new token is shown even when the list that would give its details fails: with what
/// was asked for (each setting as sent, extension only with a maximum age), and a warning.
#[test]
fn a_created_app_token_is_printed_even_when_its_details_cannot_be_read() {
    for (extend, extended) in [(&[][..], false), (&["--extend-when-used"][..], true)] {
        let server = Org::new().serve();
        // The user lookup, the create, then a failing list.
        server.push(Canned::json(
            200,
            json!({"application_users": [{"user_id": "u1", "name": "ci-bot"}]}),
        ));
        server.push(Canned::json(
            200,
            json!({"full_token": NEW_FULL_TOKEN, "token_prefix": "NEWapptoken0"}),
        ));
        server.push(Canned::json(500, json!({"message": "list is down"})));
        let out = cmd()
            .api(&server)
            .args(["--retry-budget", "0", "create", "--app-user", "u1"])
            .args(["--description", "d", "--organization-id", ORG])
            .args(["--max-age-seconds", "3600", "-o", "json"])
            .args(extend)
            .run();
        out.success()
            .stderr_contains("warning: the token was created")
            .stderr_contains("list is down");
        let shown: Value = serde_json::from_str(&out.stdout).expect("JSON");
        let shown = &shown[0];
        assert_eq!(shown["full_token"], NEW_FULL_TOKEN);
        assert_eq!(shown["token_prefix"], "NEWapptoken0");
        assert_eq!(shown["description"], "d");
        assert_eq!(shown["max_age_seconds"], 3600);
        assert_eq!(shown["extend_when_used"], extended, "{}", out.stdout);
    }
}

#[test]
fn extend_when_used_without_a_maximum_age_is_refused_for_app_users() {
    let server = Org::new().serve();
    run(
        &server,
        &[
            "create",
            "--app-user",
            "u1",
            "--description",
            "d",
            "--extend-when-used",
        ],
    )
    .code(2)
    .one_line_error()
    .stderr_contains("never expires");
    assert_eq!(calls(&server), Vec::<String>::new());
}

#[test]
fn list_and_info_for_an_app_user_in_every_format() {
    let server = Org::new().serve();
    let table = run(&server, &["list", "--app-user", "u1"]);
    table.success();
    assert!(
        table
            .stdout
            .starts_with("EXPIRY_TIME           TOKEN_PREFIX  DESCRIPTION"),
        "{}",
        table.stdout
    );
    assert_eq!(table.stdout.lines().count(), 4);
    let csv = run(&server, &["list", "--app-user", "u1", "-o", "csv"]);
    csv.success().stdout_contains(",CIBOTtoken01,ci,7200,true,");
    let info = run(&server, &["info", "CIBOT", "--app-user", "u1"]);
    info.success()
        .stdout_contains("TOKEN_PREFIX      CIBOTtoken01\n")
        .stdout_contains("SCOPES            projects:read\n");
    let relative = run(&server, &["list", "--app-user", "u1", "--relative"]);
    relative.success().stdout_contains("1 day ago");
    run(&server, &["info", "NOPE", "--app-user", "u1"])
        .code(4)
        .one_line_error();
}

#[test]
fn revoke_for_an_app_user_uses_its_endpoint_and_keeps_the_safety_checks() {
    let server = Org::new().serve();
    run(&server, &["revoke", "CIBOTtoken01", "--app-user", "u1"])
        .success()
        .stdout_contains("Revoked");
    assert_eq!(
        calls(&server).last().unwrap(),
        &format!("DELETE /v1/organization/{ORG}/application-users/u1/access-tokens/CIBOTtoken01")
    );

    // The token this command authenticates with is refused without --force.
    let mut active = Org::new();
    active.tokens.get_mut("u1").unwrap()[0]["currently_active"] = json!(true);
    let server = active.serve();
    run(&server, &["revoke", "CIBOTtoken01", "--app-user", "u1"])
        .code(1)
        .one_line_error()
        .stderr_contains("--force");
    assert!(
        calls(&server)
            .iter()
            .all(|call| !call.starts_with("DELETE"))
    );
}

#[test]
fn rotate_for_an_app_user_keeps_every_setting() {
    let server = Org::new().serve();
    let out = run(
        &server,
        &["rotate", "CIBOTtoken01", "--app-user", "ci-bot", "-q"],
    );
    out.success()
        .stderr_contains("revoked the old token CIBOTtoken01");
    assert_eq!(out.stdout, format!("{NEW_FULL_TOKEN}\n"));
    let post = server
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        post.json(),
        json!({
            "description": "ci", "max_age_seconds": 7200, "extend_when_used": true,
            "scopes": ["projects:read"], "ip_allowlist": ["10.0.0.0/8"]
        })
    );
    let calls = calls(&server);
    assert_eq!(
        calls[calls.len() - 2..],
        [
            format!("POST /v1/organization/{ORG}/application-users/u1/access-tokens"),
            format!(
                "DELETE /v1/organization/{ORG}/application-users/u1/access-tokens/CIBOTtoken01"
            ),
        ]
    );
}

#[test]
fn update_with_app_user_is_a_usage_error_that_sends_nothing() {
    let server = Org::new().serve();
    run(
        &server,
        &[
            "update",
            "CIBOTtoken01",
            "--description",
            "x",
            "--app-user",
            "u1",
        ],
    )
    .code(2)
    .one_line_error()
    .stderr_contains("no call");
    assert_eq!(calls(&server), Vec::<String>::new());
}

/// Issue 10.2: `--app-user` works "with every native feature", `-o pretty` among them.
/// `info --app-user U PREFIX -o pretty` called an application user's token "Kind: personal
/// (created by hand)": it is not a personal token.
#[test]
fn pretty_info_does_not_call_an_application_token_personal() {
    let server = ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/organizations" => {
            Canned::json(200, json!({"organizations": [{"organization_id": ORG}]}))
        }
        path if path.ends_with("/application-users") => Canned::json(
            200,
            json!({"application_users": [{"user_id": "u1", "name": "ci-bot"}]}),
        ),
        _ => Canned::json(200, json!({"tokens": [token("APPtoken0001", "ci")]})),
    });
    let out = cmd()
        .api(&server)
        .args([
            "info",
            "--app-user",
            "ci-bot",
            "APPtoken0001",
            "-o",
            "pretty",
        ])
        .run();
    out.success().stdout_contains("created by hand");
    assert!(!out.stdout.contains("personal"), "{}", out.stdout);
}

/// Issue 11.6: `-o pretty` "never cuts a token: `create` shows the full token unbroken on
/// its own line". `application-user token create -o pretty` showed a row of dashes and no
/// full token at all (shown only this once, so lost), and `application-user list|info
/// -o pretty` a row of dashes per user: no name, no ID.
#[test]
fn pretty_shows_application_users_and_a_new_application_token() {
    const FULL: &str = "NEWapptoken0/the+rest/ofit/is/long/enough/to/be/cut/by/a/table==";
    let user = json!({"user_id": "u1a2b3c4d5e6", "name": "ci-bot",
                      "user_email": "u1a2b3c4d5e6@application-users.example", "is_super_admin": false});
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "POST" => Canned::json(
            200,
            json!({"full_token": FULL, "token_prefix": &FULL[..12]}),
        ),
        _ if request.path.ends_with("/application-users") => {
            Canned::json(200, json!({"application_users": [user.clone()]}))
        }
        _ => Canned::json(200, user.clone()),
    });
    let pretty = |args: &[&str]| {
        let out = cmd()
            .api(&server)
            .env("COLUMNS", "60")
            .env("AIVEN_ORGANIZATION_ID", ORG)
            .arg("application-user")
            .args(args)
            .args(["-o", "pretty"])
            .run();
        out.success();
        out.stdout
    };
    let created = pretty(&["token", "create", "u1", "--description", "d"]);
    assert!(created.lines().any(|line| line == FULL), "{created}");
    for listed in [pretty(&["list"]), pretty(&["info", "u1"])] {
        assert!(
            listed.contains("ci-bot") && listed.contains("u1a2b3c4d5e6"),
            "{listed}"
        );
    }
}

/// On a terminal, `application-user delete` shows avn's warning and asks on stderr; "n"
/// deletes nothing, "y" deletes.
#[test]
fn delete_on_a_terminal_warns_and_asks() {
    let server = Org::new().serve();
    let arguments = format!("application-user delete u1 --organization-id {ORG}");
    let Some(script) = crate::support::on_a_terminal(&server, &arguments) else {
        return;
    };
    let declined = crate::support::answer_on_a_terminal(script, "[y/N]", "n\n");
    declined
        .stdout_contains("warning: Deleting an application user cannot be undone")
        .stdout_contains("Delete application user u1? [y/N]")
        .stdout_contains("aborted");
    assert!(
        calls(&server)
            .iter()
            .all(|call| !call.starts_with("DELETE"))
    );
    let Some(script) = crate::support::on_a_terminal(&server, &arguments) else {
        return;
    };
    let accepted = crate::support::answer_on_a_terminal(script, "[y/N]", "y\n");
    accepted.stdout_contains("Application user u1 deleted successfully.");
    assert_eq!(
        calls(&server).last().unwrap(),
        &format!("DELETE /v1/organization/{ORG}/application-users/u1")
    );

    // Answering on a terminal with stderr elsewhere: avn's box and question are shown on
    // stdout before the answer is read, once.
    let server = Org::new().serve();
    let Some(script) = crate::support::on_a_terminal(&server, &format!("{arguments} 2>/dev/null"))
    else {
        return;
    };
    let declined = crate::support::answer_on_a_terminal(script, "Confirm delete (y/N)?", "n\n");
    declined
        .stdout_contains("*\r\nDeleting an application user cannot be undone")
        .stdout_contains("Confirm delete (y/N)?");
    assert!(
        calls(&server)
            .iter()
            .all(|call| !call.starts_with("DELETE"))
    );
    let Some(script) = crate::support::on_a_terminal(&server, &format!("{arguments} 2>/dev/null"))
    else {
        return;
    };
    let accepted = crate::support::answer_on_a_terminal(script, "Confirm delete (y/N)?", "y\n");
    assert_eq!(
        accepted.stdout.matches("Confirm delete (y/N)?").count(),
        1,
        "{}",
        accepted.stdout
    );
    accepted.stdout_contains("Application user u1 deleted successfully.");
}

#[test]
fn avns_application_user_commands_against_the_sandbox() {
    let env = SandboxEnv::new();
    let table = env.run(&["application-user", "create", "--name", "ci \"bot\""]);
    table.success();
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", table.stdout);
    assert!(
        lines[0].starts_with("NAME          USER_EMAIL"),
        "{}",
        table.stdout
    );
    assert!(
        lines[2].starts_with("\"ci \\\"bot\\\"\"  "),
        "{}",
        table.stdout
    );

    let users = env.json(&["application-user", "list", "--json"]);
    let user_id = users[0]["user_id"].as_str().unwrap().to_owned();
    let renamed = env.json(&[
        "application-user",
        "update",
        &user_id,
        "--name",
        "deployer",
        "--json",
    ]);
    assert_eq!(renamed["name"], "deployer");
    assert_eq!(
        env.json(&["application-user", "info", &user_id, "--json"])["name"],
        "deployer"
    );

    // A token without expiry, as avn makes it.
    let created = env.run(&[
        "application-user",
        "token",
        "create",
        &user_id,
        "--description",
        "forever",
        "--scopes",
        "user:read",
    ]);
    created
        .success()
        .stdout_contains("Copy and safely store the full token value.");
    let row = created.stdout.lines().nth(5).unwrap();
    let (full_token, prefix) = row.split_once("  ").unwrap();
    assert!(full_token.starts_with(prefix.trim()), "{}", created.stdout);
    let prefix = prefix.trim();

    let listed = env.run(&["application-user", "token", "list", &user_id, "--verbose"]);
    listed
        .success()
        .stdout_contains(prefix)
        .stdout_contains("forever");
    let info = env.json(&[
        "application-user",
        "token",
        "info",
        &user_id,
        prefix,
        "--json",
    ]);
    assert_eq!(info["expiry_time"], Value::Null);
    assert_eq!(info["scopes"], json!(["user:read"]));

    // The token authenticates as its application user until revoked: then 403.
    env.run_as(full_token, &["list"]).success();
    let revoked = env
        .cmd_as(env.sandbox.token().expose())
        .args(["application-user", "token", "revoke", &user_id, prefix])
        .write_stdin("y\n")
        .run();
    revoked.success().stdout_contains(&format!(
        "Token {prefix} (application user id: {user_id}) revoked successfully.\n"
    ));
    env.run_as(full_token, &["list"]).code(3);

    // Deleting the user revokes all of its tokens.
    let another = env.app_token(&user_id, &[]);
    env.run_as(&another, &["list"]).success();
    env.run(&["application-user", "delete", &user_id, "--force"])
        .success()
        .stdout_contains("deleted successfully");
    env.run_as(&another, &["list"]).code(3);
    env.run(&["application-user", "info", &user_id]).code(4);
}

#[test]
fn native_commands_manage_an_application_users_tokens() {
    let env = SandboxEnv::new();
    let user_id = env.app_user("ci-bot");
    let token = env.app_token(
        "ci-bot",
        &[
            "--expires-in",
            "2h",
            "--extend-when-used",
            "--scope",
            "user:read",
            "--ip-allowlist",
            "127.0.0.0/8",
        ],
    );
    // The token is the application user's: it lists that user's tokens, not yours.
    env.run_as(&token, &["list"])
        .success()
        .stdout_contains(&token[..12]);
    assert!(!env.run(&["list"]).stdout.contains(&token[..12]));

    let tokens = env.app_tokens(&user_id);
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["max_age_seconds"], json!(7200));
    assert_eq!(tokens[0]["extend_when_used"], json!(true));

    // The create table shows what the service made, not only the token.
    let shown = env.run(&["create", "--app-user", "ci-bot", "--description", "table"]);
    shown.success();
    let row = shown.stdout.lines().nth(2).unwrap();
    assert!(row.starts_with("null  "), "never expires: {}", shown.stdout);

    env.run(&["info", &token[..12], "--app-user", &user_id])
        .success()
        .stdout_contains("IP_ALLOWLIST      127.0.0.0/8\n")
        .stdout_contains("SCOPES            user:read\n");

    // Rotation keeps every setting and kills the old token.
    let out = env.run(&["rotate", "--app-user", "ci-bot", &token, "-q"]);
    out.success();
    let rotated = out.stdout.trim_end().to_owned();
    assert_ne!(rotated, token);
    env.run_as(&token, &["list"]).code(3);
    let new = env
        .app_tokens(&user_id)
        .into_iter()
        .find(|t| t["token_prefix"] == rotated[..12])
        .expect("the new token is listed");
    assert_eq!(new["description"], "ci");
    assert_eq!(new["max_age_seconds"], json!(7200));
    assert_eq!(new["extend_when_used"], json!(true));
    assert_eq!(new["scopes"], json!(["user:read"]));
    assert_eq!(new["ip_allowlist"], json!(["127.0.0.0/8"]));

    env.run(&["revoke", &rotated[..12], "--app-user", "ci-bot"])
        .success()
        .stdout_contains("Revoked");
    env.run_as(&rotated, &["list"]).code(3);
    env.run(&[
        "update",
        &rotated[..12],
        "--description",
        "x",
        "--app-user",
        "ci-bot",
    ])
    .code(2);
}
