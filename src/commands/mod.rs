//! One file per subcommand, each with `pub(super) async fn run(args, ctx) -> Result<()>`.
//!
//! [`run`] is the one dispatch: a single `match` on the command. Commands that talk to the
//! API get a [`Context`], built only for them (completions, the man page and the sandbox
//! need no configuration), whose authenticated client is made on first use. Those commands
//! race Ctrl-C; the sandbox handles its own signals, as it must stop cleanly.

mod application_user;
mod audit;
mod complete;
mod completions;
mod create;
mod deliver;
mod expire_all;
mod info;
mod list;
mod login;
mod logout;
mod lookup;
mod man;
mod owner;
mod revoke;
mod rotate;
mod sandbox;
mod update;
mod version;

use std::cell::OnceCell;
use std::future::Future;
use std::io::IsTerminal;
use std::sync::Arc;

use anyhow::Result;

use crate::api::{ApiError, Client};
use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::Config;
use crate::diag;
use crate::env_vars::ProcessEnv;
use crate::exit::{self, CommandError};
use crate::output::Printer;
use crate::secret::Secret;

/// What a command that talks to the API gets: the configuration, the printer, whether a
/// person is at the keyboard (prompts happen only then), and the authenticated client.
pub(crate) struct Context {
    config: Config,
    pub(crate) printer: Printer,
    /// `--json` was given, `avn`'s spelling of `-o json`: where `avn` prints text even
    /// then (`revoke`'s `Revoked`), so does this, for scripts written for `avn`.
    pub(crate) avn_json: bool,
    pub(crate) interactive: bool,
    client: OnceCell<Client>,
    /// Where the client's traces and notes go: stderr, or nowhere for `__complete`.
    sink: Arc<dyn diag::Sink>,
}

impl Context {
    /// Resolve the configuration (printing its warnings) for a command that needs it.
    fn new(global: &GlobalArgs) -> Result<Context> {
        let config = Config::resolve(global, ProcessEnv)?;
        for warning in &config.warnings {
            diag::warn(warning);
        }
        Ok(Context {
            config,
            printer: Printer::for_stdout(global.output_format(), global.relative, |key| {
                std::env::var_os(key)
            })?,
            avn_json: global.json,
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            client: OnceCell::new(),
            sink: Arc::new(diag::Stderr),
        })
    }

    /// A context that says nothing, for answering a shell's completion (`__complete`): the
    /// configuration the completed command line would use, its warnings and the client's
    /// traces dropped, no printer format from the environment, never a prompt.
    fn quiet(global: &GlobalArgs) -> Result<Context> {
        Ok(Context {
            config: Config::resolve(global, ProcessEnv)?,
            printer: Printer::new(crate::cli::OutputFormat::Table, false),
            avn_json: false,
            interactive: false,
            client: OnceCell::new(),
            sink: Arc::new(Silent),
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// The client authenticated with the configured token (made on first use), or the
    /// "not authenticated" error naming every way to provide one.
    pub(crate) fn client(&self) -> Result<&Client> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        let client = self.client_for(self.config.token()?)?;
        Ok(self.client.get_or_init(|| client))
    }

    /// A client authenticated with another token (`login` checks the one it is given).
    pub(crate) fn client_for(&self, token: &Secret) -> Result<Client, ApiError> {
        Client::new(&self.config.client_options(self.sink.clone()), token)
    }

    /// Ask a person to confirm, unless `assume_yes` or nobody is there to ask (a pipe, CI):
    /// then the answer is yes, as for `avn`, which never asks.
    ///
    /// The terminal is read on a blocking thread so Ctrl-C still ends the command at once.
    pub(crate) async fn confirm(&self, question: &str, assume_yes: bool) -> Result<()> {
        if assume_yes || !self.interactive {
            return Ok(());
        }
        let question = question.to_owned();
        let yes = self
            .wait_for_answer(move || diag::confirm(&question))
            .await?;
        if yes {
            Ok(())
        } else {
            Err(CommandError::Refused("aborted: nothing was changed".into()).into())
        }
    }

    /// Wait for an answer from a person (or a pipe) on a blocking thread, so Ctrl-C still
    /// ends the command at once. The time it takes is not the server's: it does not count
    /// against the command's deadline.
    pub(crate) async fn wait_for_answer<T: Send + 'static>(
        &self,
        answer: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> Result<T> {
        let asked = std::time::Instant::now();
        let answer = tokio::task::spawn_blocking(answer).await??;
        if let Some(client) = self.client.get() {
            client.pause(asked.elapsed());
        }
        Ok(answer)
    }
}

/// A [`diag::Sink`] that drops everything: a completion must never write on the screen.
struct Silent;

impl diag::Sink for Silent {
    fn trace(&self, _lines: &[String]) {}
    fn note(&self, _message: &str) {}
}

/// Run the parsed command line; `Ok` carries the exit code.
pub async fn run(cli: Cli) -> Result<u8> {
    execute(cli.command, &cli.global).await
}

async fn execute(command: Command, global: &GlobalArgs) -> Result<u8> {
    let ctx = || Context::new(global);
    match command {
        Command::Create(args) => interruptible(create::run(&args, &ctx()?)).await,
        Command::List(args) => interruptible(list::run(&args, &ctx()?)).await,
        Command::Info(args) => interruptible(info::run(&args, &ctx()?)).await,
        Command::Update(args) => interruptible(update::run(&args, &ctx()?)).await,
        Command::Revoke(args) => interruptible(revoke::run(&args, &ctx()?)).await,
        Command::Rotate(args) => interruptible(rotate::run(&args, &ctx()?)).await,
        Command::ExpireAll(args) => interruptible(expire_all::run(&args, &ctx()?)).await,
        Command::ApplicationUser { command } => {
            interruptible(application_user::run(&command, &ctx()?)).await
        }
        // Its exit code is its verdict: 5 when it found what it was asked to fail on.
        Command::Audit(args) => interruptible_code(audit::run(&args, &ctx()?)).await,
        Command::Login(args) => {
            interruptible(login::run(&args, global.auth_token.as_ref(), &ctx()?)).await
        }
        Command::Logout(args) => interruptible(logout::run(&args, &ctx()?)).await,
        // Serves until Ctrl-C or SIGTERM, which it handles itself to stop cleanly.
        Command::Sandbox(args) => sandbox::run(&args).await,
        Command::Completions(args) => completions::run(&args).map(|()| exit::SUCCESS),
        Command::Man(args) => man::run(&args).map(|()| exit::SUCCESS),
        Command::Version(args) => version::run(&args).map(|()| exit::SUCCESS),
        // Answers within its deadline or offers nothing; exit 1: not a word it completes.
        Command::Complete(args) => complete::run(&args, global).await,
        // `avn`'s spelling (`user access-token list`) runs the same command.
        Command::User { command } => Box::pin(execute(command.into(), global)).await,
    }
}

/// Run `work`, or end with [`exit::INTERRUPTED`] at Ctrl-C.
async fn interruptible(work: impl Future<Output = Result<()>>) -> Result<u8> {
    interruptible_code(async { work.await.map(|()| exit::SUCCESS) }).await
}

/// [`interruptible`] for a command that decides its own exit code.
async fn interruptible_code(work: impl Future<Output = Result<u8>>) -> Result<u8> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => {
            if std::io::stderr().is_terminal() {
                diag::trace(&[String::new()]); // end the line a prompt may have left open
            }
            Ok(exit::INTERRUPTED)
        }
    }
}
