//! `avn-token completions SHELL`: a completion script generated from the clap tree.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::write_stdout;

pub fn run(args: &CompletionsArgs) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "avn-token", &mut script);
    write_stdout(&String::from_utf8_lossy(&script))?;
    Ok(())
}
