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
//!
//! Labels (`error:`, `warning:`, `note:`) are coloured as cargo's, and written through
//! `anstream`, as clap writes help, so both follow one rule: colour when stderr is a
//! terminal (whose `TERM` is not `dumb`) or when the user forces it (`CLICOLOR_FORCE`), and
//! never with `NO_COLOR` set. On a Windows console anstream turns on escape-sequence
//! processing (or, on an old console without it, makes the colours console calls).

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Effects, Style};

use crate::safe_text;

/// The `error:` label, and clap's style for it (cargo's colours: see `cli`).
pub(crate) const ERROR: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);
/// The `warning:` label.
const WARNING: Style = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
/// The `note:` label.
const NOTE: Style = AnsiColor::Cyan.on_default().effects(Effects::BOLD);

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

/// One `label: message` line, the message in styled pieces (each piece's text has its
/// hazards escaped). anstream drops the styles where colour is off.
fn emit(label: &str, label_style: Style, message: &[(Style, &str)]) {
    let mut line = format!("{label_style}{label}:{label_style:#} ");
    for (style, text) in message {
        let text = safe_text::escape_hazards(text);
        let _ = write!(line, "{style}{text}{style:#}");
    }
    line.push('\n');
    let _ = anstream::stderr().lock().write_all(line.as_bytes());
}

/// `error: ...` — the one line a failed command prints.
pub fn error(message: &str) {
    emit("error", ERROR, &[(Style::new(), message)]);
}

/// `error: ...` with parts of the message styled: a usage error keeps clap's highlights
/// (the argument it refused, the values it accepts).
pub fn error_styled(message: &[(Style, String)]) {
    let pieces: Vec<(Style, &str)> = message
        .iter()
        .map(|(style, text)| (*style, text.as_str()))
        .collect();
    emit("error", ERROR, &pieces);
}

/// `warning: ...` — something the user should know; the command still succeeds.
pub(crate) fn warn(message: &str) {
    emit("warning", WARNING, &[(Style::new(), message)]);
}

/// `note: ...` — progress or context.
pub(crate) fn note(message: &str) {
    emit("note", NOTE, &[(Style::new(), message)]);
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
