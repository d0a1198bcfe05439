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
use std::io::{self, BufRead, Read, Write};

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
    Ok(is_yes(&answer))
}

/// A person's answer to [`confirm`], as typed with its line end: surrounding blanks, and
/// whatever line end the terminal sent (`\n`, or `\r\n` from a Windows console), are not
/// part of it.
fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// One line of stdin as avn reads an answer there (Python's `input()`): without its line
/// end, `None` at the end of input. Bounded, so an endless line cannot exhaust memory.
/// What ends the line is this platform's rule ([`LineEnds::THIS_PLATFORM`]), as for avn:
/// `y\r\n` piped on Linux is `y\r` (no), on Windows `y` (yes).
pub(crate) fn read_answer_line() -> io::Result<Option<String>> {
    let mut line = String::new();
    let read = io::stdin().lock().take(4096).read_line(&mut line)?;
    if read == 0 {
        return Ok(None);
    }
    Ok(Some(LineEnds::THIS_PLATFORM.first_line(&line).to_owned()))
}

/// What ends a line of text read from stdin, as Python reads `sys.stdin` (`input()`) on each
/// platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnds {
    /// POSIX: `\n` only; a `\r` before it is part of the line.
    Newline,
    /// Windows: stdin is read in text mode with universal newlines, so `\n`, `\r\n` and a
    /// lone `\r` each end a line (and PowerShell pipes every line with `\r\n`).
    Universal,
}

impl LineEnds {
    /// The one platform decision about reading a line of stdin.
    const THIS_PLATFORM: LineEnds = if cfg!(windows) {
        LineEnds::Universal
    } else {
        LineEnds::Newline
    };

    /// The first line of `text`, without what ends it.
    fn first_line(self, text: &str) -> &str {
        let end = match self {
            LineEnds::Newline => text.find('\n'),
            LineEnds::Universal => text.find(['\r', '\n']),
        };
        &text[..end.unwrap_or(text.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_answer_is_read_whatever_its_line_end() {
        for yes in ["y\n", "Y\r\n", " yes \n", "yes"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["\n", "n\r\n", "yes please\n", "\r"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }

    /// Both rules, on every platform (only one is this platform's).
    #[test]
    fn a_piped_answer_ends_where_python_ends_the_line_on_each_platform() {
        use LineEnds::{Newline, Universal};
        for (text, posix, windows) in [
            ("y\n", "y", "y"),
            ("y\r\n", "y\r", "y"),
            ("y\r", "y\r", "y"),
            ("y\rmore\n", "y\rmore", "y"),
            ("ok", "ok", "ok"),
            ("\r\n", "\r", ""),
            (" y\n", " y", " y"),
        ] {
            assert_eq!(Newline.first_line(text), posix, "{text:?}");
            assert_eq!(Universal.first_line(text), windows, "{text:?}");
        }
        assert_eq!(LineEnds::THIS_PLATFORM == Universal, cfg!(windows));
    }
}
