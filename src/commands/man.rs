//! `avn-token man`: the man page (roff), generated from the clap tree: the main page, then
//! one section per subcommand.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::output::write_stdout;

pub fn run() -> Result<()> {
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page)?;
    for sub in command.get_subcommands() {
        let name: String = format!("avn-token-{}", sub.get_name());
        let mut section = Vec::new();
        clap_mangen::Man::new(sub.clone().name(name)).render(&mut section)?;
        page.extend_from_slice(&section);
    }
    write_stdout(&String::from_utf8_lossy(&page))?;
    Ok(())
}
