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

use anyhow::{Result, bail};
use clap::{Command, CommandFactory};
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::write_stdout;

/// The program's name, as the shell sees it.
const PROGRAM: &str = "avn-token";
/// The name the bash script is generated for: [`PROGRAM`] without its hyphen.
const BASH_INTERNAL_NAME: &str = "avn_token";

pub fn run(args: &CompletionsArgs) -> Result<()> {
    write_stdout(&script(args.shell)?)?;
    Ok(())
}

/// The completion script for `shell`.
fn script(shell: Shell) -> Result<String> {
    if shell == Shell::Fish {
        return Ok(fish_third_level(generate(shell, PROGRAM)));
    }
    if shell != Shell::Bash {
        return Ok(generate(shell, PROGRAM));
    }
    let script = generate(shell, BASH_INTERNAL_NAME);
    let internal_target = format!(" -o default {BASH_INTERNAL_NAME}\n");
    if script.matches(&internal_target).count() != 2 {
        bail!("unexpected bash script from clap_complete: its `complete` lines have changed");
    }
    Ok(script.replace(&internal_target, &format!(" -o default {PROGRAM}\n")))
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
