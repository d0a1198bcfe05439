//! Everything the user sees on stdout, in one place.
//!
//! Commands hand results to a [`Printer`]; it renders them in the chosen
//! [`OutputFormat`] and writes them through a locked stdout. Write errors come back as
//! `io::Error` so `main` can end quietly with status 0 on a closed pipe (`| head -1`)
//! instead of panicking as `println!` would. Messages for people go to stderr through
//! [`crate::diag`].

mod audit;
mod formats;
mod relative;
mod single;
pub mod table;

use std::io::{self, Write};

use crate::api::Token;
use crate::cli::OutputFormat;
use relative::RelativeCells;
use table::AvnCells;

/// Which fields a table shows, in order: exactly the columns `avn` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `create` (and `rotate`): the new token with its secret.
    Created,
    /// `list` and `update`.
    Listed,
    /// `info`: one token in detail.
    Detail,
    /// `application-user create|list|info|update`, as `avn` prints application users.
    AppUser,
    /// `application-user token create`: the API answers only the token and its prefix.
    AppTokenCreated,
    /// `application-user token list|info`.
    AppTokens,
    /// `application-user token list|info --verbose`.
    AppTokensVerbose,
}

impl Layout {
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            Layout::Created => &[
                "expiry_time",
                "description",
                "max_age_seconds",
                "extend_when_used",
                "full_token",
            ],
            Layout::Listed => &[
                "expiry_time",
                "token_prefix",
                "description",
                "max_age_seconds",
                "extend_when_used",
                "last_used_time",
                "last_ip",
                "last_user_agent",
            ],
            Layout::Detail => &[
                "token_prefix",
                "description",
                "create_time",
                "expiry_time",
                "max_age_seconds",
                "extend_when_used",
                "last_used_time",
                "last_ip",
                "last_user_agent",
                "scopes",
                "ip_allowlist",
                "created_manually",
                "currently_active",
            ],
            Layout::AppUser => &["name", "user_email", "user_id", "is_super_admin"],
            Layout::AppTokenCreated => &["full_token", "token_prefix"],
            Layout::AppTokens => &[
                "token_prefix",
                "description",
                "last_used_time",
                "expiry_time",
                "currently_active",
            ],
            Layout::AppTokensVerbose => &[
                "token_prefix",
                "description",
                "last_used_time",
                "expiry_time",
                "currently_active",
                "create_time",
                "created_manually",
                "extend_when_used",
                "ip_allowlist",
                "last_ip",
                "last_user_agent_human_readable",
                "max_age_seconds",
                "scopes",
            ],
        }
    }
}

/// Renders results in one format and writes them to stdout.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub format: OutputFormat,
    /// Relative times and `(in use)` after the token in use, for people (`--relative`).
    pub relative: bool,
}

impl Printer {
    pub fn new(format: OutputFormat, relative: bool) -> Self {
        Printer { format, relative }
    }

    /// Tokens as a table (or JSON, CSV, YAML). `create`/`update --json` pass a one-element
    /// slice and print a one-element list, as `avn` does.
    pub(crate) fn tokens(&self, tokens: &[Token], layout: Layout) -> io::Result<()> {
        write_stdout(&self.render(tokens, layout))
    }

    /// The text [`Printer::tokens`] writes.
    pub fn render(&self, tokens: &[Token], layout: Layout) -> String {
        let columns = layout.columns();
        match self.format {
            OutputFormat::Table if self.relative => {
                let marked = mark_token_in_use(tokens);
                let cells = RelativeCells::now();
                match (layout, marked.as_slice()) {
                    (Layout::Detail, [token]) => table::render_vertical(token, columns, &cells),
                    _ => table::render(&marked, columns, &cells),
                }
            }
            OutputFormat::Table => match (layout, tokens) {
                (Layout::Detail, [token]) => table::render_vertical(token, columns, &AvnCells),
                _ => table::render(tokens, columns, &AvnCells),
            },
            OutputFormat::Json => formats::json(tokens),
            OutputFormat::Csv => formats::csv(tokens, columns),
            OutputFormat::Yaml => formats::yaml(tokens),
        }
    }

    /// One object, as `avn` prints a `single_item` response: a one-row table, or with
    /// `--json` the object itself (not a one-element list, unlike `create --json`).
    pub(crate) fn item(&self, record: &Token, layout: Layout) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => write_stdout(&single::json_object(record)),
            _ => self.tokens(std::slice::from_ref(record), layout),
        }
    }

    /// `audit`'s report: one row per token, grouped by owner in a table.
    pub(crate) fn audit(&self, rows: &[Token]) -> io::Result<()> {
        write_stdout(&audit::render(rows, self.format, self.relative))
    }

    /// A line of text (`Revoked`, the server's message), the same in every format.
    pub(crate) fn line(&self, text: &str) -> io::Result<()> {
        write_stdout(&format!("{text}\n"))
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

/// For the people view: `PREFIX (in use)` on the token this command authenticated with.
fn mark_token_in_use(tokens: &[Token]) -> Vec<Token> {
    tokens
        .iter()
        .map(|token| match token.token_prefix() {
            Some(prefix) if token.currently_active() => token
                .clone()
                .with("token_prefix", format!("{prefix} (in use)").into()),
            _ => token.clone(),
        })
        .collect()
}

/// Write `text` to stdout and flush. The only function that touches stdout.
pub(crate) fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}
