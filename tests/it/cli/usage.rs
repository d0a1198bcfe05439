//! Usage errors: what a user who typed something wrong sees. One `error:` line (clap's
//! own messages included, even with `RUST_BACKTRACE` set), exit code 2, nothing sent;
//! env-backed options not presented as required; help and `--version` still on stdout.

use serde_json::json;

use crate::support::cmd;
use crate::support::fakes::{prefix_api, token_api};
use crate::support::server::{Canned, ScriptedServer};

#[test]
fn errors_have_no_backtrace_even_with_rust_backtrace_set() {
    let server = ScriptedServer::always(Canned::json(500, json!({"message": "boom"})));
    let out = cmd()
        .api(&server)
        .env("RUST_BACKTRACE", "1")
        .arg("list")
        .run();
    out.code(1).one_line_error();
    assert!(!out.stderr.contains("backtrace"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let out = cmd().arg("create").run();
    out.code(2);
    out.stderr_contains("--description");
    cmd().arg("frobnicate").run().code(2);
    cmd()
        .args(["create", "--description", "x", "--max-age-seconds", "soon"])
        .run()
        .code(2);
    let help = cmd().arg("--help").run();
    help.success();
    help.stdout_contains("Exit codes");
    let version = cmd().arg("--version").run();
    assert_eq!(
        version.stdout,
        concat!("avn-token ", env!("CARGO_PKG_VERSION"), "\n")
    );
}

/// SPEC §3 and the quality bar: every bad input gives one clear `error:` line on stderr.
/// clap's own messages took five (the error, a blank line, the usage, a blank line and a
/// pointer to `--help`); they are one line now, still saying what is wrong and where help is.
#[test]
fn usage_errors_are_one_line() {
    let cases: [(&[&str], &[&str]); 7] = [
        (
            &["create"],
            &["required arguments were not provided", "--description"],
        ),
        (
            &["list", "--bogus"],
            &["unexpected argument '--bogus'", "avn-token list --help"],
        ),
        (
            &["create", "--descripton", "x"],
            &["unexpected argument '--descripton'", "'--description'"],
        ),
        (&["list", "-o", "JSON"], &["possible values", "pretty"]),
        (
            &["create", "--description", "x", "-q", "-o", "json"],
            &["cannot be used with"],
        ),
        (
            &["frobnicate"],
            &["unrecognized subcommand", "avn-token --help"],
        ),
        (
            &["list", "--request-timeout", "0"],
            &["must be more than 0 seconds"],
        ),
    ];
    for (args, says) in cases {
        let out = cmd().args(args).run();
        out.code(2).one_line_error();
        for words in says {
            out.stderr_contains(words);
        }
    }
    // Arguments that are not valid Unicode (as each platform spells one) are one line too.
    let out = cmd()
        .args(["create", "--description"])
        .arg(crate::support::platform::not_utf8_argument())
        .run();
    out.code(2).one_line_error();
    out.stderr_contains("UTF-8");
    // Help and version still go to stdout, whole, with status 0.
    let help = cmd().args(["create", "--help"]).run();
    help.success().stdout_contains("Usage: avn-token create");
    assert_eq!(help.stderr, "");
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
fn bad_local_input_is_a_usage_error_before_any_request() {
    let server = token_api(vec![]);
    for args in [
        &[
            "create",
            "--description",
            "d",
            "--ip-allowlist",
            "10.0.0.1/33",
        ][..],
        &[
            "create",
            "--description",
            "d",
            "--ip-allowlist",
            "not-an-ip",
        ],
        &[
            "create",
            "--description",
            "d",
            "--ip-allowlist",
            "10.0.0.1/8",
        ],
        &["create", "--description", "d", "--expires-in", "soon"],
        &[
            "create",
            "--description",
            "d",
            "--expires-in",
            "1h",
            "--max-age-seconds",
            "60",
        ],
        &["list", "--output", "xml"],
        &["list", "--request-timeout", "-1"],
    ] {
        let out = cmd().api(&server).args(args).run();
        out.code(2);
        assert_eq!(out.stdout, "", "{args:?}");
    }
    assert!(
        server.requests().is_empty(),
        "no request may be sent for bad input"
    );
}

#[test]
fn invalid_input_exits_2_before_anything_is_sent() {
    let server = prefix_api(vec![]);
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

/// The program's name in help and usage errors is `avn-token`, whatever file it was started
/// from (on Windows argv[0] ends in `.exe`).
mod program_name {
    use std::path::PathBuf;

    use crate::support::{Cmd, bin};

    /// The binary under test started from a file named `avn-token.exe`: on Windows it is
    /// that file already; elsewhere a symbolic link of that name to it.
    fn started_as_avn_token_exe(dir: &std::path::Path) -> PathBuf {
        if cfg!(windows) {
            return bin();
        }
        let renamed = dir.join("avn-token.exe");
        crate::support::platform::symlink(bin(), &renamed);
        renamed
    }

    #[test]
    fn help_and_usage_errors_name_the_program_avn_token_whatever_its_file_is_called() {
        let dir = tempfile::tempdir().unwrap();
        let renamed = started_as_avn_token_exe(dir.path());
        assert!(renamed.ends_with("avn-token.exe"), "{}", renamed.display());

        let help = Cmd::new(&renamed).args(["create", "--help"]).run();
        help.success();
        help.stdout_contains("Usage: avn-token create ");
        assert!(!help.stdout.contains(".exe"), "{}", help.stdout);

        let error = Cmd::new(&renamed).args(["create", "--bogus"]).run();
        error.code(2).one_line_error();
        error.stderr_contains("(see `avn-token create --help`)");
        assert!(!error.stderr.contains(".exe"), "{}", error.stderr);
    }
}

/// Issue 19.11, from the user's side: usage errors that say what to type instead, and
/// help that says things once. Each case: the command, stdout, stderr, exit code, and
/// that nothing reached the API.
mod tips {
    use crate::support::server::{Canned, ScriptedServer};
    use crate::support::{Run, cmd};
    use avn_token::sandbox::{BackgroundSandbox, Options};
    use serde_json::json;

    /// `args` against a server that answers anything; the run, and whether anything was sent.
    fn refused(args: &[&str]) -> Run {
        let server = ScriptedServer::always(Canned::json(200, json!({"tokens": []})));
        let out = cmd().api(&server).args(args).run();
        out.code(2).one_line_error();
        assert!(
            server.requests().is_empty(),
            "{args:?}: sent {:?}",
            server.requests()
        );
        out
    }

    /// Words other tools use for a command get clap's own tip, as a misspelling does.
    #[test]
    fn a_command_by_another_name_gets_a_suggestion() {
        let cases: &[(&[&str], &str)] = &[
            (&["delete", "6JsKDclT3OMQ"], "'revoke'"),
            (&["remove", "6JsKDclT3OMQ"], "'revoke'"),
            (&["ls"], "'list'"),
            (&["show", "6JsKDclT3OMQ"], "'info'"),
            (&["new", "--description", "x"], "'create'"),
            (&["application-user", "remove", "u1"], "'delete'"),
            (
                &["application-user", "token", "delete", "u1", "p"],
                "'revoke'",
            ),
        ];
        for (args, suggested) in cases {
            let out = refused(args);
            out.stderr_contains(&format!("tip: a similar subcommand exists: {suggested}"));
        }
        // A word that is a command here is not "suggested" as itself.
        refused(&["application-user", "destroy", "u1"]).stderr_contains("'delete'");
        // Nothing close: no tip.
        let out = refused(&["zzz"]);
        assert!(!out.stderr.contains("tip:"), "{}", out.stderr);
    }

    /// An option of other commands is named as such, without clap's `use '-- -q'` (which
    /// would make `-q` the token prefix).
    #[test]
    fn an_option_of_other_commands_says_whose_it_is() {
        let out = refused(&["info", "6JsKDclT3OMQ", "-q"]);
        assert_eq!(
            out.stderr,
            "error: unexpected argument '-q' found; tip: -q is an option of `create` and \
             `rotate` (see `avn-token info --help`)\n"
        );
        let out = refused(&["list", "--force"]);
        out.stderr_contains("--force is an option of");
        assert!(!out.stderr.contains("use '--"), "{}", out.stderr);
    }

    /// A duration given to --max-age-seconds points at the option that takes one.
    #[test]
    fn a_duration_for_max_age_seconds_points_at_expires_in() {
        let out = refused(&["create", "--description", "ci", "--max-age-seconds", "1h"]);
        out.stderr_contains("for a duration use --expires-in 1h (or --max-age-seconds 3600)");
        let out = refused(&[
            "application-user",
            "token",
            "create",
            "u1",
            "--description",
            "ci",
            "--max-age-seconds",
            "90m",
        ]);
        out.stderr_contains("90m is --max-age-seconds 5400");
        // Not a duration either: the plain message.
        let out = refused(&["create", "--description", "ci", "--max-age-seconds", "soon"]);
        assert!(!out.stderr.contains("--expires-in"), "{}", out.stderr);
    }

    /// `--organization-id`'s help names its variable once.
    #[test]
    fn organization_id_help_names_its_variable_once() {
        let commands: &[&[&str]] = &[
            &["list"],
            &["create"],
            &["audit"],
            &["application-user", "list"],
            &["application-user", "token", "create"],
        ];
        for command in commands {
            let out = cmd()
                .env("COLUMNS", "100")
                .args(*command)
                .arg("--help")
                .run();
            out.success();
            let option: String = out
                .stdout
                .split("--organization-id <ORG_ID>")
                .nth(1)
                .expect("the option")
                .split("\n  -")
                .next()
                .unwrap()
                .to_owned();
            assert_eq!(
                option.matches("AIVEN_ORGANIZATION_ID").count(),
                1,
                "{command:?}: {option}"
            );
        }
    }

    /// `avn`'s `application-user token create|list` take the user's ID; given a name, the
    /// "not found" says that avn-token's own commands take names.
    #[test]
    fn a_name_where_avn_takes_an_id_points_at_app_user() {
        let sandbox = BackgroundSandbox::start(Options::default()).expect("sandbox starts");
        let run = |args: &[&str]| {
            cmd()
                .url(sandbox.url())
                .token(sandbox.token().expose())
                .args(args)
                .run()
        };
        run(&["application-user", "create", "--name", "ci-bot"]).success();
        let out = run(&[
            "application-user",
            "token",
            "create",
            "ci-bot",
            "--description",
            "x",
        ]);
        out.code(4).one_line_error();
        out.stderr_contains("`avn-token create --app-user \"ci-bot\"` also takes a name");
        let out = run(&["application-user", "token", "list", "ci-bot"]);
        out.code(4).one_line_error();
        out.stderr_contains("`avn-token list --app-user \"ci-bot\"` also takes a name");
        // Which works.
        run(&["create", "--app-user", "ci-bot", "--description", "x", "-q"]).success();
    }
}
