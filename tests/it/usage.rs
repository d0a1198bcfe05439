//! Issue 19.11, from the user's side: usage errors that say what to type instead, and
//! help that says things once. Each case: the command, stdout, stderr, exit code, and
//! that nothing reached the API.

use serde_json::json;

use avn_token::sandbox::{BackgroundSandbox, Options};

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Run, cmd};

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
