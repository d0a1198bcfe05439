//! `avn-token man [--dir DIR]`: the manual, generated from the clap tree.
//!
//! One page, `avn-token.1`, holds everything: SYNOPSIS, DESCRIPTION, every command with its
//! own options, the global OPTIONS, ENVIRONMENT (every variable in [`EnvVars::DOCUMENTED`]),
//! FILES, EXIT STATUS (from [`exit::CODES`]) and EXAMPLES (from each command's help).
//! `--dir` writes it and one page per command (`avn-token-create.1`, ...). Hidden commands
//! (`user`, avn's spelling) stay out.
//!
//! Examples are set in no-fill mode with hyphenation off, and every `-` is written `\-`:
//! man would otherwise reflow command lines, break `--description` across lines, or print
//! its dashes as typographic hyphens that do not work when pasted into a shell.

use std::path::Path;

use anyhow::{Context as _, Result};
use clap::{Arg, Command, CommandFactory};
use roff::{Roff, bold, italic, roman};

use crate::cli::{Cli, ManArgs, TOP_LEVEL_NOTES};
use crate::env_vars::EnvVars;
use crate::exit;
use crate::output::write_stdout;

/// The section of every page.
const SECTION: &str = "1";

pub(super) fn run(args: &ManArgs) -> Result<()> {
    let top = built_command();
    let Some(dir) = &args.dir else {
        write_stdout(&main_page(&top))?;
        return Ok(());
    };
    // As `mkdir -p`: ~/.local/share/man/man1 is often not there yet.
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_page(dir, "avn-token", &main_page(&top))?;
    for sub in visible_subcommands(&top) {
        let name = format!("avn-token-{}", sub.get_name());
        write_page(dir, &name, &command_page(sub, &name))?;
    }
    Ok(())
}

fn write_page(dir: &Path, name: &str, page: &str) -> Result<()> {
    let path = dir.join(format!("{name}.{SECTION}"));
    // Pages are for everyone to read: a plain write, not the private one for credentials.
    std::fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))
}

/// The clap tree with global options propagated to every command (as `--help` shows them).
fn built_command() -> Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// A command's commands, without the hidden ones and clap's `help`.
fn visible_subcommands(command: &Command) -> impl Iterator<Item = &Command> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set() && sub.get_name() != "help")
}

/// A command's entry (name, summary, usage, own options), then its own commands' entries
/// (`avn-token application-user token create`).
fn command_entry(roff: &mut Roff, sub: &Command, parent: &str) {
    let name = format!("{parent} {}", sub.get_name());
    roff.control("SS", [name.as_str()]);
    roff.text([roman(about(sub))]);
    roff.control("PP", []);
    no_fill(roff, [usage(sub)]);
    options(roff, own_args(sub));
    for nested in visible_subcommands(sub) {
        command_entry(roff, nested, &name);
    }
}

/// `avn-token.1`.
pub(crate) fn main_page(top: &Command) -> String {
    let man = clap_mangen::Man::new(top.clone());
    let mut page = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = man.render_title(&mut page);
    let mut roff = Roff::new();
    roff.control("nh", []).control("ad", ["l"]);
    let _ = roff.to_writer(&mut page);
    let _ = man.render_name_section(&mut page);
    let _ = man.render_synopsis_section(&mut page);

    let mut roff = Roff::new();
    roff.control("SH", ["DESCRIPTION"]);
    roff.text([roman(about(top))]);
    for paragraph in TOP_LEVEL_NOTES.split("\n\n") {
        let (prose, commands): (Vec<&str>, Vec<&str>) =
            paragraph.lines().partition(|line| !line.starts_with("  "));
        roff.control("PP", []);
        roff.text([roman(prose.join(" "))]);
        if !commands.is_empty() {
            no_fill(
                &mut roff,
                commands.iter().map(|line| line.trim().to_owned()),
            );
        }
    }
    roff.control("SH", ["COMMANDS"]);
    for sub in visible_subcommands(top) {
        command_entry(&mut roff, sub, "avn-token");
    }
    roff.control("SH", ["OPTIONS"]);
    roff.text([roman(
        "Accepted by every command, before or after the command's name.",
    )]);
    options(&mut roff, top.get_arguments());
    environment(&mut roff);
    files_section(&mut roff);
    exit_status(&mut roff);
    roff.control("SH", ["EXAMPLES"]);
    for sub in visible_subcommands(top) {
        examples(&mut roff, sub);
    }
    roff.control("SH", ["SEE ALSO"]);
    let pages: Vec<String> = visible_subcommands(top)
        .map(|sub| format!("avn-token-{}({SECTION})", sub.get_name()))
        .chain(["avn(1)".to_owned()])
        .collect();
    roff.text([roman(pages.join(", "))]);
    let _ = roff.to_writer(&mut page);
    String::from_utf8_lossy(&page).into_owned()
}

