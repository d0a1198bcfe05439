//! The pretty table fits the terminal it is shown on, found from the terminal itself when
//! `COLUMNS` is not set (issue 17: a crate's detection, which also works on Windows); and
//! `audit`'s concurrent fetches keep the report in the organization's order.

use std::time::Duration;

use serde_json::json;

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, bin, cmd};

/// On a 60-column pseudo-terminal (util-linux `script`, `stty cols 60`), without `COLUMNS`,
/// no line of `-o pretty` is wider than 60 (it would be 80 were the size not found).
#[cfg(target_os = "linux")]
#[test]
fn pretty_fits_the_terminal_it_is_shown_on() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("util-linux `script` not found: terminal test skipped");
        return;
    }
    let server = ScriptedServer::always(Canned::json(
        200,
        json!({"tokens": [{"token_prefix": "WIDEtoken000", "description": "wide ".repeat(30),
                           "expiry_time": null, "last_ip": "192.0.2.1",
                           "last_user_agent": "agent ".repeat(20)}]}),
    ));
    let command_line = format!("stty cols 60 rows 20; {} list -o pretty", bin().display());
    let out = Cmd::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .api(&server)
        .env("TERM", "dumb")
        .run();
    out.success().stdout_contains("WIDEtoken000");
    for line in out.stdout.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line.trim_end_matches('\r'));
        assert!(width <= 60, "{width} columns: {line:?}\n{}", out.stdout);
    }
}

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
                let token = json!({"token_prefix": format!("TOKEN{user}"), "expiry_time": null});
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
