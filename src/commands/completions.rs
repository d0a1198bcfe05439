//! `avn-token completions SHELL`: a completion script generated from the clap tree.
//!
//! clap_complete's bash script is broken for a program name with a hyphen (clap-rs/clap
//! issue 6421, open): its dispatch loop spells the state of `avn-token create` as
//! `avn__token__subcmd__create` and its case labels as `avn__subcmd__token__subcmd__create`,
//! so nothing past the first word ever completes. The script is therefore generated for the
//! hyphen-free name `avn_token` (the loop keys on the word bash passes, whatever it is) and
//! only its `complete` lines, which name the program, are pointed at `avn-token`. zsh and
//! fish scripts spell the name consistently and are used as generated, fish's completed with
//! the third level of commands its generator leaves out ([`fish_third_level`]).
//!
//! Each script also asks the binary for what only the API knows (token prefixes after
//! `revoke`, `info`, `update`, `rotate`; `--app-user`; `--organization-id`): a small
//! function, registered in place of the generated one, runs `avn-token __complete` with the
//! command line and offers its answer, or hands over to the generated completion when that
//! says the word is not one of those (see `complete.rs`). Its output is read as lines of
//! plain values, never evaluated.

use anyhow::{Result, bail};
use clap::{Command, CommandFactory};
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::write_stdout;

/// The program's name, as the shell sees it.
const PROGRAM: &str = "avn-token";
/// The name the bash script is generated for: [`PROGRAM`] without its hyphen.
const BASH_INTERNAL_NAME: &str = "avn_token";

pub(super) fn run(args: &CompletionsArgs) -> Result<()> {
    write_stdout(&script(args.shell)?)?;
    Ok(())
}

/// The completion script for `shell`.
fn script(shell: Shell) -> Result<String> {
    match shell {
        Shell::Fish => {
            let script = fish_third_level(generate(shell, PROGRAM));
            Ok(fish_dynamic_options(&without_hidden_commands(shell, &script)) + FISH_DYNAMIC)
        }
        Shell::Zsh => zsh(without_hidden_commands(shell, &generate(shell, PROGRAM))),
        Shell::Bash => bash(without_hidden_commands(
            shell,
            &generate(shell, BASH_INTERNAL_NAME),
        )),
        _ => Ok(generate(shell, PROGRAM)),
    }
}

/// The script without hidden commands among those it offers: clap_complete offers them
/// (`avn-token <TAB>` listed `user`, `avn`'s spelling, and `__complete`), where `--help`
/// does not show them. They still complete once typed.
fn without_hidden_commands(shell: Shell, script: &str) -> String {
    let mut hidden = Vec::new();
    let mut visit = vec![Cli::command()];
    while let Some(command) = visit.pop() {
        for sub in command.get_subcommands() {
            if sub.is_hide_set() {
                hidden.push(sub.get_name().to_owned());
            }
            visit.push(sub.clone());
        }
    }
    let offers = |line: &str| {
        hidden.iter().any(|name| match shell {
            Shell::Fish => line.contains(&format!(" -a \"{name}\" ")),
            _ => line.starts_with(&format!("'{name}:")),
        })
    };
    let mut out = String::with_capacity(script.len());
    for line in script.split_inclusive('\n') {
        if shell == Shell::Bash && line.trim_start().starts_with("opts=\"") {
            // `opts="-o ... create list ... user __complete help"`: the names as words.
            let mut kept = line.to_owned();
            for name in &hidden {
                kept = kept
                    .replace(&format!(" {name} "), " ")
                    .replace(&format!(" {name}\""), "\"");
            }
            out.push_str(&kept);
        } else if !offers(line) {
            out.push_str(line);
        }
    }
    out
}

/// bash: the generated script, registered for [`PROGRAM`] through [`BASH_DYNAMIC`].
fn bash(script: String) -> Result<String> {
    let internal_target = format!(" -o default {BASH_INTERNAL_NAME}\n");
    let registration = "complete -F _avn_token ";
    if script.matches(&internal_target).count() != 2 || script.matches(registration).count() != 2 {
        bail!("unexpected bash script from clap_complete: its `complete` lines have changed");
    }
    let script = script
        .replace(&internal_target, &format!(" -o default {PROGRAM}\n"))
        .replace(registration, "complete -F _avn_token_dynamic ");
    let Some(at) = script.rfind("\nif [[ \"${BASH_VERSINFO[0]}\"") else {
        bail!("unexpected bash script from clap_complete: no registration block");
    };
    Ok(format!(
        "{}\n{BASH_DYNAMIC}{}",
        &script[..at],
        &script[at..]
    ))
}

