//! Everything the user sees on stdout, in one place.
//!
//! Commands hand results to a [`Printer`]; it renders them in the chosen
//! [`OutputFormat`] and writes them through a locked, buffered stdout. Write errors come back as
//! `io::Error` so `main` can end quietly with status 0 on a closed pipe (`| head -1`)
//! instead of panicking as `println!` would. A new token is written through
//! [`Printer::deliver`] instead, whose failures, a closed pipe included, fail the command
//! ([`Undelivered`]). Messages for people go to stderr through [`crate::diag`].

mod audit;
mod csv;
mod json;
mod layout;
pub mod pretty;
mod python;
mod relative;
pub mod row;
pub mod table;
mod yaml;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};

use crate::api::Token;
use crate::cli::OutputFormat;
use crate::env_vars::EnvVars;
use crate::exit::{CommandError, Undelivered};
pub use layout::Layout;
pub use pretty::Terminal;
use relative::RelativeCells;
pub use row::Row;
pub(crate) use row::Value;
use table::AvnCells;

/// Renders results in one format and writes them to stdout.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: OutputFormat,
    /// Relative times and `(in use)` after the token in use, for people (`--relative`).
    pub relative: bool,
    /// Width and colour for `-o pretty`.
    pub terminal: Terminal,
}

impl Printer {
    /// A printer for `format`, with `-o pretty` laid out for an 80-column terminal without
    /// colour (see [`Printer::for_stdout`] for the real one).
    pub fn new(format: OutputFormat, relative: bool) -> Self {
        Printer {
            format,
            relative,
            terminal: Terminal::default(),
        }
    }

