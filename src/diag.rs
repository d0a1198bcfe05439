//! Messages for people, on stderr: errors, warnings, notes, `--show-http` traces, prompts.
//!
//! stdout carries results only, so scripts can read it; everything else comes here. This is
//! the ground floor: the API client, the sandbox, `output` and `main` all report through it,
//! and it imports nothing of theirs. A failing stderr (closed, full) is ignored: there is
//! nowhere left to report it.
//!
//! Every line written here passes through [`safe_text::escape_hazards`]: messages quote
//! server text (error messages, descriptions, echoed bodies), and no control character or
//! bidi override from it may reach the terminal raw.
//!
//! Code that must not depend on the real stderr (the API client) takes a [`Sink`] instead;
//! [`Stderr`] is the one the binary passes.

use std::io::{self, IsTerminal, Write};

use crate::env_vars::EnvVars;
use crate::safe_text;

/// Where a component sends what it has to say to people: `--show-http` traces and
/// progress notes ("retrying in 2s"). The binary passes [`Stderr`]; tests may collect.
pub(crate) trait Sink: Send + Sync {
    /// Lines as they are (a request or response trace).
    fn trace(&self, lines: &[String]);
    /// One `note: ...` line.
    fn note(&self, message: &str);
}

/// The [`Sink`] that writes to this process's stderr.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stderr;

impl Sink for Stderr {
    fn trace(&self, lines: &[String]) {
        trace(lines);
    }

    fn note(&self, message: &str) {
        note(message);
    }
}

/// Colour only on a terminal, and never with `NO_COLOR` set (any value but empty).
fn colour() -> bool {
    io::stderr().is_terminal() && std::env::var_os(EnvVars::NO_COLOR).is_none_or(|v| v.is_empty())
}

fn emit(label: &str, ansi: &str, message: &str) {
    let message = safe_text::escape_hazards(message);
    let line = if colour() {
        format!("\x1b[{ansi}m{label}:\x1b[0m {message}\n")
    } else {
        format!("{label}: {message}\n")
    };
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

/// `error: ...` — the one line a failed command prints.
pub fn error(message: &str) {
    emit("error", "1;31", message);
}

/// `warning: ...` — something the user should know; the command still succeeds.
pub(crate) fn warn(message: &str) {
    emit("warning", "1;33", message);
}

/// `note: ...` — progress or context.
pub(crate) fn note(message: &str) {
    emit("note", "1;36", message);
}

/// Lines as they are (the `--show-http` trace).
pub(crate) fn trace(lines: &[String]) {
    let mut stderr = io::stderr().lock();
    for line in lines {
        let _ = writeln!(stderr, "{}", safe_text::escape_hazards(line));
    }
}

/// Ask a yes/no question on the terminal. Callers check that stdin *is* a terminal first:
/// we never prompt a pipe. Anything but `y`/`yes` is no.
pub(crate) fn confirm(question: &str) -> io::Result<bool> {
    {
        let mut stderr = io::stderr().lock();
        write!(stderr, "{} [y/N] ", safe_text::escape_hazards(question))?;
        stderr.flush()?;
    }
    let mut answer = String::new();
    io::stdin().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
