//! Application users beyond `avn` (issue 10 §2–3), end to end against a scripted API:
//! `--app-user` on the native commands (the organization and the user resolved as
//! documented), and `audit` (findings, formats, exit codes, bounded concurrency).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::support::server::{Canned, Request, ScriptedServer};
use crate::support::{Run, cmd};

const ORG: &str = "org1a2b3c4d";
const NEW_FULL_TOKEN: &str = "NEWapptoken0/the+rest/ofit==";

/// A time `days` from now (negative: ago), as the API writes times.
fn days_from_now(days: i64) -> String {
    (Utc::now() + chrono::TimeDelta::days(days)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn app_token(prefix: &str, description: &str) -> Value {
    json!({
        "token_prefix": prefix, "description": description, "create_time": days_from_now(-10),
        "created_manually": true, "currently_active": false, "expiry_time": days_from_now(60),
        "extend_when_used": true, "max_age_seconds": 7200, "last_used_time": days_from_now(-1),
        "last_ip": null, "last_user_agent": null, "scopes": ["projects:read"],
        "ip_allowlist": ["10.0.0.0/8"]
    })
}

/// What the fake organization holds.
#[derive(Clone)]
struct Org {
    organizations: Vec<Value>,
    users: Vec<Value>,
    /// Application users' tokens by user id; a missing user answers 404.
    tokens: HashMap<String, Vec<Value>>,
    personal: Vec<Value>,
}

impl Org {
    /// One organization, users `u1` ("ci-bot") and `u2` ("deployer"), each with a token.
    fn new() -> Org {
        let mut tokens = HashMap::new();
        tokens.insert(
            "u1".to_owned(),
            vec![
                app_token("CIBOTtoken01", "ci"),
                // What `create` makes, as the list shows it afterwards.
                app_token("NEWapptoken0", "deploy"),
            ],
        );
        tokens.insert("u2".to_owned(), vec![app_token("DEPLOYtoken1", "deploy")]);
        Org {
            organizations: vec![json!({"organization_id": ORG, "organization_name": "Acme"})],
            users: vec![
                json!({"user_id": "u1", "name": "ci-bot", "user_email": "u1@app", "is_super_admin": false}),
                json!({"user_id": "u2", "name": "deployer", "user_email": "u2@app", "is_super_admin": false}),
            ],
            tokens,
            personal: vec![],
        }
    }

    fn answer(&self, request: &Request) -> Canned {
        let path = request.path.as_str();
        let users_path = format!("/v1/organization/{ORG}/application-users");
        match (request.method.as_str(), path) {
            ("GET", "/v1/organizations") => {
                Canned::json(200, json!({"organizations": self.organizations}))
            }
            ("GET", "/v1/me") => Canned::json(200, json!({"user": {"user": "dev@example.com"}})),
            ("GET", "/v1/access_token") => Canned::json(200, json!({"tokens": self.personal})),
            ("GET", p) if p == users_path => {
                Canned::json(200, json!({"application_users": self.users}))
            }
            (method, p) if p.starts_with(&format!("{users_path}/")) => {
                let rest: Vec<&str> = p[users_path.len() + 1..].split('/').collect();
                match (method, rest.as_slice()) {
                    ("GET", [user, "access-tokens"]) => match self.tokens.get(*user) {
                        Some(tokens) => Canned::json(200, json!({"tokens": tokens})),
                        None => Canned::json(404, json!({"message": "Application user not found"})),
                    },
                    ("POST", [_, "access-tokens"]) => Canned::json(
                        200,
                        json!({"full_token": NEW_FULL_TOKEN, "token_prefix": "NEWapptoken0"}),
                    ),
                    ("DELETE", [_, "access-tokens", _] | [_]) => {
                        Canned::raw(204, "text/plain", b"")
                    }
                    _ => Canned::json(404, json!({"message": "Not found"})),
                }
            }
            _ => Canned::json(404, json!({"message": "Not found"})),
        }
    }

    fn serve(self) -> ScriptedServer {
        ScriptedServer::start(move |request| self.answer(request))
    }
}

/// Method and path of every request, in order.
fn calls(server: &ScriptedServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

fn run(server: &ScriptedServer, args: &[&str]) -> Run {
    cmd().api(server).args(args).run()
}

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

#[test]
fn a_created_app_token_is_printed_even_when_its_details_cannot_be_read() {
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
        .run();
    out.success()
        .stdout_contains(NEW_FULL_TOKEN)
        .stderr_contains("warning: the token was created")
        .stderr_contains("list is down");
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

/// An organization for `audit`: your tokens and two application users' with known findings.
fn audited_org() -> Org {
    let mut org = Org::new();
    let mut fine = app_token("FINEtoken000", "fine");
    fine["ip_allowlist"] = json!([]);
    let mut forever = app_token("FOREVERtoken", "no expiry");
    forever["expiry_time"] = Value::Null;
    org.personal = vec![fine, forever];
    let mut unused = app_token("UNUSEDtoken0", "stale");
    unused["last_used_time"] = json!(days_from_now(-200));
    let mut never_used = app_token("NEVERUSEDtk0", "never \"used\"");
    never_used["last_used_time"] = Value::Null;
    never_used["expiry_time"] = json!(days_from_now(3));
    org.tokens.insert("u1".to_owned(), vec![unused, never_used]);
    org.tokens
        .insert("u2".to_owned(), vec![app_token("DEPLOYtoken1", "deploy")]);
    org
}

#[test]
fn audit_reports_findings_by_owner_and_exits_5() {
    let server = audited_org().serve();
    let out = run(&server, &["audit"]);
    out.code(5)
        .stderr_contains("audited 5 tokens of 3 owners: 3 with findings");
    let groups: Vec<&str> = out.stdout.split("\n\n").collect();
    assert_eq!(groups.len(), 2, "{}", out.stdout);
    assert!(groups[0].starts_with("dev@example.com (user)\nTOKEN_PREFIX  "));
    assert!(groups[0].contains("FOREVERtoken"));
    assert!(groups[0].trim_end().ends_with("never-expires"));
    assert!(!groups[0].contains("FINEtoken000"));
    assert!(groups[1].starts_with("ci-bot (application-user u1)\n"));
    assert!(groups[1].contains("unused\n"), "{}", groups[1]);
    assert!(
        groups[1].contains("\"never \\\"used\\\"\""),
        "{}",
        groups[1]
    );
    assert!(
        groups[1].trim_end().ends_with("expires-soon, never-used"),
        "{}",
        groups[1]
    );
    assert!(!out.stdout.contains("deployer"));

    let json_out = run(&server, &["audit", "-o", "json", "--strict", "--all"]);
    json_out.code(5);
    let rows: Vec<Value> = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(rows.len(), 5);
    let by_prefix = |prefix: &str| {
        rows.iter()
            .find(|row| row["token_prefix"] == prefix)
            .unwrap()
            .clone()
    };
    let fine = by_prefix("FINEtoken000");
    assert_eq!(fine["owner"], "dev@example.com");
    assert_eq!(fine["owner_type"], "user");
    assert_eq!(fine["findings"], json!(["no-ip-allowlist"]));
    let never_used = by_prefix("NEVERUSEDtk0");
    assert_eq!(never_used["owner"], "ci-bot");
    assert_eq!(never_used["owner_type"], "application-user");
    assert_eq!(never_used["owner_id"], "u1");
    assert_eq!(never_used["description"], "never \"used\"");
    assert_eq!(never_used["last_used_time"], Value::Null);
    assert!(never_used["expiry_time"].is_string());
    assert_eq!(
        never_used["findings"],
        json!(["expires-soon", "never-used"])
    );
    assert_eq!(by_prefix("DEPLOYtoken1")["findings"], json!([]));
}

#[test]
fn fail_on_picks_the_findings_that_fail() {
    let server = audited_org().serve();
    run(&server, &["audit", "--fail-on", "expires-soon"]).code(5);
    run(
        &server,
        &[
            "audit",
            "--fail-on",
            "expires-soon",
            "--expiring-within",
            "1d",
        ],
    )
    .success();
    run(&server, &["audit", "--fail-on", "unscoped,no-ip-allowlist"]).code(5);
    run(&server, &["audit", "--fail-on", "unscoped"]).success();
    run(&server, &["audit", "--fail-on", "bogus"])
        .code(2)
        .stderr_contains("never-expires");
    // Only one application user's tokens.
    let one = run(&server, &["audit", "--app-user", "deployer", "-o", "json"]);
    one.success();
    assert_eq!(one.stdout, "[]\n");
    one.stderr_contains("audited 1 token of 1 owner: 0 with findings");
}

#[test]
fn audit_without_an_organization_audits_your_tokens_only() {
    let mut org = audited_org();
    org.organizations.clear();
    let server = org.serve();
    let out = run(&server, &["audit", "-o", "csv"]);
    out.code(5)
        .stderr_contains("no organization")
        .stdout_contains("dev@example.com,user,,FOREVERtoken,");
    assert!(
        calls(&server)
            .iter()
            .all(|c| !c.contains("application-users"))
    );
}

#[test]
fn audit_fails_when_an_owner_cannot_be_read() {
    let mut org = audited_org();
    org.users.push(json!({"user_id": "gone", "name": "ghost"}));
    let server = org.serve();
    run(&server, &["audit"])
        .code(4)
        .one_line_error()
        .stderr_contains("application user ghost");
}

/// 100 application users whose token lists each take 50 ms: fetched 8 at a time, the
/// audit takes about 13 rounds, not 100 (5 s).
#[test]
fn audit_of_100_application_users_is_concurrent_and_bounded() {
    const DELAY: Duration = Duration::from_millis(50);
    let mut org = Org::new();
    org.users = (0..100)
        .map(|n| json!({"user_id": format!("u{n}"), "name": format!("bot{n}")}))
        .collect();
    org.tokens = (0..100)
        .map(|n| {
            (
                format!("u{n}"),
                vec![app_token(&format!("TOKEN{n:07}"), "ci")],
            )
        })
        .collect();
    let server = ScriptedServer::start(move |request| {
        let answer = org.answer(request);
        if request.path.ends_with("/access-tokens") {
            Canned::Delayed(DELAY, Box::new(answer))
        } else {
            answer
        }
    });
    let started = Instant::now();
    let out = run(&server, &["audit", "--organization-id", ORG]);
    let took = started.elapsed();
    out.success()
        .stderr_contains("audited 100 tokens of 101 owners: 0 with findings");
    assert_eq!(server.requests().len(), 103);
    // A token list is answered DELAY after it arrives, and the client sends the next one
    // only after an answer: so the most lists that arrived within DELAY of each other is
    // the most the client had in flight.
    let arrivals: Vec<Instant> = server
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/access-tokens"))
        .map(|r| r.at)
        .collect();
    let most = arrivals
        .iter()
        .map(|&start| {
            arrivals
                .iter()
                .filter(|&&at| at >= start && at < start + DELAY)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        (2..=8).contains(&most),
        "{most} token lists were in flight at once"
    );
    assert!(took < Duration::from_secs(3), "the audit took {took:?}");
}

/// On a terminal, `application-user delete` shows avn's warning and asks on stderr; "n"
/// deletes nothing, "y" deletes.
#[cfg(target_os = "linux")]
#[test]
fn delete_on_a_terminal_warns_and_asks() {
    let server = Org::new().serve();
    let arguments = format!("application-user delete u1 --organization-id {ORG}");
    let Some(script) = crate::support::on_a_terminal(&server, &arguments) else {
        return;
    };
    let declined = script.write_stdin("n\n").run();
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
    let accepted = script.write_stdin("y\n").run();
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
    let declined = script.write_stdin("n\n").run();
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
    let accepted = script.write_stdin("y\n").run();
    assert_eq!(
        accepted.stdout.matches("Confirm delete (y/N)?").count(),
        1,
        "{}",
        accepted.stdout
    );
    accepted.stdout_contains("Application user u1 deleted successfully.");
}