/// zsh: the generated function renamed `_avn-token_static`, and [`ZSH_DYNAMIC`]'s
/// `_avn-token` in its place (the file's last lines call or register `_avn-token`).
fn zsh(script: String) -> Result<String> {
    let definition = "\n_avn-token() {\n";
    let trailer = "\nif [ \"$funcstack[1]\" = \"_avn-token\" ]; then";
    if script.matches(definition).count() != 1 || script.matches(trailer).count() != 1 {
        bail!("unexpected zsh script from clap_complete: `_avn-token` has changed");
    }
    let script = script.replace(definition, "\n_avn-token_static() {\n");
    Ok(script.replacen(trailer, &format!("\n{ZSH_DYNAMIC}{trailer}"), 1))
}

/// bash: ask `avn-token __complete` with the line up to the cursor; on exit 1 (not a word
/// it completes), the generated completion. bash splits words at `=` and `:`, so the part
/// of the answer's typed text it does not count as the current word is taken off each value.
const BASH_DYNAMIC: &str = r#"# Token prefixes, application users and organizations come from the API: avn-token
# answers for those words (within about a second, or offers nothing); for every other word
# the completion above applies.
_avn_token_dynamic() {
    local reply
    if ! reply=$(command "$1" __complete --line -- "${COMP_LINE:0:COMP_POINT}" 2>/dev/null); then
        _avn_token "$@"
        return
    fi
    # What the API offers, or nothing: not files instead.
    compopt +o default +o bashdefault 2>/dev/null
    local cur=${COMP_WORDS[COMP_CWORD]} typed value hint head=""
    COMPREPLY=()
    {
        IFS= read -r typed
        if (( ${#typed} > ${#cur} )); then
            head=${typed:0:${#typed}-${#cur}}
        fi
        while IFS=$'\t' read -r value hint; do
            if [[ -n $value && $value == "$head"* ]]; then
                COMPREPLY+=("${value#"$head"}")
            fi
        done
    } <<< "$reply"
}
"#;

/// zsh: the same, with each value's hint shown beside it; `--app-user=` stays in front.
const ZSH_DYNAMIC: &str = r#"# Token prefixes, application users and organizations come from the API: avn-token
# answers for those words (within about a second, or offers nothing); for every other word
# the completion above applies.
_avn-token() {
    local reply
    if ! reply=$(command ${words[1]} __complete -- "${(@Q)words[1,CURRENT]}" 2>/dev/null); then
        _avn-token_static "$@"
        return
    fi
    local -a lines values hints
    local line
    lines=("${(@f)reply}")
    for line in "${(@)lines[2,-1]}"; do
        [[ -n $line ]] || continue
        values+=("${line%%$'\t'*}")
        hints+=("${line%%$'\t'*}  -- ${line#*$'\t'}")
    done
    [[ $PREFIX == --*=* ]] && compset -P '*='
    (( ${#values} )) && compadd -Q -d hints -a values
}
"#;

/// fish: an entry whose condition asks `avn-token __complete` (keeping the answer) and
/// whose values are that answer, with their hints; and the same answer for the values of
/// `--app-user` and `--organization-id`, whose generated entries would offer files
/// ([`fish_dynamic_options`]).
const FISH_DYNAMIC: &str = r#"
# Token prefixes, application users and organizations come from the API: avn-token
# answers for those words (within about a second, or offers nothing); for every other word
# the completions above apply.
function __fish_avn_token_ask
    set -l words (commandline -opc) (commandline -ct)
    # fish itself reports a command it cannot find, whatever the redirection.
    command -q $words[1]
    and command $words[1] __complete -- $words 2>/dev/null
end
function __fish_avn_token_dynamic
    set -g __fish_avn_token_reply (__fish_avn_token_ask)
    or return 1
    set -e __fish_avn_token_reply[1]
end
function __fish_avn_token_values
    set -l reply (__fish_avn_token_ask)
    or return
    printf '%s\n' $reply[2..-1]
end
complete -c avn-token -n __fish_avn_token_dynamic -f -a '(printf "%s\n" $__fish_avn_token_reply)'
"#;

/// The generated fish entries for `--app-user` and `--organization-id` take their values
/// from `__fish_avn_token_values` instead of files.
fn fish_dynamic_options(script: &str) -> String {
    script
        .lines()
        .map(|line| {
            if line.starts_with("complete ")
                && (line.contains(" -l app-user ") || line.contains(" -l organization-id "))
                && line.ends_with(" -r")
            {
                format!("{line} -f -a '(__fish_avn_token_values)'\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

fn generate(shell: Shell, name: &str) -> String {
    generate_for(shell, Cli::command(), name)
}

fn generate_for(shell: Shell, mut command: Command, name: &str) -> String {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, name, &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// clap_complete's fish script stops at two levels of commands (its generator says so), so
/// `application-user token create --<TAB>` offered nothing. Each second-level command with
/// commands of its own (global options propagated) is generated as if it were the program,
/// and the lines for its commands are added under its path: `using_subcommand create`
/// becomes `using_subcommand application-user; and ... token; and ... create`.
fn fish_third_level(mut script: String) -> String {
    const USING: &str = "-n \"__fish_avn_token_using_subcommand ";
    let mut top = Cli::command();
    top.build();
    for first in top.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        for second in first.get_subcommands().filter(|sub| sub.has_subcommands()) {
            let path = format!(
                "{USING}{}; and __fish_seen_subcommand_from {}; and __fish_seen_subcommand_from ",
                first.get_name(),
                second.get_name()
            );
            // A `complete` line's values with their descriptions continue on the next lines.
            let mut taking = false;
            for line in generate_for(Shell::Fish, second.clone(), PROGRAM).lines() {
                if line.starts_with("complete ") {
                    taking = line.contains(USING);
                }
                if taking {
                    script.push_str(&line.replacen(USING, &path, 1));
                    script.push('\n');
                }
            }
        }
    }
    script
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clap_complete whose bash script no longer has the two lines `bash` rewrites (each
    /// registering the internal name with `complete -F _avn_token`) is refused, not patched
    /// half-way: either part missing is enough.
    #[test]
    fn a_bash_script_of_another_shape_is_refused() {
        let script = |function: &str, name: &str| {
            let line = format!("complete -F {function} -o default {name}\n");
            format!(
                "_avn_token() {{ :; }}\n{line}\nif [[ \"${{BASH_VERSINFO[0]}}\" -eq 4 ]]; then\n{line}fi\n"
            )
        };
        assert!(bash(script("_avn_token", BASH_INTERNAL_NAME)).is_ok());
        for (function, name) in [("_other", BASH_INTERNAL_NAME), ("_avn_token", "other")] {
            let refused = bash(script(function, name)).expect_err("refused");
            assert!(refused.to_string().contains("have changed"), "{refused}");
        }
    }

    /// The same for zsh: the function `zsh` renames and the trailer it calls it from, each
    /// exactly once.
    #[test]
    fn a_zsh_script_of_another_shape_is_refused() {
        let trailer = "\nif [ \"$funcstack[1]\" = \"_avn-token\" ]; then\n_avn-token \"$@\"\nfi\n";
        let definition = "\n_avn-token() {\n:\n}\n";
        assert!(zsh(format!("#compdef avn-token\n{definition}{trailer}")).is_ok());
        for script in [
            format!("#compdef avn-token\n{trailer}"),
            format!("#compdef avn-token\n{definition}"),
            format!("#compdef avn-token\n{definition}{definition}{trailer}"),
        ] {
            let refused = zsh(script).expect_err("refused");
            assert!(refused.to_string().contains("has changed"), "{refused}");
        }
    }

    /// Only fish's entries for `--app-user` and `--organization-id` values (`-r`) complete
    /// from the API; every other line stays as generated.
    #[test]
    fn fish_asks_the_api_for_the_two_options_only() {
        let asked = " -f -a '(__fish_avn_token_values)'";
        let lines = [
            ("complete -c avn-token -n x -l app-user -d 'User' -r", true),
            (
                "complete -c avn-token -n x -l organization-id -d 'Org' -r",
                true,
            ),
            (
                "complete -c avn-token -n x -l description -d 'Text' -r",
                false,
            ),
            ("complete -c avn-token -n x -l app-user -d 'A flag'", false),
            (
                "complete -c avn-token -n x -f -a \"list\" -d 'List tokens'",
                false,
            ),
            ("# complete -l app-user -r", false),
        ];
        let script: String = lines.iter().map(|(line, _)| format!("{line}\n")).collect();
        let out = fish_dynamic_options(&script);
        let out: Vec<&str> = out.lines().collect();
        assert_eq!(out.len(), lines.len());
        for ((line, dynamic), got) in lines.iter().zip(out) {
            let expected = if *dynamic {
                format!("{line}{asked}")
            } else {
                (*line).to_owned()
            };
            assert_eq!(got, expected);
        }
    }
}