    /// The printer for this process's stdout: the format the command line chose, else
    /// `AVN_TOKEN_OUTPUT` when stdout is a terminal (a person's default must not change what
    /// scripts run from the same shell read), else `avn`'s table. `env` looks variables up.
    pub(crate) fn for_stdout(
        chosen: Option<OutputFormat>,
        relative: bool,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Printer, CommandError> {
        let on_terminal = io::stdout().is_terminal();
        let format = match chosen {
            Some(format) if relative && !format.is_table() => {
                return Err(CommandError::Usage(format!(
                    "--relative applies to tables (-o table, -o pretty), not to -o {}",
                    format_name(format)
                )));
            }
            Some(format) => format,
            None if on_terminal => default_format(&env, relative)?,
            None => OutputFormat::Table,
        };
        let no_colour = env(EnvVars::NO_COLOR).is_some_and(|value| !value.is_empty());
        Ok(Printer {
            format,
            relative,
            terminal: Terminal {
                width: columns(&env).unwrap_or(80),
                colour: on_terminal && !no_colour,
            },
        })
    }

    /// Hand over a new token: `write` writes it with this printer's methods, and flushes
    /// (each method does), before the command does anything it cannot undo. Any failure, a
    /// closed pipe included, is [`Undelivered`]: the token did not reach its reader, so the
    /// command fails instead of ending quietly as a read does (`list | head -1`).
    pub(crate) fn deliver(
        &self,
        write: impl FnOnce(&Printer) -> io::Result<()>,
    ) -> Result<(), Undelivered> {
        write(self).map_err(Undelivered)
    }

    /// Tokens as the API sent them, as a table (or JSON, CSV, YAML). `update --json`
    /// passes a one-element slice and prints a one-element list, as `avn` does.
    pub(crate) fn tokens(&self, tokens: &[Token], layout: Layout) -> io::Result<()> {
        self.rows(&tokens.iter().map(Row::from).collect::<Vec<_>>(), layout)
    }

    /// Rows as a table (or JSON, CSV, YAML): `create --json` prints its one row as a
    /// one-element list, as `avn` does.
    pub(crate) fn rows(&self, rows: &[Row<'_>], layout: Layout) -> io::Result<()> {
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        self.write(&mut stdout, rows, layout)?;
        stdout.flush()
    }

    /// The text [`Printer::tokens`] writes.
    pub fn render(&self, tokens: &[Token], layout: Layout) -> String {
        let rows: Vec<Row<'_>> = tokens.iter().map(Row::from).collect();
        to_string(|out| self.write(out, &rows, layout))
    }

    fn write(&self, out: &mut dyn Write, rows: &[Row<'_>], layout: Layout) -> io::Result<()> {
        let columns = layout.columns();
        check_depth(
            rows,
            printed(self.format, columns).as_deref(),
            SHOWN_ELSEWHERE,
        )?;
        match self.format {
            OutputFormat::Table if self.relative => {
                let marked = mark_token_in_use(rows);
                let cells = RelativeCells::now();
                match (layout, marked.as_slice()) {
                    (Layout::Detail, [row]) => {
                        out.write_all(table::render_vertical(row, columns, &cells).as_bytes())
                    }
                    _ => table::write(out, &marked, columns, &cells),
                }
            }
            OutputFormat::Table => match (layout, rows) {
                (Layout::Detail, [row]) => {
                    out.write_all(table::render_vertical(row, columns, &AvnCells).as_bytes())
                }
                _ => table::write(out, rows, columns, &AvnCells),
            },
            OutputFormat::Pretty => out.write_all(
                pretty::render(rows, layout, self.terminal, chrono::Utc::now()).as_bytes(),
            ),
            OutputFormat::Json => json::list(out, rows),
            OutputFormat::Csv => csv::write(out, rows, columns),
            OutputFormat::Yaml => yaml::list(out, rows),
        }
    }

    /// One object, as `avn` prints a `single_item` response: a one-row table, or with
    /// `--json` the object itself (not a one-element list, unlike `create --json`).
    pub(crate) fn item(&self, row: &Row<'_>, layout: Layout) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                check_depth(std::slice::from_ref(row), None, SHOWN_ELSEWHERE)?;
                let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
                json::object(&mut stdout, row)?;
                stdout.flush()
            }
            _ => self.rows(std::slice::from_ref(row), layout),
        }
    }

    /// `audit`'s report: one row per token, grouped by owner in a table.
    pub(crate) fn audit(&self, rows: &[Row<'_>]) -> io::Result<()> {
        // Every field of an audit row is printed in some format (the owner in a heading).
        check_depth(rows, None, "")?;
        let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
        audit::write(&mut stdout, rows, self.format, self.relative, self.terminal)?;
        stdout.flush()
    }

    /// A line of text (`Revoked`, the server's message), the same in every format. The text
    /// may come from the server (`expire-all` prints its message), so control characters and
    /// bidi overrides are escaped as everywhere else ([`crate::safe_text`]).
    pub(crate) fn line(&self, text: &str) -> io::Result<()> {
        write_stdout(&format!("{}\n", crate::safe_text::escape_hazards(text)))
    }

    /// A message from the server as its sender laid it out (`expire-all`'s, which `avn`
    /// prints as it is), and a line end: its lines, tabs and trailing spaces kept, and only
    /// what could rewrite the terminal escaped
    /// ([`crate::safe_text::escape_hazards_keeping_lines`]).
    pub(crate) fn message(&self, text: &str) -> io::Result<()> {
        write_stdout(&format!(
            "{}\n",
            crate::safe_text::escape_hazards_keeping_lines(text)
        ))
    }

    /// Text as it is, without a line end: `avn`'s question where it writes it (stdout) when
    /// nobody is at a terminal, so the output stays byte-identical.
    pub(crate) fn text(&self, text: &str) -> io::Result<()> {
        write_stdout(text)
    }

    /// `avn`'s `print_boxed`: the lines between two rows of `*` as long as the longest.
    pub(crate) fn boxed(&self, lines: &[&str]) -> io::Result<()> {
        let width = lines
            .iter()
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0);
        let rule = "*".repeat(width);
        let mut text = format!("{rule}\n");
        for line in lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push_str(&rule);
        text.push('\n');
        write_stdout(&text)
    }
}

/// `AVN_TOKEN_OUTPUT`'s format, or the table when it is unset (or not a table while
/// `--relative` asks for one).
fn default_format(
    env: &impl Fn(&str) -> Option<OsString>,
    relative: bool,
) -> Result<OutputFormat, CommandError> {
    let Some(value) = env(EnvVars::AVN_TOKEN_OUTPUT).filter(|v| !v.is_empty()) else {
        return Ok(OutputFormat::Table);
    };
    let value = value.to_string_lossy();
    let format = <OutputFormat as clap::ValueEnum>::from_str(value.trim(), true).map_err(|_| {
        CommandError::Usage(format!(
            "{}={value:?} is not an output format; use table, json, csv, yaml or pretty",
            EnvVars::AVN_TOKEN_OUTPUT
        ))
    })?;
    Ok(if relative && !format.is_table() {
        OutputFormat::Table
    } else {
        format
    })
}

/// `json` for [`OutputFormat::Json`]: the name `-o` takes.
fn format_name(format: OutputFormat) -> String {
    clap::ValueEnum::to_possible_value(&format)
        .map(|value| value.get_name().to_owned())
        .unwrap_or_default()
}

/// The terminal's width: `COLUMNS` when it is a number, else what the terminal on stdout
/// says, else nothing.
fn columns(env: &impl Fn(&str) -> Option<OsString>) -> Option<u16> {
    let from_env = env(EnvVars::COLUMNS)
        .and_then(|value| value.to_str()?.trim().parse::<u16>().ok())
        .filter(|&width| width > 0);
    from_env.or_else(terminal_width)
}

/// The width of the terminal stdout is, from the `terminal_size` crate (an `ioctl` on Unix,
/// the console's screen buffer on Windows); `None` when stdout is not a terminal.
fn terminal_width() -> Option<u16> {
    terminal_size::terminal_size_of(io::stdout())
        .map(|(terminal_size::Width(width), _)| width)
        .filter(|&width| width > 0)
}

/// The most levels of lists and objects a printed value may nest: more than `avn` can print
/// (Python's recursion limit stops its `json.loads` at about 980 levels, so where `avn`
/// prints a value, so does this), and a bound on what printing one value costs. A 32 MiB
/// answer can nest 16 million levels; the writers keep something for each open level (an
/// object's sorted members, stack), and indented JSON of a value N levels deep is about
/// 4·N² bytes. A value no format prints is never walked, at any depth.
const MAX_DEPTH: usize = 1000;

/// What `format` prints of a row: `None` for every field (JSON, YAML); else the layout's
/// columns, and for `avn`'s table the object under the empty name that it spreads into
/// them (`table::flattened`). The pretty table reads no other field but as text.
fn printed<'c>(format: OutputFormat, columns: &[&'c str]) -> Option<Vec<&'c str>> {
    match format {
        OutputFormat::Json | OutputFormat::Yaml => None,
        OutputFormat::Table => Some(columns.iter().copied().chain([""]).collect()),
        OutputFormat::Csv | OutputFormat::Pretty => Some(columns.to_vec()),
    }
}

