//! `avn-token completions SHELL`: a completion script generated from the clap tree.
//!
//! clap_complete's bash script is broken for a program name with a hyphen (clap-rs/clap
//! issue 6421, open): its dispatch loop spells the state of `avn-token create` as
//! `avn__token__subcmd__create` and its case labels as `avn__subcmd__token__subcmd__create`,
//! so nothing past the first word ever completes. The script is therefore generated for the
//! hyphen-free name `avn_token` (the loop keys on the word bash passes, whatever it is) and
//! only its `complete` lines, which name the program, are pointed at `avn-token`. zsh and
//! fish scripts spell the name consistently and are used as generated.

use anyhow::{Result, bail};
use clap::CommandFactory;
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
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), name, &mut script);
    String::from_utf8_lossy(&script).into_owned()
}
