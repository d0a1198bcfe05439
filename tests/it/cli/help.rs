//! `--help` of every command: it fits in 100 columns and 60 lines, shows an example, one
//! line per global option, environment variables without their values.

use super::COMMANDS;
use crate::support::cmd;
use crate::support::snapshot::assert_exact_snapshot;

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
        assert_eq!(globals.len(), 12, "{command}:\n{text}");
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

/// The commands under `application-user`, at every depth.
const APPLICATION_USER_COMMANDS: [&str; 10] = [
    "create",
    "list",
    "info",
    "update",
    "delete",
    "token",
    "token create",
    "token list",
    "token info",
    "token revoke",
];

/// Issue 11.2: "Every command's help has an example." The help of each `application-user`
/// command (issue 10) had none, nor a fitting length check: every visible command, at
/// every depth, is checked here.
#[test]
fn every_application_user_command_has_an_example_and_fits() {
    for command in APPLICATION_USER_COMMANDS {
        let out = cmd()
            .env("COLUMNS", "100")
            .arg("application-user")
            .args(command.split(' '))
            .arg("--help")
            .run();
        out.success();
        let text = &out.stdout;
        assert!(text.contains("\nExample"), "{command}: no example:\n{text}");
        assert!(text.lines().count() <= 60, "{command}:\n{text}");
        assert!(
            text.lines().all(|line| line.chars().count() <= 100),
            "{command}:\n{text}"
        );
    }
}

/// Every help text as reviewed (`cargo insta review`), whole: the wording, the layout of the
/// option lists and of the exit-code block, at 100 columns; the top level also at 60, where
/// its lines wrap and continuation lines must stay aligned.
#[test]
fn every_help_is_as_reviewed() {
    for columns in ["100", "60"] {
        let out = cmd().env("COLUMNS", columns).arg("--help").run();
        out.success();
        assert_exact_snapshot!(format!("top_level_{columns}_columns"), out.stdout);
    }
    let application_user =
        APPLICATION_USER_COMMANDS.map(|command| format!("application-user {command}"));
    let commands = COMMANDS.iter().map(|command| command.to_string());
    for command in commands.chain(application_user) {
        let out = cmd()
            .env("COLUMNS", "100")
            .args(command.split(' '))
            .arg("--help")
            .run();
        out.success();
        assert_exact_snapshot!(command.replace(' ', "_"), out.stdout);
    }
}
