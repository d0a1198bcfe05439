//! Shell completions (`avn-token completions SHELL`), generated from the CLI definition and
//! tried in the real shells where they are installed: bash completes commands, options and
//! values, zsh and fish load the scripts, fish completes nested commands.

use std::path::Path;

use crate::support::{cmd, have_shell};

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = cmd().args(["completions", shell]).run();
        out.success();
        assert!(out.stdout.contains("avn-token"), "{shell}");
        assert!(
            out.stdout.contains("rotate") && out.stdout.contains("expire-all"),
            "{shell}"
        );
    }
    cmd().args(["completions", "tcsh"]).run().code(2);
    let man = cmd().arg("man").run();
    man.success();
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq") || man.stdout.contains(".TH avn-token"),
        "{}",
        &man.stdout[..200]
    );
    assert!(
        man.stdout.contains("rotate") && man.stdout.contains("EXIT STATUS"),
        "man page lacks sections"
    );
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
    if !have_shell("bash") {
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
    if have_shell("zsh") {
        let script = write_script(dir.path(), "zsh");
        crate::support::Cmd::new("zsh")
            .arg("-n")
            .arg(&script)
            .run()
            .success();
        let text = std::fs::read_to_string(&script).unwrap();
        assert!(text.starts_with("#compdef avn-token"), "{text:.80}");
    }
    if have_shell("fish") {
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

/// Issue 11.1: "Make completion work in bash, zsh and fish." In fish, nothing completed
/// past two commands: clap_complete's fish generator stops there, so `application-user
/// token create --desc<TAB>` (issue 10's commands) offered nothing.
#[test]
fn fish_completes_application_user_token_commands() {
    if !have_shell("fish") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("avn-token.fish");
    let out = cmd().args(["completions", "fish"]).run();
    out.success();
    std::fs::write(&script, &out.stdout).unwrap();
    let complete = |line: &str| {
        let out = crate::support::Cmd::new("fish")
            .arg("-c")
            .arg(format!("source {}; complete -C '{line}'", script.display()))
            .run();
        out.success();
        assert_eq!(out.stderr, "", "the script does not load cleanly");
        out.stdout
    };
    let formats = complete("avn-token application-user token create -o ");
    assert!(formats.contains("pretty\t"), "{formats}");
    let create = complete("avn-token application-user token create --");
    for option in [
        "--description\t",
        "--max-age-seconds\t",
        "--scopes\t",
        "--organization-id\t",
    ] {
        assert!(create.contains(option), "no {option}:\n{create}");
    }
    assert!(complete("avn-token application-user token list --ver").starts_with("--verbose"));
    // Not offered where it does not apply.
    assert!(!complete("avn-token application-user create --").contains("--max-age-seconds"));
}
