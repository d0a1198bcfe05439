//! One file per subcommand, each with `pub async fn run(args, ctx) -> Result<()>`.
//!
//! [`run`] resolves the configuration once, builds the authenticated [`Context`] for the
//! commands that talk to the API, and races the command against Ctrl-C.

mod completions;
mod create;
mod expire_all;
mod info;
mod list;
mod login;
mod logout;
mod man;
mod revoke;
mod rotate;
mod sandbox;
mod update;

use std::io::IsTerminal;

use anyhow::Result;

use crate::api::{Client, Token};
use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::exit::{self, CommandError};
use crate::output::{Printer, diag};

/// What an API command gets: an authenticated client, the printer, and whether a person
/// is at the keyboard (prompts happen only then).
pub struct Context {
    pub client: Client,
    pub printer: Printer,
    pub interactive: bool,
}

impl Context {
    /// Ask a person to confirm, unless `assume_yes` or nobody is there to ask (a pipe, CI):
    /// then the answer is yes, as for `avn`, which never asks.
    ///
    /// The terminal is read on a blocking thread so Ctrl-C still ends the command at once.
    pub async fn confirm(&self, question: &str, assume_yes: bool) -> Result<()> {
        if assume_yes || !self.interactive {
            return Ok(());
        }
        let question = question.to_owned();
        if tokio::task::spawn_blocking(move || diag::confirm(&question)).await?? {
            Ok(())
        } else {
            Err(CommandError::Refused("aborted: nothing was changed".into()).into())
        }
    }
}

/// Run the parsed command line; `Ok` carries the exit code.
pub async fn run(cli: Cli) -> Result<u8> {
    let cli = Cli {
        command: cli.command.canonical(),
        ..cli
    };
    // Commands that need neither the API nor credentials.
    match &cli.command {
        Command::Completions(args) => return completions::run(args).map(|()| exit::SUCCESS),
        Command::Man => return man::run().map(|()| exit::SUCCESS),
        Command::Sandbox(args) => return sandbox::run(args).await,
        _ => {}
    }

    let config = Config::resolve(&cli.global, |key| std::env::var_os(key))?;
    for warning in &config.warnings {
        diag::warn(warning);
    }
    let printer = Printer::new(cli.global.output_format(), cli.global.relative);
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();

    let work = async {
        match &cli.command {
            Command::Login(args) => return login::run(args, &config, interactive).await,
            Command::Logout(args) => return logout::run(args, &config).await,
            _ => {}
        }
        let client = Client::new(&config, config.token()?)?;
        let ctx = Context {
            client,
            printer,
            interactive,
        };
        match &cli.command {
            Command::Create(args) => create::run(args, &ctx).await,
            Command::List(args) => list::run(args, &ctx).await,
            Command::Info(args) => info::run(args, &ctx).await,
            Command::Update(args) => update::run(args, &ctx).await,
            Command::Revoke(args) => revoke::run(args, &ctx).await,
            Command::Rotate(args) => rotate::run(args, &ctx).await,
            Command::ExpireAll(args) => expire_all::run(args, &ctx).await,
            Command::Login(_)
            | Command::Logout(_)
            | Command::Sandbox(_)
            | Command::Completions(_)
            | Command::Man
            | Command::User { .. } => Err(anyhow::anyhow!(
                "internal error: this command is dispatched before authentication"
            )),
        }
    };
    tokio::select! {
        result = work => result.map(|()| exit::SUCCESS),
        _ = tokio::signal::ctrl_c() => {
            if std::io::stderr().is_terminal() {
                diag::trace(&[String::new()]); // end the line a prompt may have left open
            }
            Ok(exit::INTERRUPTED)
        }
    }
}

/// The one token `wanted` (a prefix, a shorter prefix, or a full token) names in `tokens`.
/// Commands that have no single-token endpoint (info, rotate) find it this way.
fn find_token<'a>(tokens: &'a [Token], wanted: &str) -> Result<&'a Token> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return Err(CommandError::Usage("the token prefix must not be empty".into()).into());
    }
    let matches: Vec<&Token> = tokens.iter().filter(|t| t.matches(wanted)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CommandError::NotFound(format!(
            "no token matches prefix `{}`; `avn-token list` shows your tokens",
            shown_prefix(wanted)
        ))
        .into()),
        many => Err(CommandError::Usage(format!(
            "prefix `{}` matches {} tokens ({}); give more characters",
            shown_prefix(wanted),
            many.len(),
            many.iter()
                .filter_map(|t| t.token_prefix())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

/// A prefix as it may appear in messages: a full token is cut to its first 12 characters.
fn shown_prefix(wanted: &str) -> &str {
    crate::secret::visible_prefix(wanted)
}
