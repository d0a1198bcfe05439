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
    // Arguments that are not UTF-8 are one line too.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let out = cmd()
            .args(["create", "--description"])
            .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe"))
            .run();
        out.code(2).one_line_error();
        out.stderr_contains("UTF-8");
    }
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
    use crate::support::{Cmd, bin};

    #[cfg(unix)]
    #[test]
    fn help_and_usage_errors_name_the_program_avn_token_whatever_its_file_is_called() {
        let dir = tempfile::tempdir().unwrap();
        let renamed = dir.path().join("avn-token.exe");
        std::os::unix::fs::symlink(bin(), &renamed).unwrap();

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
