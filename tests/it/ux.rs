//! The CLI as a new user meets it (issue 11): completion in real shells, help that fits,
//! exit codes that mean one thing each, `-o pretty`, the man page.

use serde_json::{Value, json};

use crate::support::fakes::*;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{TOKEN, cmd, credentials_file, token};

#[test]
fn environment_still_sets_the_url_and_ca() {
    let server = prefix_api(vec![token("AAAAtoken000", "a")]);
    cmd().api(&server).arg("list").run().success();
    let out = cmd()
        .api(&server)
        .env("AIVEN_CA_CERT", "/nonexistent/ca.pem")
        .args(["--url", "https://127.0.0.1:9", "list"])
        .run();
    out.failure();
    out.stderr_contains("/nonexistent/ca.pem");
}

/// Every command that names a token by prefix answers `prefix` with `code` and exactly the
/// error line `expected`.
fn every_prefix_command_says(server: &ScriptedServer, prefix: &str, code: i32, expected: &str) {
    let cases = [
        vec!["info", prefix],
        vec!["rotate", prefix],
        vec!["revoke", prefix],
        vec!["revoke", prefix, "--force"],
        vec!["update", prefix, "--description", "x"],
    ];
    for args in cases {
        let out = cmd().api(server).args(&args).run();
        out.code(code).one_line_error();
        assert_eq!(out.stderr, format!("error: {expected}\n"), "{args:?}");
    }
}

#[test]
fn an_ambiguous_prefix_exits_2_naming_the_tokens_in_every_command() {
    let server = prefix_api(vec![
        token("ABCDtoken001", "one"),
        token("ABCDtoken002", "two"),
        token("ZZZZtoken000", "other"),
    ]);
    let expected =
        "prefix `ABCD` matches 2 tokens (ABCDtoken001, ABCDtoken002); give more characters";
    every_prefix_command_says(&server, "ABCD", 2, expected);
    assert!(
        server.requests().iter().all(|r| r.method != "POST"),
        "nothing created"
    );
}

#[test]
fn an_unknown_prefix_exits_4_naming_it_as_typed_in_every_command() {
    let server = prefix_api(vec![token("ZZZZtoken000", "other")]);
    let expected = "no token matches prefix `nope`; `avn-token list` shows your tokens";
    every_prefix_command_says(&server, "nope", 4, expected);
    // A whole token is named by its first 12 characters only: never print a secret.
    for args in [vec!["info", TOKEN], vec!["revoke", TOKEN, "--force"]] {
        let out = cmd().api(&server).args(&args).run();
        out.code(4);
        out.stderr_contains(&format!("prefix `{}…`", &TOKEN[..12]));
        assert!(!out.stderr.contains(&TOKEN[..13]), "{}", out.stderr);
    }
}

// ---------------------------------------------------------------------------------------
// 5. Smaller things

#[test]
fn login_with_auth_token_stores_that_token() {
    let server = prefix_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .args(["login", "--auth-token", "given-on-the-command-line"])
        .run();
    out.success();
    let me = &server.requests()[0];
    assert_eq!(me.path, "/v1/me");
    assert_eq!(
        me.header("authorization"),
        Some("aivenv1 given-on-the-command-line")
    );
    let stored = std::fs::read_to_string(credentials_file(home.path())).unwrap();
    assert!(stored.contains("given-on-the-command-line"), "{stored}");
}

#[test]
fn rotate_at_the_quota_explains_how_to_free_a_slot() {
    let tokens: Vec<Value> = (0..10)
        .map(|n| token(&format!("QUOTAtoken{n:02}"), "full"))
        .collect();
    let server = prefix_api(tokens);
    let out = cmd()
        .api(&server)
        .args(["rotate", "QUOTAtoken03", "--yes"])
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("all 10 personal tokens are in use");
    out.stderr_contains("rotation needs a free slot");
    out.stderr_contains("avn-token revoke");
    assert!(!sent_anything_but_list(&server), "{:?}", server.requests());
}

#[test]
fn rotate_explains_the_quota_when_the_api_refuses_with_409() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token("ROTtoken0000", "ci")]})),
        _ => api_error(409, "Too many tokens"),
    });
    let out = cmd().api(&server).args(["rotate", "ROTtoken0000"]).run();
    out.code(1).one_line_error();
    out.stderr_contains("rotation needs a free slot");
}

#[test]
fn quiet_with_an_output_format_is_a_usage_error() {
    for args in [
        ["create", "--description", "ci", "-q", "-o", "json"],
        [
            "create",
            "--description",
            "ci",
            "-q",
            "--json",
            "--relative",
        ],
    ] {
        let out = cmd().args(args).run();
        out.code(2);
        out.stderr_contains("cannot be used with");
    }
    cmd().args(["rotate", "X", "-q", "-o", "csv"]).run().code(2);
}