/// What a failed [`check_depth`] of every field adds, where other formats show the rest.
const SHOWN_ELSEWHERE: &str = "; -o table and -o csv show the other fields";

/// Fails before anything is written when a value the output prints (`fields`, or every
/// field) nests deeper than [`MAX_DEPTH`], naming it (and adding `elsewhere` when every
/// field was checked): a value cannot be printed in part, and a command prints nothing
/// when it fails.
fn check_depth(rows: &[Row<'_>], fields: Option<&[&str]>, elsewhere: &str) -> io::Result<()> {
    let too_deep = |value: &Value<'_>| value.depth() > MAX_DEPTH;
    for row in rows {
        // Nearly every row has no such value, and says so without a look at its fields.
        if row.depth() <= MAX_DEPTH {
            continue;
        }
        let found = match fields {
            None => row
                .entries()
                .find(|(_, value)| too_deep(value))
                .map(|(name, _)| name.into_owned()),
            Some(fields) => fields
                .iter()
                .find(|field| row.get(field).is_some_and(|value| too_deep(&value)))
                .map(|field| (*field).to_owned()),
        };
        let Some(name) = found else { continue };
        let token = row
            .text("token_prefix")
            .map(|prefix| format!(" (token {prefix})"))
            .unwrap_or_default();
        let hint = if fields.is_none() { elsewhere } else { "" };
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "cannot print the answer: its field {name:?}{token} nests more than \
                 {MAX_DEPTH} levels deep{hint}"
            ),
        ));
    }
    Ok(())
}

/// For the people view: `PREFIX (in use)` on the token this command authenticated with.
fn mark_token_in_use<'a>(rows: &[Row<'a>]) -> Vec<Row<'a>> {
    rows.iter()
        .map(|row| match row.text("token_prefix") {
            Some(prefix) if row.flag("currently_active") => {
                let marked = format!("{prefix} (in use)");
                row.clone().with("token_prefix", Value::Text(marked.into()))
            }
            _ => row.clone(),
        })
        .collect()
}

/// What a writer writes, as a string (for callers that compose output).
fn to_string(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Write `text` to stdout and flush. The only function that touches stdout.
pub(crate) fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values nested as deep as may be printed render in every format and layout within
    /// 256 KiB of stack, in a debug build (a Windows main thread has 1 MiB, Linux 8 MiB);
    /// one level deeper, a format that prints them fails and writes nothing.
    #[test]
    fn values_at_the_depth_limit_render_in_a_small_stack() {
        let lists = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = |depth: usize| format!("{}1{}", r#"{"a": "#.repeat(depth), "}".repeat(depth));
        let token = move |depth: usize| -> Token {
            let text = format!(
                r#"{{"token_prefix": "p", "description": {}, "last_ip": {}, "": {{"last_user_agent": {}}}}}"#,
                lists(depth),
                objects(depth),
                lists(depth - 1)
            );
            serde_json::from_str(&text).unwrap()
        };
        let render = move || {
            for &format in <OutputFormat as clap::ValueEnum>::value_variants() {
                for layout in [Layout::Listed, Layout::Detail] {
                    let printer = Printer::new(format, false);
                    assert!(!printer.render(&[token(MAX_DEPTH)], layout).is_empty());
                    assert_eq!(printer.render(&[token(MAX_DEPTH + 1)], layout), "");
                }
            }
        };
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(render)
            .unwrap()
            .join()
            .unwrap();
    }
}
