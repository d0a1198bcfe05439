//! The man pages (`avn-token man`, `man --dir`): every section, every visible command and
//! its options, every environment variable the README lists, examples that survive groff,
//! and one page per command in a directory created as needed.

use super::COMMANDS;
use crate::support::cmd;
use crate::support::snapshot::assert_exact_snapshot;

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
        crate::support::skips::skip(
            "the man page formatted by groff",
            "groff not found",
            "install groff",
        );
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

/// Issue 11.7: the man page's ENVIRONMENT lists every variable. The two issue 10 added,
/// `AIVEN_ORGANIZATION_ID` and `AIVEN_FORCE` (in the README's table), were missing.
#[test]
fn man_environment_lists_every_variable_the_readme_lists() {
    let out = cmd().arg("man").run();
    out.success();
    let page = &out.stdout;
    let start = page.find(".SH ENVIRONMENT").expect("ENVIRONMENT");
    let section = &page[start..start + page[start..].find(".SH FILES").expect("FILES")];
    for variable in [
        "AIVEN_AUTH_TOKEN",
        "AIVEN_WEB_URL",
        "AIVEN_CA_CERT",
        "REQUESTS_CA_BUNDLE",
        "AIVEN_CREDENTIALS_FILE",
        "AIVEN_CONFIG_DIR",
        "AIVEN_ORGANIZATION_ID",
        "AIVEN_FORCE",
        "AVN_TOKEN_OUTPUT",
        "COLUMNS",
        "NO_COLOR",
        "https_proxy",
        "http_proxy",
        "no_proxy",
    ] {
        assert!(
            section.contains(&format!("\\fB{variable}\\fR")),
            "no {variable}:\n{section}"
        );
    }
}

/// README: `avn-token man --dir ~/.local/share/man/man1`. On a machine where that
/// directory does not exist yet (most), it failed: "cannot write ...: No such file or
/// directory". It is created, as `mkdir -p` would.
#[test]
fn man_dir_creates_the_directory() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".local/share/man/man1");
    cmd().args(["man", "--dir"]).arg(&dir).run().success();
    assert!(dir.join("avn-token.1").is_file() && dir.join("avn-token-audit.1").is_file());
}

/// Issue 11.7: the man page has "the commands" with their options. The application-user
/// commands (issue 10) were one line, `avn-token application-user [OPTIONS] <COMMAND>`: none
/// of `create`, `token create`, ... nor their options (`--name`, `--verbose`) was anywhere,
/// in `avn-token.1` or in `avn-token-application-user.1`.
#[test]
fn man_pages_describe_the_application_user_commands() {
    let dir = tempfile::tempdir().unwrap();
    cmd().args(["man", "--dir"]).arg(dir.path()).run().success();
    for page in ["avn-token.1", "avn-token-application-user.1"] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        for command in [
            "create",
            "delete",
            "token create",
            "token list",
            "token revoke",
        ] {
            assert!(
                text.contains(&format!(".SS \"avn-token application-user {command}\"")),
                "{page}: no {command}"
            );
        }
        for option in [
            "\\fB\\-\\-name\\fR",
            "\\fB\\-\\-verbose\\fR",
            "\\fB\\-\\-scopes\\fR",
        ] {
            assert!(text.contains(option), "{page}: no {option}");
        }
        assert!(
            text.contains("application\\-user token revoke u1234abcd"),
            "{page}: examples"
        );
        assert!(
            !text.contains("avn-token application-user help"),
            "{page}: clap's help"
        );
    }
}

/// The man page as reviewed (`cargo insta review`), whole: every command, option, variable
/// and example in its roff markup (the version is a placeholder).
#[test]
fn the_man_page_is_as_reviewed() {
    let out = cmd().arg("man").run();
    out.success();
    assert_exact_snapshot!("avn-token.1", out.stdout);
}
