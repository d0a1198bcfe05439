//! The CLI as a new user meets it (issue 11): completion in real shells, help that fits,
//! exit codes that mean one thing each, `-o pretty`, the man page.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{TOKEN, cmd, credentials_file, token};

/// A fake API listing `tokens`. Create echoes the request with a full token; a path naming
/// a token answers as the real service does: 404 when nothing matches, 409 when several do.
fn fake(tokens: Vec<Value>) -> ScriptedServer {
    ScriptedServer::start(move |request| {
        let prefix = request
            .path
            .strip_prefix("/v1/access_token/")
            .map(|encoded| {
                encoded
                    .replace("%2F", "/")
                    .replace("%2B", "+")
                    .replace("%3D", "=")
            });
        match (request.method.as_str(), request.path.as_str(), prefix) {
            ("GET", "/v1/access_token", _) => Canned::json(200, json!({ "tokens": tokens })),
            ("POST", "/v1/access_token", _) => {
                let mut created = request.json();
                created["token_prefix"] = json!("NEWtoken0000");
                created["full_token"] = json!(format!("NEWtoken0000{}", "/full+token".repeat(30)));
                created["expiry_time"] = json!("2030-01-01T00:00:00Z");
                Canned::json(200, created)
            }
            ("GET", "/v1/me", _) => Canned::json(200, json!({"user": {"user": "dev@example.com"}})),
            (_, _, Some(prefix)) => {
                let matching: Vec<&Value> = tokens
                    .iter()
                    .filter(|t| {
                        let known = t["token_prefix"].as_str().unwrap();
                        known.starts_with(&prefix) || prefix.starts_with(known)
                    })
                    .collect();
                match matching.len() {
                    0 => api_error(404, "Token not found"),
                    1 => Canned::json(200, matching[0].clone()),
                    _ => api_error(409, "Multiple tokens match"),
                }
            }
            _ => api_error(404, "Not found"),
        }
    })
}

fn api_error(status: u16, message: &str) -> Canned {
    Canned::json(
        status,
        json!({"message": message, "errors": [{"message": message, "status": status}]}),
    )
}

fn sent_anything_but_list(server: &ScriptedServer) -> bool {
    server
        .requests()
        .iter()
        .any(|r| !(r.method == "GET" && r.path == "/v1/access_token"))
}

// ---------------------------------------------------------------------------------------
// 1. Completion

/// Whether `shell` can be run here; says so when it cannot, so the skip is visible.
fn have(shell: &str) -> bool {
    let found = std::process::Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        eprintln!("`{shell}` is not installed: its completion checks are SKIPPED");
    }
    found
}