/// `avn-token-create.1` and the like: one command, its options, the global ones, examples.
fn command_page(sub: &Command, name: &str) -> String {
    let mut roff = Roff::new();
    roff.control("TH", [name.to_uppercase().as_str(), SECTION])
        .control("nh", [])
        .control("ad", ["l"])
        .control("SH", ["NAME"])
        .text([roman(format!("{name} \\- {}", about(sub)))]);
    roff.control("SH", ["SYNOPSIS"]);
    no_fill(&mut roff, [usage(sub)]);
    roff.control("SH", ["OPTIONS"]);
    options(&mut roff, own_args(sub));
    if sub.has_subcommands() {
        roff.control("SH", ["COMMANDS"]);
        let parent = format!("avn-token {}", sub.get_name());
        for nested in visible_subcommands(sub) {
            command_entry(&mut roff, nested, &parent);
        }
    }
    roff.control("SH", ["GLOBAL OPTIONS"]);
    options(
        &mut roff,
        sub.get_arguments().filter(|arg| arg.is_global_set()),
    );
    roff.control("SH", ["EXAMPLES"]);
    examples(&mut roff, sub);
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(format!("avn-token({SECTION})"))]);
    // `roman` escapes `\`: the NAME line's `\-` is written as roff, not as text.
    roff.to_roff().replace("\\\\\\-", "\\-")
}

fn about(command: &Command) -> String {
    command
        .get_about()
        .map(|about| about.to_string())
        .unwrap_or_default()
}

/// `avn-token create [OPTIONS] --description <DESCRIPTION>`.
fn usage(sub: &Command) -> String {
    let usage = sub.clone().render_usage().to_string();
    usage.trim_start_matches("Usage: ").to_owned()
}

/// A command's own arguments: not the global ones, not `--help` (said once, in OPTIONS).
fn own_args(sub: &Command) -> impl Iterator<Item = &Arg> {
    sub.get_arguments().filter(|arg| {
        !arg.is_global_set()
            && !arg.is_hide_set()
            && !["help", "version"].contains(&arg.get_id().as_str())
    })
}

/// `.TP` entries: the option in bold with its value in italics, then its help.
fn options<'a>(roff: &mut Roff, args: impl Iterator<Item = &'a Arg>) {
    for arg in args.filter(|arg| !arg.is_hide_set()) {
        let mut header = Vec::new();
        if let Some(short) = arg.get_short() {
            header.push(bold(format!("-{short}")));
            if arg.get_long().is_some() {
                header.push(roman(", "));
            }
        }
        if let Some(long) = arg.get_long() {
            header.push(bold(format!("--{long}")));
        }
        let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values());
        if let Some(names) = arg.get_value_names().filter(|_| takes_value) {
            let names: Vec<String> = names.iter().map(ToString::to_string).collect();
            if !arg.is_positional() {
                header.push(roman(" "));
            }
            header.push(italic(names.join(" ")));
        }
        roff.control("TP", []);
        roff.text(header);
        let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
        roff.text([roman(help)]);
    }
}

fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in EnvVars::DOCUMENTED {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*meaning)]);
    }
}

fn files_section(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    roff.control("TP", []);
    roff.text([bold("~/.config/aiven/aiven-credentials.json")]);
    roff.text([roman(format!(
        "The credentials file avn and avn-token share: {{\"auth_token\": ..., \"user_email\": ...}}, \
         written by login with mode 0600 and removed by logout. {} names another file, {} \
         another directory for it.",
        EnvVars::AIVEN_CREDENTIALS_FILE,
        EnvVars::AIVEN_CONFIG_DIR
    ))]);
}

fn exit_status(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in exit::CODES {
        roff.control("TP", []);
        roff.text([bold(code.to_string())]);
        roff.text([roman(*meaning)]);
    }
}

/// The `Examples:` lines of a command's help, as they are typed, then its commands'.
fn examples(roff: &mut Roff, sub: &Command) {
    let after = sub
        .get_after_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let lines: Vec<String> = after
        .lines()
        .skip_while(|line| !line.starts_with("Example"))
        .skip(1)
        .map(|line| line.trim().to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    if !lines.is_empty() {
        roff.control("PP", []);
        roff.text([roman(about(sub))]);
        no_fill(roff, lines);
    }
    for nested in visible_subcommands(sub) {
        examples(roff, nested);
    }
}

/// Lines set as they are: no filling, no adjusting, no hyphenation, indented.
fn no_fill(roff: &mut Roff, lines: impl IntoIterator<Item = String>) {
    roff.control("RS", ["4"]).control("nf", []);
    for line in lines {
        roff.text([roman(line)]);
    }
    roff.control("fi", []).control("RE", []);
}
