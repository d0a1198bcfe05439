//! `avn-token audit`: findings by owner (you and every application user), formats, exit
//! code 5, `--fail-on`, an organization that cannot be read, bounded concurrency, and the
//! same against the sandbox.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::org::{ORG, Org, app_token, calls, days_from_now, run};
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{cmd, token};

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

/// Issue 19.11: `audit -o pretty` fits the terminal as the other pretty views do: every
/// line within `COLUMNS`, each owner's heading, and the prefix and findings never cut,
/// however long the descriptions are.
#[test]
fn audit_pretty_fits_the_terminal() {
    let mut org = audited_org();
    for tokens in org.tokens.values_mut() {
        for token in tokens {
            token["description"] = json!("a very long description ".repeat(10));
        }
    }
    let server = org.serve();
    for width in [60, 100] {
        let out = cmd()
            .api(&server)
            .env("AIVEN_ORGANIZATION_ID", ORG)
            .env("COLUMNS", width.to_string())
            .args(["audit", "-o", "pretty"])
            .run();
        out.code(5);
        for line in out.stdout.lines() {
            let columns = unicode_width::UnicodeWidthStr::width(line);
            assert!(
                columns <= width,
                "{columns} > {width}: {line:?}\n{}",
                out.stdout
            );
        }
        out.stdout_contains("dev@example.com (user)")
            .stdout_contains("ci-bot (application-user u1)")
            .stdout_contains("NEVERUSEDtk0")
            .stdout_contains("expires-soon, never-used")
            .stdout_contains("never-expires");
        // Narrow, the description gives way; wide enough, it is cut to fit.
        if width < 80 {
            assert!(!out.stdout.contains("DESCRIPTION"), "{}", out.stdout);
        } else {
            assert!(out.stdout.contains("a very long"), "{}", out.stdout);
            assert!(out.stdout.contains('…'), "{}", out.stdout);
        }
    }
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

/// 100 application users whose token lists each take 50 ms: fetched 8 at a time (so the
/// audit takes about 13 rounds, not 100), which the lists' arrival times show, however
/// busy the machine.
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
    let out = run(&server, &["audit", "--organization-id", ORG]);
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
}

/// An organization of `users` application users whose token lists take `each` bytes apiece
/// (one token with a long description).
fn org_of_big_lists(users: usize, each: usize) -> Org {
    let mut org = Org::new();
    org.users = (0..users)
        .map(|n| json!({"user_id": format!("u{n}"), "name": format!("bot{n}")}))
        .collect();
    let description = "d".repeat(each);
    org.tokens = (0..users)
        .map(|n| {
            let token = app_token(&format!("BIG{n:09}"), &description);
            (format!("u{n}"), vec![token])
        })
        .collect();
    org
}

/// What `audit` keeps of the application users' token lists is bounded (32 MiB of JSON in
/// all, against a hostile server's thousands of lists) and the bound is far above any real
/// organization: lists of 6 MiB in all are audited, 34 MiB fail with a one-line error that
/// says how to audit instead.
#[test]
fn audit_keeps_at_most_32_mib_of_token_lists() {
    const MIB: usize = 1024 * 1024;
    let fits = org_of_big_lists(6, MIB).serve();
    run(&fits, &["audit", "--organization-id", ORG, "-o", "json"])
        .success()
        .stderr_contains("audited 6 tokens of 7 owners");

    let too_much = org_of_big_lists(34, MIB).serve();
    run(&too_much, &["audit", "--organization-id", ORG])
        .code(1)
        .one_line_error()
        .stderr_contains("larger than 32 MiB in all")
        .stderr_contains("--app-user");
}

/// The quality bar: a failure prints one `error:` line, with at most documented notes or
/// warnings. `audit` warned that your email could not be read (so your tokens are shown as
/// "you") before failing anyway; the warning is for a report, and comes only with one.
#[test]
fn audit_warns_about_your_email_only_when_it_reports() {
    for organizations in [
        Canned::json(500, json!({"message": "organizations are down"})),
        Canned::json(200, json!({"organizations": []})),
    ] {
        let failing = organizations.clone();
        let server = ScriptedServer::start(move |request| match request.path.as_str() {
            "/v1/me" => Canned::json(500, json!({"message": "me is down"})),
            "/v1/organizations" => failing.clone(),
            _ => Canned::json(200, json!({"tokens": [token("AAAAtoken000", "ci")]})),
        });
        let out = cmd()
            .api(&server)
            .args(["audit", "--retry-budget", "0"])
            .run();
        if matches!(organizations, Canned::Respond { status: 500, .. }) {
            out.code(1).one_line_error();
            out.stderr_contains("organizations are down");
        } else {
            // The token was never used: a finding, so exit 5, and the report names you "you".
            out.code(5).stdout_contains("you (user)");
            out.stderr_contains("warning: cannot read your email address");
        }
    }
}