fn write_script(dir: &Path, shell: &str) -> std::path::PathBuf {
    let out = cmd().args(["completions", shell]).run();
    out.success();
    let path = dir.join(format!("avn-token.{shell}"));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// What bash completes for `words` (the last one being completed), with the generated
/// script sourced and the function it registered for `avn-token` called as bash would.
fn bash_complete(script: &Path, words: &[&str]) -> String {
    let program = r#"source "$1"
shift
spec=$(complete -p avn-token) || exit 90
function=${spec#*-F }
function=${function%% *}
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$function" avn-token "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#;
    let out = crate::support::Cmd::new("bash")
        .args(["-c", program, "bash"])
        .arg(script)
        .args(words)
        .run();
    out.success();
    out.stdout
}

#[test]
fn bash_completes_subcommand_options_and_values() {
    if !have("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(dir.path(), "bash");
    let completed = |words: &[&str]| bash_complete(&script, words);

    assert_eq!(
        completed(&["avn-token", "create", "--desc"]),
        "--description\n"
    );
    let formats = completed(&["avn-token", "list", "-o", ""]);
    let formats: Vec<&str> = formats.lines().collect();
    assert_eq!(formats, ["table", "json", "csv", "yaml", "pretty"]);
    assert_eq!(
        completed(&["avn-token", "list", "--output", "pr"]),
        "pretty\n"
    );
    assert!(completed(&["avn-token", "expire-all", "--"]).contains("--yes\n"));
    assert!(completed(&["avn-token", "ro"]).contains("rotate\n"));
}

#[test]
fn zsh_and_fish_scripts_load_and_fish_completes() {
    let dir = tempfile::tempdir().unwrap();
    if have("zsh") {
        let script = write_script(dir.path(), "zsh");
        crate::support::Cmd::new("zsh")
            .arg("-n")
            .arg(&script)
            .run()
            .success();
        let text = std::fs::read_to_string(&script).unwrap();
        assert!(text.starts_with("#compdef avn-token"), "{text:.80}");
    }
    if have("fish") {
        let script = write_script(dir.path(), "fish");
        crate::support::Cmd::new("fish")
            .arg("-n")
            .arg(&script)
            .run()
            .success();
        let complete = |line: &str| {
            let out = crate::support::Cmd::new("fish")
                .arg("-c")
                .arg(format!("source {}; complete -C '{line}'", script.display()))
                .run();
            out.success();
            out.stdout
        };
        assert!(complete("avn-token create --desc").starts_with("--description\t"));
        let formats = complete("avn-token list -o ");
        for format in ["table", "json", "csv", "yaml", "pretty"] {
            assert!(formats.contains(&format!("{format}\t")), "{formats}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 2. Help

/// The commands a user sees in `--help` (not the hidden `user`, not clap's `help`).
const COMMANDS: [&str; 14] = [
    "create",
    "list",
    "info",
    "update",
    "revoke",
    "rotate",
    "expire-all",
    "application-user",
    "audit",
    "login",
    "logout",
    "sandbox",
    "completions",
    "man",
];

fn help(command: &str) -> String {
    let out = cmd().env("COLUMNS", "100").args([command, "--help"]).run();
    out.success();
    out.stdout
}

#[test]
fn every_help_fits_shows_its_examples_and_one_line_per_global_option() {
    let create = help("create");
    assert!(
        create.lines().count() <= 60,
        "{} lines:\n{create}",
        create.lines().count()
    );
    assert!(create.contains("--description <DESCRIPTION>") && create.contains("--expires-in"));
    for command in COMMANDS {
        let text = help(command);
        assert!(
            text.lines().all(|line| line.chars().count() <= 100),
            "{command}:\n{text}"
        );
        assert!(
            text.contains("\nExample"),
            "{command} has no example:\n{text}"
        );
        assert!(
            !text.contains("=]"),
            "{command}: an empty [env: X=]:\n{text}"
        );
        let globals: Vec<&str> = text
            .split("Global options:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{command}: no global options heading:\n{text}"))
            .lines()
            .take_while(|line| !line.is_empty())
            .collect();
        assert_eq!(globals.len(), 11, "{command}:\n{text}");
        for line in globals {
            assert!(
                line.starts_with("      --") || line.starts_with("  -"),
                "{command}: a global option takes more than one line: {line:?}"
            );
        }
    }
}

#[test]
fn help_shows_environment_variables_without_their_values() {
    let text = cmd()
        .env("AIVEN_CA_CERT", "/secret/place/ca.pem")
        .env("COLUMNS", "100")
        .args(["list", "--help"])
        .run()
        .stdout;
    assert!(text.contains("[env: AIVEN_CA_CERT]"), "{text}");
    assert!(!text.contains("/secret/place"), "{text}");
}

#[test]
fn usage_errors_do_not_present_env_backed_options_as_required() {
    let out = cmd()
        .url("http://127.0.0.1:9")
        .env("AIVEN_CA_CERT", "/tmp/ca.pem")
        .arg("create")
        .run();
    out.code(2);
    out.stderr_contains("--description <DESCRIPTION>");
    assert!(!out.stderr.contains("--url"), "{}", out.stderr);
    assert!(!out.stderr.contains("--auth-ca"), "{}", out.stderr);
}

#[test]
fn environment_still_sets_the_url_and_ca() {
    let server = fake(vec![token("AAAAtoken000", "a")]);
    cmd().api(&server).arg("list").run().success();
    let out = cmd()
        .api(&server)
        .env("AIVEN_CA_CERT", "/nonexistent/ca.pem")
        .args(["--url", "https://127.0.0.1:9", "list"])
        .run();
    out.failure();
    out.stderr_contains("/nonexistent/ca.pem");
}

// ---------------------------------------------------------------------------------------
// 3. Exit codes

#[test]
fn invalid_input_exits_2_before_anything_is_sent() {
    let server = fake(vec![]);
    let cases: [&[&str]; 7] = [
        &["create", "--description", "   "],
        &["create", "--description", "ci", "--scope", "has space"],
        &["create", "--description", "ci", "--scope", "User:Read"],
        &["create", "--description", "ci", "--expires-in", "1month"],
        &["update", "AAAAtoken000", "--description", ""],
        &["rotate", "AAAAtoken000", "--description", " "],
        &["list", "--relative", "-o", "json"],
    ];
    for args in cases {
        let out = cmd().api(&server).args(args).run();
        out.code(2);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.starts_with("error: "),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn error_messages_say_what_is_wrong() {
    let out = cmd()
        .args(["create", "--description", "ci", "--expires-in", "1month"])
        .run();
    out.code(2);
    out.stderr_contains("unknown unit `month`");
    out.stderr_contains("y (years of 365 days)");
    let out = cmd()
        .args([
            "create",
            "--description",
            "ci",
            "--expires-in",
            "99999999999999y",
        ])
        .run();
    out.code(2);
    out.stderr_contains("longer than any token can live");
    let out = cmd().args(["create", "--description", " "]).run();
    out.stderr_contains("must not be blank");
}

#[test]
fn sandbox_token_with_a_space_is_a_usage_error() {
    let out = cmd()
        .args(["sandbox", "--token", "has space", "--exec", "--", "true"])
        .run();
    out.code(2);
    out.stderr_contains("printable ASCII");
}

#[test]
fn api_400_and_422_exit_2_with_the_apis_message() {
    for status in [400, 422] {
        let server = ScriptedServer::always(api_error(status, "max_age_seconds too small"));
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci"])
            .run();
        out.code(2).one_line_error();
        out.stderr_contains("max_age_seconds too small");
    }
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
    let server = fake(vec![
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
    let server = fake(vec![token("ZZZZtoken000", "other")]);
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
    let server = fake(vec![]);
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
    let server = fake(tokens);
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
    let server = fake(vec![token("AAAAtoken000", "a")]);
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
    let server = fake(vec![]);
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
    let server = fake(vec![long, token("SHORTtoken00", "ci")]);
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
    let server = fake(vec![]);
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
    let server = fake(vec![token("AAAAtoken000", "a")]);
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
    let server = fake(vec![soon, token("LATERtoken00", "later")]);
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

// ---------------------------------------------------------------------------------------
// 7. The man page

#[test]
fn man_page_has_every_section_and_no_hidden_command() {
    let out = cmd().arg("man").run();
    out.success();
    let page = &out.stdout;
    for section in [
        "SYNOPSIS",
        "DESCRIPTION",
        "COMMANDS",
        "OPTIONS",
        "ENVIRONMENT",
        "FILES",
        "EXIT STATUS",
        "EXAMPLES",
    ] {
        assert!(
            page.contains(&format!(".SH {section}\n"))
                || page.contains(&format!(".SH \"{section}\"\n")),
            "no {section}"
        );
    }
    for command in COMMANDS {
        assert!(
            page.contains(&format!(".SS \"avn-token {command}\"")),
            "no {command}"
        );
    }
    for variable in [
        "AIVEN_AUTH_TOKEN",
        "AIVEN_WEB_URL",
        "AIVEN_CA_CERT",
        "AIVEN_CREDENTIALS_FILE",
        "AIVEN_CONFIG_DIR",
        "AVN_TOKEN_OUTPUT",
        "NO_COLOR",
    ] {
        assert!(page.contains(variable), "no {variable}");
    }
    assert!(page.contains("aiven\\-credentials.json"), "no FILES entry");
    assert!(
        !page.contains("access\\-token create"),
        "the hidden `user` command leaked"
    );
    assert!(
        !page.contains("tokens\\-expire\n"),
        "the hidden `user` command leaked"
    );
}

/// Formatted by groff as man would, the examples are still the lines a user types: not
/// reflowed, not hyphenated, with ASCII dashes.
#[test]
fn man_page_examples_survive_formatting() {
    let probe = std::process::Command::new("groff")
        .arg("--version")
        .output();
    if probe.is_err() {
        eprintln!("groff not installed: the man page formatting check is SKIPPED");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("avn-token.1");
    std::fs::write(&page, cmd().arg("man").run().stdout).unwrap();
    let out = crate::support::Cmd::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-rLL=80n"])
        .arg(&page)
        .run();
    out.success();
    assert_eq!(out.stderr, "", "groff warnings");
    // Strip overstriking (bold/underline) as `col -b` would.
    let text = strip_overstrike(&out.stdout);
    for example in [
        "avn-token create --description ci --max-age-seconds 3600 --extend-when-used",
        "token=$(avn-token create --description ci --expires-in 1h -q)",
        "avn-token list --json | jq -r '.[].token_prefix'",
        "avn-token expire-all --yes && avn-token login",
    ] {
        assert!(text.contains(example), "example mangled: {example}\n{text}");
    }
    assert!(
        !text.contains('\u{2010}'),
        "typographic hyphens in the page"
    );
}

fn strip_overstrike(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c == '\u{8}' {
            out.pop();
        } else {
            out.push(c);
        }
    }
    // groff's SGR escapes, if it used them instead of overstriking.
    let mut plain = String::new();
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for next in chars.by_ref() {
                if next.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd().arg("man").arg("--dir").arg(dir.path()).run();
    out.success();
    assert_eq!(out.stdout, "");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = COMMANDS
        .iter()
        .map(|command| format!("avn-token-{command}.1"))
        .chain(["avn-token.1".to_owned()])
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    let create = std::fs::read_to_string(dir.path().join("avn-token-create.1")).unwrap();
    assert!(create.contains("\\-\\-description"), "{create}");
    assert!(create.contains(".SH EXAMPLES"), "{create}");
    assert!(
        create.contains("avn\\-token\\-create \\- Create"),
        "{create}"
    );
}

// ---------------------------------------------------------------------------------------
// 8. A missing `avn` is visible in plain `cargo test` output

/// Run this very test binary's compatibility checks without `avn` (and without CI, where a
/// missing `avn` fails instead): the skip is reported on stderr, outside libtest's capture,
/// with the count and the command that runs them, and the run still passes.
#[test]
fn skipped_compatibility_checks_are_reported_past_the_capture() {
    let this_binary = std::env::current_exe().unwrap();
    let out = crate::support::Cmd::new(&this_binary)
        .env("AVN_BIN", "/nonexistent/avn")
        .args(["compat_avn::", "--test-threads", "2"])
        .run();
    out.success();
    let report = out
        .stderr
        .lines()
        .find(|line| line.contains("SKIPPED"))
        .unwrap_or_else(|| panic!("no skip report on stderr: {:?}", out.stderr));
    let count: usize = report
        .split_whitespace()
        .nth(1)
        .and_then(|word| word.parse().ok())
        .unwrap_or_else(|| panic!("no count in {report:?}"));
    let ran = out.stdout.matches("... ok").count();
    assert!(count >= 1 && count <= ran, "{count} of {ran}: {report}");
    assert!(report.contains("/nonexistent/avn"), "{report}");
    out.stderr_contains("pip install aiven-client==4.18.0");
    assert_eq!(
        out.stderr.matches("SKIPPED").count(),
        1,
        "once, not per test"
    );
}
