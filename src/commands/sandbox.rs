//! `avn-token sandbox`: print the variables and serve until stopped, or (`--exec`, in
//! [`exec`]) run one command against the sandbox and exit with its status. The server
//! itself is [`crate::sandbox`].
//!
//! What depends on the platform is decided once per concern, each with the platform
//! behaviour it follows: the shell whose syntax the variables use by default
//! ([`DEFAULT_SHELL`]), what stops the sandbox and what reaches `--exec`'s command
//! ([`Signals`]), letting go of stdout after the variables ([`release_stdout`]), and in
//! [`exec`], where the command's `avn-token` comes from, how a command is found, and how
//! its exit status is passed on.

mod exec;

use anyhow::Result;

use crate::cli::{ExportShell, SandboxArgs};
use crate::diag;
use crate::env_vars::EnvVars;
use crate::exit::{self, CommandError};
use crate::output::write_stdout;
use crate::sandbox::{Limits, Options, Sandbox};

/// The shell whose syntax the variables are printed in without `--shell`: PowerShell on
/// Windows (its default shell since Windows 10; cmd and Git Bash users say `--shell`), a
/// POSIX shell everywhere else.
const DEFAULT_SHELL: ExportShell = if cfg!(windows) {
    ExportShell::Powershell
} else {
    ExportShell::Posix
};

pub(super) async fn run(args: &SandboxArgs) -> Result<u8> {
    let shell = args.shell.unwrap_or(DEFAULT_SHELL);
    // A value the shell cannot be given safely stops us before anything starts.
    if let (false, Some(token)) = (args.exec, &args.token) {
        quoted(shell, token.expose()).map_err(CommandError::Usage)?;
    }
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
    // Watched before anything else happens: a supervisor may stop us as soon as it has
    // read the variables.
    let mut signals = Signals::watch();
    let sandbox = Sandbox::start(options).await?;

    if args.exec {
        let code = exec::run(&sandbox, &args.command, &args.env, &mut signals).await;
        let stopped = sandbox.stop().await;
        return match stopped {
            // Unsaved state fails an otherwise successful run; a failed command's own
            // status matters more.
            Err(error) if code == i32::from(exit::SUCCESS) => Err(error),
            Err(error) => {
                diag::warn(&format!("{error:#}"));
                Ok(exec::exit_with(code))
            }
            Ok(()) => Ok(exec::exit_with(code)),
        };
    }

    let variables = [
        (EnvVars::AIVEN_WEB_URL, sandbox.url()),
        (
            EnvVars::AIVEN_AUTH_TOKEN,
            sandbox.token().expose().to_owned(),
        ),
        (
            EnvVars::AVN_TOKEN_SANDBOX_PID,
            std::process::id().to_string(),
        ),
    ];
    // Serving matters more than the variables: a closed stdout is reported, not fatal.
    match exports(shell, &variables) {
        Ok(text) => match write_stdout(&text) {
            Ok(()) => release_stdout(),
            Err(error) => diag::warn(&format!("cannot print the variables on stdout: {error}")),
        },
        Err(why) => diag::warn(&why),
    }
    diag::note(&format!(
        "sandbox serving at {} ({}); the lines above point avn-token and avn at it; {}",
        sandbox.url(),
        match &args.state {
            Some(path) => format!("state in {}", path.display()),
            None => "in memory only: pass --state FILE to keep tokens".to_owned(),
        },
        signals.how_to_stop(),
    ));
    signals.next().await;
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

/// One line per variable, setting it in `shell` (what the user pastes, or `eval`s).
fn exports(shell: ExportShell, variables: &[(&str, String)]) -> Result<String, String> {
    let mut text = String::new();
    for (name, value) in variables {
        let value = quoted(shell, value)?;
        text.push_str(&match shell {
            ExportShell::Posix => format!("export {name}={value}\n"),
            ExportShell::Powershell => format!("$env:{name} = {value}\n"),
            ExportShell::Cmd => format!("set \"{name}={value}\"\n"),
        });
    }
    Ok(text)
}

/// `value` written for `shell`: a POSIX word (single quotes unless plain); a PowerShell
/// single-quoted string (every quote character PowerShell accepts as one doubled); for
/// cmd, the value as it is inside `set "NAME=VALUE"`, where nothing can escape `"`, `%`
/// (expanded even there, in a batch file as on the command line) or `!` (delayed
/// expansion): a value holding one of those, or a line break, is refused.
fn quoted(shell: ExportShell, value: &str) -> Result<String, String> {
    Ok(match shell {
        ExportShell::Posix => posix_word(value),
        ExportShell::Powershell => {
            let mut quoted = String::from("'");
            for c in value.chars() {
                quoted.push(c);
                if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
                    quoted.push(c);
                }
            }
            quoted.push('\'');
            quoted
        }
        ExportShell::Cmd => {
            if let Some(bad) = value
                .chars()
                .find(|c| matches!(c, '"' | '%' | '!') || c.is_control())
            {
                return Err(format!(
                    "a value holding {bad:?} cannot be written for cmd safely: choose another \
                     --token, or --shell powershell"
                ));
            }
            value.to_owned()
        }
    })
}

