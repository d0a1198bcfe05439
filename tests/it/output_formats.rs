//! The output formats beyond avn's table: `--json` (sorted, four-space indent), CSV, YAML,
//! `--relative` and `-o pretty` for people (fitting the terminal, never cutting a token,
//! colour unless `NO_COLOR`), `AVN_TOKEN_OUTPUT` only on a terminal, the options that do
//! not go together, and a closed stdout. In `output_formats/`: CSV read back by a CSV reader
//! (`csv`), every format agreeing on numbers and objects (`agree`), values nested deeper
//! than any column (`deep_values`), the pretty table on a real terminal (`pretty_width`).

mod agree;
mod csv;
mod deep_values;
mod pretty_width;

use serde_json::{Value, json};

use crate::support::fakes::{fake_aiven, prefix_api, sample_tokens, token_api};
use crate::support::snapshot::assert_exact_snapshot;
use crate::support::{cmd, token};

#[test]
fn list_json_keeps_every_field_sorted_with_four_space_indent() {
    let server = fake_aiven(sample_tokens());
    let out = cmd().api(&server).args(["list", "--json"]).run();
    out.success();
    let parsed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed, sample_tokens());
    assert!(
        out.stdout
            .starts_with("[\n    {\n        \"a_new_field\": {\n            \"k\": [\n"),
        "{}",
        out.stdout
    );
    assert_exact_snapshot!("list_json", out.stdout);
    // `--json` is a global option: it works before the subcommand too.
    let before = cmd().api(&server).args(["--json", "list"]).run();
    assert_eq!(before.stdout, out.stdout);
}

#[test]
fn csv_and_yaml_outputs() {
    let server = token_api(vec![token("AAAAbbbbCCCC", "deploy, \"prod\"")]);
    let csv = cmd().api(&server).args(["list", "-o", "csv"]).run();
    csv.success();
    assert_exact_snapshot!("csv", csv.stdout);
    let yaml = cmd().api(&server).args(["list", "--output", "yaml"]).run();
    yaml.success();
    assert!(
        yaml.stdout
            .starts_with("- create_time: \"2026-01-01T00:00:00Z\"\n  created_manually: true\n"),
        "{}",
        yaml.stdout
    );
    yaml.stdout_contains("\n  description: \"deploy, \\\"prod\\\"\"\n");
    yaml.stdout_contains("\n  scopes:\n    - \"user:read\"\n    - \"projects\"\n");
    assert_exact_snapshot!("yaml", yaml.stdout);
}

#[test]
fn relative_view_for_people() {
    let now = chrono::Utc::now();
    let mut soon = token("AAAAbbbbCCCC", "soon");
    soon["expiry_time"] =
        json!((now + chrono::Duration::days(3) + chrono::Duration::minutes(5)).to_rfc3339());
    soon["last_used_time"] = json!((now - chrono::Duration::hours(2)).to_rfc3339());
    let mut forever = token("DDDDeeeeFFFF", "forever");
    forever["expiry_time"] = Value::Null;
    forever["currently_active"] = json!(true);
    let server = token_api(vec![soon, forever]);
    let out = cmd().api(&server).args(["list", "--relative"]).run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[2].starts_with("in 3 days  ") && lines[2].contains("2 hours ago"),
        "{}",
        out.stdout
    );
    assert!(
        lines[3].starts_with("never  ") && lines[3].contains("  never"),
        "{}",
        out.stdout
    );
    assert!(
        lines[3].contains("DDDDeeeeFFFF (in use)  ") && !lines[2].contains("(in use)"),
        "{}",
        out.stdout
    );
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

/// On every platform: a pipe closed by its reader fails the next write with EPIPE on Unix
/// (SIGPIPE is ignored by Rust programs) and ERROR_NO_DATA on Windows, both `BrokenPipe`.
#[test]
fn closed_stdout_ends_quietly_with_status_0() {
    use std::io::Read;
    // Enough tokens that the output cannot fit in the pipe buffer.
    let many: Vec<Value> = (0..3000)
        .map(|i| json!({"token_prefix": format!("prefix{i:06}"), "description": "x".repeat(40)}))
        .collect();
    let server = fake_aiven(Value::Array(many));
    let mut running = cmd().api(&server).arg("list").spawn();
    let mut stdout = running.child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `| head -c 16`
    let out = running.finish();
    out.success();
    assert_eq!(out.stderr, "");
}
