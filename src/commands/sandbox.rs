//! `avn-token sandbox`: print the exports and serve until Ctrl-C or SIGTERM, or (`--exec`)
//! run one command against the sandbox and exit with its status. The server itself is
//! [`crate::sandbox`].

use std::ffi::OsString;
use std::io;
use std::process::ExitStatus;

use anyhow::Result;

use crate::cli::SandboxArgs;
use crate::diag;
use crate::env_vars::EnvVars;
use crate::exit;
use crate::output::write_stdout;
use crate::sandbox::{Limits, Options, Sandbox};

/// Exit codes of a command that could not be started, as shells use them.
const COMMAND_NOT_FOUND: u8 = 127;
const COMMAND_NOT_RUNNABLE: u8 = 126;

pub async fn run(args: &SandboxArgs) -> Result<u8> {
    let options = Options {
        listen: args.listen,
        token: args.token.clone(),
        state: args.state.clone(),
        // It may serve millions of requests: keep none of them.
        record_requests: false,
        limits: limits(args),
    };
    if !options.listen.ip().is_loopback() {
        diag::warn(&format!(
            "listening on {}: anyone who can reach it can use this sandbox, in clear text",
            options.listen
        ));
    }
    let sandbox = Sandbox::start(options).await?;

    if args.exec {
        let code = exec(&sandbox, &args.command).await;
        return match sandbox.stop().await {
            // Unsaved state fails an otherwise successful run; a failed command's own
            // status matters more.
            Err(error) if code == exit::SUCCESS => Err(error),
            Err(error) => {
                diag::warn(&format!("{error:#}"));
                Ok(code)
            }
            Ok(()) => Ok(code),
        };
    }

    let stop = StopSignals::watch();
    let exports = exports(&sandbox.url(), sandbox.token().expose());
    // Serving matters more than the exports: a closed stdout is reported, not fatal.
    if let Err(error) = write_stdout(&exports) {
        diag::warn(&format!("cannot print the exports on stdout: {error}"));
    }
    diag::note(&format!(
        "sandbox serving at {} ({}); the lines above point avn-token and avn at it; \
         Ctrl-C stops it",
        sandbox.url(),
        match &args.state {
            Some(path) => format!("state in {}", path.display()),
            None => "in memory only: pass --state FILE to keep tokens".to_owned(),
        }
    ));
    stop.wait().await;
    sandbox.stop().await?;
    Ok(exit::SUCCESS)
}

/// The defaults, with what `--max-connections` and `--client-timeout` say instead.
fn limits(args: &SandboxArgs) -> Limits {
    let mut limits = Limits::default();
    if let Some(connections) = args.max_connections {
        limits.max_connections = usize::from(connections);
    }
    if let Some(timeout) = args.client_timeout {
        limits.header_read = timeout;
        limits.body_read = timeout;
        limits.write_stall = timeout;
    }
    limits
}

/// `export` lines a POSIX shell can `eval`.
fn exports(url: &str, token: &str) -> String {
    format!(
        "export {}={}\nexport {}={}\n",
        EnvVars::AIVEN_WEB_URL,
        shell_quote(url),
        EnvVars::AIVEN_AUTH_TOKEN,
        shell_quote(token)
    )
}

/// `text` as one shell word: as it is when it holds only characters no shell treats
/// specially (the set Python's `shlex.quote` leaves alone), else single-quoted.
fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Ctrl-C and SIGTERM, watched from the moment this is made: make it before telling
/// anyone the sandbox is up, as a supervisor may stop it right after reading the exports.
/// A signal that cannot be watched is simply never seen.
struct StopSignals {
    #[cfg(unix)]
    watched: Vec<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn watch() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let kinds = [SignalKind::interrupt(), SignalKind::terminate()];
            StopSignals {
                watched: kinds
                    .into_iter()
                    .filter_map(|kind| signal(kind).ok())
                    .collect(),
            }
        }
        #[cfg(not(unix))]
        StopSignals {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            let mut watched = self.watched;
            std::future::poll_fn(|cx| {
                let arrived = watched
                    .iter_mut()
                    .any(|signal| signal.poll_recv(cx).is_ready());
                if arrived {
                    std::task::Poll::Ready(())
                } else {
                    std::task::Poll::Pending
                }
            })
            .await;
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Run the `--exec` command with the sandbox's variables and this binary first on PATH;
/// its exit code (128 + N when killed by signal N).
async fn exec(sandbox: &Sandbox, command: &[OsString]) -> u8 {
    let Some((program, arguments)) = command.split_first() else {
        diag::error("--exec needs a command after `--`");
        return exit::USAGE;
    };
    let mut child = tokio::process::Command::new(program);
    child
        .args(arguments)
        .env(EnvVars::AIVEN_WEB_URL, sandbox.url())
        .env(EnvVars::AIVEN_AUTH_TOKEN, sandbox.token().expose());
    if let Some(path) = search_path() {
        child.env(EnvVars::PATH, path);
    }
    let mut child = match child.spawn() {
        Ok(child) => child,
        Err(error) => {
            diag::error(&format!(
                "cannot run `{}`: {error}",
                program.to_string_lossy()
            ));
            return if error.kind() == io::ErrorKind::NotFound {
                COMMAND_NOT_FOUND
            } else {
                COMMAND_NOT_RUNNABLE
            };
        }
    };
    match wait(&mut child).await {
        Ok(status) => exit_code(status),
        Err(error) => {
            diag::error(&format!(
                "lost track of `{}`: {error}",
                program.to_string_lossy()
            ));
            exit::FAILURE
        }
    }
}

/// PATH with the directory of this very binary first, so `avn-token` in the command is
/// the one serving (not an older one installed elsewhere).
fn search_path() -> Option<OsString> {
    let exe = std::env::current_exe().ok()?;
    let own = exe.parent()?.to_owned();
    let rest = std::env::var_os(EnvVars::PATH);
    let dirs = std::iter::once(own).chain(rest.iter().flat_map(std::env::split_paths));
    std::env::join_paths(dirs).ok()
}

/// Wait for the command. Ctrl-C reaches it directly (it shares our process group), so we
/// only stay alive and keep serving while it winds down; a SIGTERM sent to us alone is
/// passed on to it.
#[cfg(unix)]
async fn wait(child: &mut tokio::process::Child) -> io::Result<ExitStatus> {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return child.wait().await;
    };
    loop {
        tokio::select! {
            status = child.wait() => return status,
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {
                if let Some(pid) = child.id().and_then(|id| libc::pid_t::try_from(id).ok()) {
                    // SAFETY: kill(2) takes plain integers and touches no memory of ours;
                    // the pid is our own child's, not yet reaped (we are still waiting).
                    unsafe { libc::kill(pid, libc::SIGTERM) };
                }
            }
        }
    }
}

#[cfg(not(unix))]
async fn wait(child: &mut tokio::process::Child) -> io::Result<ExitStatus> {
    child.wait().await
}

fn exit_code(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code).unwrap_or(exit::FAILURE);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + signal).unwrap_or(u8::MAX);
        }
    }
    exit::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_are_shell_words() {
        assert_eq!(
            exports("http://127.0.0.1:8080", "ab+/c=="),
            "export AIVEN_WEB_URL=http://127.0.0.1:8080\nexport AIVEN_AUTH_TOKEN=ab+/c==\n"
        );
        assert_eq!(shell_quote("http://[::1]:80"), "'http://[::1]:80'");
        assert_eq!(shell_quote("it's $x"), r"'it'\''s $x'");
        assert_eq!(shell_quote(""), "''");
    }
}