/// `text` as one POSIX shell word: as it is when it holds only characters no shell treats
/// specially (the set Python's `shlex.quote` leaves alone), else single-quoted.
fn posix_word(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Once the variables are out, nothing more is written to stdout; on Unix it is closed
/// (pointed at `/dev/null`) so that whoever reads it sees its end: `eval "$(avn-token
/// sandbox &)"` then returns as soon as the sandbox serves, which is how a shell starts it
/// in the background and applies the variables in one line. (PowerShell and cmd have no
/// such idiom, and stdout stays as it is there.)
fn release_stdout() {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // Held so that no write to stdout can come between (there is none: what was
        // written has been flushed).
        let _stdout = std::io::stdout().lock();
        if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
            // SAFETY: dup2(2) on two open descriptors (ours, and stdout); it touches no
            // memory.
            unsafe { libc::dup2(null.as_raw_fd(), libc::STDOUT_FILENO) };
        }
    }
}

/// What the terminal or the system may tell a running sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heard {
    /// Ctrl-C (or Ctrl-Break): every process of the terminal's foreground group (of the
    /// console, on Windows) gets it, `--exec`'s command included.
    Interrupt,
    /// Sent to us alone (SIGTERM), or the end of the session (Windows: the console closed,
    /// logoff, shutdown).
    Terminate,
}

/// The signals (console events on Windows) the sandbox watches, from the moment this is
/// made. One that cannot be watched is simply never heard.
///
/// Unix: SIGINT and SIGTERM; SIGINT only if it was not ignored when we started, as a shell
/// ignores it for a command started with `&` without job control (`eval "$(avn-token
/// sandbox &)"`): watching it would let Ctrl-C at the prompt stop that sandbox, and would
/// give `--exec`'s command a default SIGINT it was meant to ignore. Windows: Ctrl-C and
/// Ctrl-Break (without a handler Windows ends the process at once, losing the final save);
/// closing the console, logoff and shutdown, which leave a process about five seconds.
struct Signals {
    #[cfg(unix)]
    watched: Vec<(Heard, tokio::signal::unix::Signal)>,
    #[cfg(windows)]
    watched: WindowsEvents,
}

#[cfg(windows)]
struct WindowsEvents {
    ctrl_c: Option<tokio::signal::windows::CtrlC>,
    ctrl_break: Option<tokio::signal::windows::CtrlBreak>,
    close: Option<tokio::signal::windows::CtrlClose>,
    logoff: Option<tokio::signal::windows::CtrlLogoff>,
    shutdown: Option<tokio::signal::windows::CtrlShutdown>,
}

impl Signals {
    fn watch() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut wanted = vec![(Heard::Terminate, SignalKind::terminate())];
            if !ignored_at_start(libc::SIGINT) {
                wanted.push((Heard::Interrupt, SignalKind::interrupt()));
            }
            let watched = wanted
                .into_iter()
                .filter_map(|(heard, kind)| signal(kind).ok().map(|signal| (heard, signal)))
                .collect();
            Signals { watched }
        }
        #[cfg(windows)]
        {
            use tokio::signal::windows;
            Signals {
                watched: WindowsEvents {
                    ctrl_c: windows::ctrl_c().ok(),
                    ctrl_break: windows::ctrl_break().ok(),
                    close: windows::ctrl_close().ok(),
                    logoff: windows::ctrl_logoff().ok(),
                    shutdown: windows::ctrl_shutdown().ok(),
                },
            }
        }
        #[cfg(not(any(unix, windows)))]
        Signals {}
    }

    /// The next signal heard (never, when none is watched).
    async fn next(&mut self) -> Heard {
        #[cfg(unix)]
        {
            let watched = &mut self.watched;
            std::future::poll_fn(|cx| {
                for (heard, signal) in watched.iter_mut() {
                    if signal.poll_recv(cx).is_ready() {
                        return std::task::Poll::Ready(*heard);
                    }
                }
                std::task::Poll::Pending
            })
            .await
        }
        #[cfg(windows)]
        {
            let events = &mut self.watched;
            std::future::poll_fn(|cx| {
                let ready = |poll: Option<std::task::Poll<Option<()>>>| {
                    poll.is_some_and(|poll| poll.is_ready())
                };
                if ready(events.ctrl_c.as_mut().map(|e| e.poll_recv(cx)))
                    || ready(events.ctrl_break.as_mut().map(|e| e.poll_recv(cx)))
                {
                    return std::task::Poll::Ready(Heard::Interrupt);
                }
                if ready(events.close.as_mut().map(|e| e.poll_recv(cx)))
                    || ready(events.logoff.as_mut().map(|e| e.poll_recv(cx)))
                    || ready(events.shutdown.as_mut().map(|e| e.poll_recv(cx)))
                {
                    return std::task::Poll::Ready(Heard::Terminate);
                }
                std::task::Poll::Pending
            })
            .await
        }
        #[cfg(not(any(unix, windows)))]
        std::future::pending().await
    }

    /// How to stop a serving sandbox, for the note after the variables.
    fn how_to_stop(&self) -> String {
        let pid = std::process::id();
        #[cfg(unix)]
        {
            let interrupt = self
                .watched
                .iter()
                .any(|(heard, _)| *heard == Heard::Interrupt);
            if interrupt && !in_the_background() {
                format!("Ctrl-C or `kill {pid}` stops it")
            } else {
                format!("`kill {pid}` stops it")
            }
        }
        #[cfg(windows)]
        {
            format!("Ctrl-C or `Stop-Process -Id {pid}` stops it")
        }
        #[cfg(not(any(unix, windows)))]
        {
            format!("ending process {pid} stops it")
        }
    }
}

