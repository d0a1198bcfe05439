//! Messages for people, on stderr: errors, warnings, notes, `--show-http` traces, prompts.
//!
//! stdout carries results only, so scripts can read it; everything else comes here. A
//! failing stderr (closed, full) is ignored: there is nowhere left to report it.

use std::io::{self, IsTerminal, Write};

/// Colour only on a terminal, and never with `NO_COLOR` set (any value but empty).
fn colour() -> bool {
    io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn emit(label: &str, ansi: &str, message: &str) {
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
pub fn warn(message: &str) {
    emit("warning", "1;33", message);
}

/// `note: ...` — progress or context.
pub fn note(message: &str) {
    emit("note", "1;36", message);
}

/// Lines as they are (the `--show-http` trace).
pub fn trace(lines: &[String]) {
    let mut stderr = io::stderr().lock();
    for line in lines {
        let _ = writeln!(stderr, "{line}");
    }
}

/// Ask a yes/no question on the terminal. Callers check that stdin *is* a terminal first:
/// we never prompt a pipe. Anything but `y`/`yes` is no.
pub fn confirm(question: &str) -> io::Result<bool> {
    {
        let mut stderr = io::stderr().lock();
        write!(stderr, "{question} [y/N] ")?;
        stderr.flush()?;
    }
    let mut answer = String::new();
    io::stdin().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