#[test]
fn relative_with_a_data_format_is_a_usage_error_and_with_a_table_is_fine() {
    let server = prefix_api(vec![token("AAAAtoken000", "a")]);
    for format in ["json", "csv", "yaml"] {
        let out = cmd()
            .api(&server)
            .args(["list", "--relative", "-o", format])
            .run();
        out.code(2).one_line_error();
        out.stderr_contains(&format!("not to -o {format}"));
    }
    for format in ["table", "pretty"] {
        cmd()
            .api(&server)
            .args(["list", "--relative", "-o", format])
            .run()
            .success();
    }
}

#[test]
fn expires_in_a_year_is_365_days() {
    let server = prefix_api(vec![]);
    cmd()
        .api(&server)
        .args(["create", "--description", "ci", "--expires-in", "1y", "-q"])
        .run()
        .success();
    let body = server.requests()[0].json();
    assert_eq!(body["max_age_seconds"], json!(365 * 86_400));
}

// ---------------------------------------------------------------------------------------
// 6. -o pretty

#[test]
fn pretty_fits_columns_and_never_cuts_a_prefix() {
    let mut long = token("LONGtoken000", &"a very long description ".repeat(8));
    long["last_user_agent"] =
        json!("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ".repeat(3));
    let server = prefix_api(vec![long, token("SHORTtoken00", "ci")]);
    for width in ["50", "80", "120"] {
        let out = cmd()
            .api(&server)
            .env("COLUMNS", width)
            .args(["list", "-o", "pretty"])
            .run();
        out.success();
        let width: usize = width.parse().unwrap();
        for line in out.stdout.lines() {
            assert!(line.chars().count() <= width, "{width}: {line:?}");
        }
        out.stdout_contains("LONGtoken000")
            .stdout_contains("SHORTtoken00");
        assert_eq!(
            out.stdout.lines().count(),
            6,
            "one line per token:\n{}",
            out.stdout
        );
        assert!(!out.stdout.contains('\x1b'), "no colour on a pipe");
    }
}

#[test]
fn pretty_create_prints_the_whole_token_on_its_own_line() {
    let server = prefix_api(vec![]);
    let out = cmd()
        .api(&server)
        .env("COLUMNS", "40")
        .args(["create", "--description", "ci", "-o", "pretty"])
        .run();
    out.success();
    let full = format!("NEWtoken0000{}", "/full+token".repeat(30));
    assert!(
        out.stdout.lines().any(|line| line == full),
        "{}",
        out.stdout
    );
}

#[test]
fn avn_token_output_is_ignored_when_stdout_is_not_a_terminal() {
    let server = prefix_api(vec![token("AAAAtoken000", "a")]);
    let plain = cmd().api(&server).arg("list").run();
    let with_env = cmd()
        .api(&server)
        .env("AVN_TOKEN_OUTPUT", "pretty")
        .arg("list")
        .run();
    with_env.success();
    assert_eq!(with_env.stdout, plain.stdout, "avn's layout, byte for byte");
    assert!(plain.stdout.starts_with("EXPIRY_TIME "), "{}", plain.stdout);
}

#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_avn_token_output_picks_pretty_with_colour_unless_no_color() {
    use crate::support::on_a_terminal;
    let mut soon = token("SOONtoken000", "expires soon");
    let in_three_days = chrono::Utc::now() + chrono::Duration::days(3);
    soon["expiry_time"] = json!(in_three_days.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let server = prefix_api(vec![soon, token("LATERtoken00", "later")]);
    let Some(script) = on_a_terminal(&server, "list") else {
        return;
    };
    // `script` passes NO_COLOR from `cmd()`'s sealed environment: colour off.
    let out = script
        .env("AVN_TOKEN_OUTPUT", "pretty")
        .env("COLUMNS", "90")
        .run();
    out.success();
    out.stdout_contains("SOONtoken000")
        .stdout_contains("in 3 days");
    assert!(out.stdout.contains('╭'), "pretty table:\n{}", out.stdout);
    assert!(
        !out.stdout.contains("\x1b[33m"),
        "NO_COLOR honoured:\n{}",
        out.stdout
    );

    let Some(script) = on_a_terminal(&server, "list") else {
        return;
    };
    let out = script
        .env("AVN_TOKEN_OUTPUT", "pretty")
        .env("NO_COLOR", "")
        .env("COLUMNS", "90")
        .run();
    out.success();
    let soon_line = out
        .stdout
        .lines()
        .find(|line| line.contains("SOONtoken000"))
        .unwrap();
    assert!(
        soon_line.starts_with("\x1b[33m"),
        "highlighted: {soon_line:?}"
    );
    let later_line = out
        .stdout
        .lines()
        .find(|line| line.contains("LATERtoken00"))
        .unwrap();
    assert!(!later_line.contains('\x1b'), "{later_line:?}");

    let Some(script) = on_a_terminal(&server, "list") else {
        return;
    };
    let out = script.env("AVN_TOKEN_OUTPUT", "fancy").run();
    out.code(2);
    out.stdout_contains("AVN_TOKEN_OUTPUT=\"fancy\" is not an output format");
}