/// Whether we run in the background of our controlling terminal (whatever our streams
/// are redirected to): a shell with job control started us with `&`, in a process group
/// that is not the terminal's foreground one, so Ctrl-C typed there is not for us.
#[cfg(unix)]
fn in_the_background() -> bool {
    use std::os::fd::AsRawFd;
    let Ok(terminal) = std::fs::File::open("/dev/tty") else {
        return false;
    };
    // SAFETY: tcgetpgrp(3) and getpgrp(2) take and return plain integers, on a descriptor
    // we hold open.
    let (foreground, ours) = unsafe { (libc::tcgetpgrp(terminal.as_raw_fd()), libc::getpgrp()) };
    foreground != -1 && foreground != ours
}

/// Whether `signal` was set to be ignored when we started (what `&` does for SIGINT in a
/// shell without job control).
#[cfg(unix)]
fn ignored_at_start(signal: libc::c_int) -> bool {
    // SAFETY: an all-zero sigaction is a valid value of the plain C struct.
    let mut current: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: with a null new action, sigaction(2) only writes the current one into ours.
    let status = unsafe { libc::sigaction(signal, std::ptr::null(), &mut current) };
    status == 0 && current.sa_sigaction == libc::SIG_IGN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(token: &str) -> Vec<(&'static str, String)> {
        vec![
            (EnvVars::AIVEN_WEB_URL, "http://127.0.0.1:8080".to_owned()),
            (EnvVars::AIVEN_AUTH_TOKEN, token.to_owned()),
        ]
    }

    #[test]
    fn posix_exports_are_shell_words() {
        assert_eq!(
            exports(ExportShell::Posix, &variables("ab+/c==")),
            Ok(
                "export AIVEN_WEB_URL=http://127.0.0.1:8080\nexport AIVEN_AUTH_TOKEN=ab+/c==\n"
                    .to_owned()
            )
        );
        assert_eq!(posix_word("http://[::1]:80"), "'http://[::1]:80'");
        assert_eq!(posix_word("it's $x"), r"'it'\''s $x'");
        assert_eq!(posix_word(""), "''");
    }

    #[test]
    fn powershell_strings_double_every_single_quote() {
        assert_eq!(
            exports(ExportShell::Powershell, &variables("it's $x `y`")),
            Ok("$env:AIVEN_WEB_URL = 'http://127.0.0.1:8080'\n\
                $env:AIVEN_AUTH_TOKEN = 'it''s $x `y`'\n"
                .to_owned())
        );
        assert_eq!(
            quoted(ExportShell::Powershell, "a\u{2019}b"),
            Ok("'a\u{2019}\u{2019}b'".to_owned())
        );
    }

    #[test]
    fn cmd_lines_quote_the_assignment_and_refuse_what_cannot_be_quoted() {
        assert_eq!(
            exports(ExportShell::Cmd, &variables("ab+/c==&|<>^")),
            Ok("set \"AIVEN_WEB_URL=http://127.0.0.1:8080\"\n\
                set \"AIVEN_AUTH_TOKEN=ab+/c==&|<>^\"\n"
                .to_owned())
        );
        for bad in ["a\"b", "100%", "hey!", "a\nb"] {
            let refused = quoted(ExportShell::Cmd, bad).unwrap_err();
            assert!(refused.contains("--shell powershell"), "{refused}");
        }
    }
}