#[test]
fn audit_across_you_and_every_application_user() {
    let env = SandboxEnv::new();
    env.app_user("ci-bot");
    env.app_user("deployer");
    let forever = env.app_token("ci-bot", &[]);
    env.app_token("deployer", &["--expires-in", "3d"]);
    let out = env.run(&["audit", "-o", "json", "--all"]);
    out.code(5);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let row = |prefix: &str| {
        rows.iter()
            .find(|row| row["token_prefix"] == prefix)
            .unwrap_or_else(|| panic!("{prefix} not audited: {}", out.stdout))
    };
    let ci = row(&forever[..12]);
    assert_eq!(ci["owner"], "ci-bot");
    assert_eq!(ci["owner_type"], "application-user");
    assert_eq!(ci["findings"], json!(["never-expires"]));
    let personal: Vec<&Value> = rows.iter().filter(|r| r["owner_type"] == "user").collect();
    assert!(!personal.is_empty(), "{}", out.stdout);
    assert!(
        rows.iter()
            .any(|r| r["owner"] == "deployer" && r["findings"] == json!(["expires-soon"])),
        "{}",
        out.stdout
    );
    env.run(&["audit", "--fail-on", "unused"]).success();
    let table = env.run(&["audit"]);
    table
        .code(5)
        .stdout_contains("ci-bot (application-user ")
        .stdout_contains("deployer (application-user ");
}

/// `audit`'s concurrent fetches keep the report in the organization's order (issue 17:
/// `buffer_unordered`).
mod order {
    use std::time::Duration;

    use serde_json::json;

    use crate::support::cmd;
    use crate::support::server::{Canned, ScriptedServer};

    /// Owners' token lists come back in any order (the first user's answer is the slowest):
    /// the report lists owners as the organization lists them.
    #[test]
    fn the_audit_report_keeps_the_organizations_order() {
        let users: Vec<_> = (0..12)
            .map(|n| json!({"user_id": format!("u{n:02}"), "name": format!("bot{n:02}")}))
            .collect();
        let server = ScriptedServer::start(move |request| {
            let path = request.path.as_str();
            let body = match path {
                "/v1/organizations" => json!({"organizations": [{"organization_id": "o"}]}),
                "/v1/me" => json!({"user": {"user": "dev@example.com"}}),
                "/v1/access_token" => json!({"tokens": []}),
                "/v1/organization/o/application-users" => json!({"application_users": users}),
                _ => {
                    let user = path.split('/').nth(5).unwrap_or_default().to_owned();
                    let number: u64 = user[1..].parse().unwrap_or(0);
                    let token =
                        json!({"token_prefix": format!("TOKEN{user}"), "expiry_time": null});
                    let answer = Canned::json(200, json!({"tokens": [token]}));
                    return Canned::Delayed(
                        Duration::from_millis(20 * (12 - number)),
                        Box::new(answer),
                    );
                }
            };
            Canned::json(200, body)
        });
        let out = cmd().api(&server).args(["audit", "-o", "csv"]).run();
        out.code(5);
        // Owner and token prefix of each row (neither needs CSV quoting).
        let rows: Vec<(&str, &str)> = out
            .stdout
            .lines()
            .skip(1)
            .map(|line| {
                let cells: Vec<&str> = line.split(',').collect();
                (cells[0], cells[3])
            })
            .collect();
        let expected: Vec<(String, String)> = (0..12)
            .map(|n| (format!("bot{n:02}"), format!("TOKENu{n:02}")))
            .collect();
        let expected: Vec<(&str, &str)> = expected
            .iter()
            .map(|(owner, prefix)| (owner.as_str(), prefix.as_str()))
            .collect();
        assert_eq!(rows, expected);
    }
}
