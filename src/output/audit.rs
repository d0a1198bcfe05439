//! `audit`'s report. Each row is one token with its owner and findings (`owner`,
//! `owner_type`, `owner_id`, `token_prefix`, `description`, `create_time`, `expiry_time`,
//! `last_used_time`, `findings`). The table groups rows by owner under a heading line, each
//! group in the `avn` table layout; JSON, CSV and YAML are flat lists of the rows.

use std::io::{self, Write};

use super::pretty::{self, Terminal};
use super::relative::RelativeCells;
use super::row::Row;
use super::table::{self, AvnCells, CellFormat};
use super::{csv, json, yaml};
use crate::cli::OutputFormat;
use crate::raw_json::Kind;

/// The table's columns under each owner heading.
const TABLE_COLUMNS: &[&str] = &[
    "token_prefix",
    "description",
    "create_time",
    "expiry_time",
    "last_used_time",
    "findings",
];

/// CSV has no headings: the owner is in every row.
const CSV_COLUMNS: &[&str] = &[
    "owner",
    "owner_type",
    "owner_id",
    "token_prefix",
    "description",
    "create_time",
    "expiry_time",
    "last_used_time",
    "findings",
];

pub(super) fn write(
    out: &mut dyn Write,
    rows: &[Row<'_>],
    format: OutputFormat,
    relative: bool,
    terminal: Terminal,
) -> io::Result<()> {
    let table =
        |cells: &dyn CellFormat| grouped(rows, |group| table::render(group, TABLE_COLUMNS, cells));
    match format {
        OutputFormat::Table if relative => out.write_all(table(&RelativeCells::now()).as_bytes()),
        OutputFormat::Table => out.write_all(table(&AvnCells).as_bytes()),
        // For people: each owner's table fits the terminal, as `list -o pretty` does.
        OutputFormat::Pretty => {
            let now = chrono::Utc::now();
            let text = grouped(rows, |group| pretty::audit(group, terminal, now));
            out.write_all(text.as_bytes())
        }
        OutputFormat::Json => json::list(out, rows),
        OutputFormat::Csv => csv::write(out, rows, CSV_COLUMNS),
        OutputFormat::Yaml => yaml::list(out, rows),
    }
}

/// One heading and table per owner (`render` makes it), in the rows' order, a blank line
/// between owners.
fn grouped(rows: &[Row<'_>], render: impl Fn(&[Row<'_>]) -> String) -> String {
    let mut out = String::new();
    let mut start = 0;
    while start < rows.len() {
        let end = rows[start..]
            .iter()
            .position(|row| !same_owner(row, &rows[start]))
            .map_or(rows.len(), |offset| start + offset);
        if start > 0 {
            out.push('\n');
        }
        out.push_str(&heading(&rows[start]));
        out.push('\n');
        out.push_str(&render(&rows[start..end]));
        start = end;
    }
    out
}

fn same_owner(a: &Row<'_>, b: &Row<'_>) -> bool {
    ["owner_type", "owner_id", "owner"]
        .iter()
        .all(|field| a.get(field) == b.get(field))
}

/// `dev@example.com (user)`, `ci-bot (application-user u1a2b3c)`. Names come from the
/// server: they are shown with the table's quoting, so no control character gets through.
fn heading(row: &Row<'_>) -> String {
    let shown = |field: &str| match row.get(field) {
        Some(value) if value.kind() != Kind::Null => table::cell(None, value).into_owned(),
        _ => String::new(),
    };
    let owner_id = shown("owner_id");
    let owner_type = shown("owner_type");
    if owner_id.is_empty() {
        format!("{} ({owner_type})", shown("owner"))
    } else {
        format!("{} ({owner_type} {owner_id})", shown("owner"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::row::Value;

    fn render(rows: &[Row<'_>], format: OutputFormat, relative: bool) -> String {
        let mut out = Vec::new();
        write(&mut out, rows, format, relative, Terminal::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A row as `audit` builds it: the token's fields are the API's JSON text.
    fn row(
        owner: &'static str,
        owner_type: &'static str,
        owner_id: Option<&'static str>,
        prefix: &'static str,
    ) -> Row<'static> {
        let json = |text: &'static str| Value::Json(crate::raw_json::Raw::new(text));
        Row::new()
            .with("owner", Value::Text(owner.into()))
            .with("owner_type", Value::Text(owner_type.into()))
            .with("owner_id", Value::text_or_null(owner_id))
            .with("token_prefix", Value::Text(prefix.into()))
            .with("description", json("\"d\""))
            .with("create_time", json("\"2026-01-01T00:00:00Z\""))
            .with("expiry_time", json("null"))
            .with("last_used_time", Value::Null)
            .with(
                "findings",
                Value::Texts(vec!["never-expires".into(), "never-used".into()]),
            )
    }

    #[test]
    fn the_table_groups_by_owner() {
        let rows = [
            row("me@example.com", "user", None, "aaaaaaaaaaaa"),
            row("ci \"bot\"", "application-user", Some("u1"), "bbbbbbbbbbbb"),
            row("ci \"bot\"", "application-user", Some("u1"), "cccccccccccc"),
        ];
        let out = render(&rows, OutputFormat::Table, false);
        let expected = "\
me@example.com (user)
TOKEN_PREFIX  DESCRIPTION  CREATE_TIME           EXPIRY_TIME  LAST_USED_TIME  FINDINGS                 
============  ===========  ====================  ===========  ==============  =========================
aaaaaaaaaaaa  d            2026-01-01T00:00:00Z  null         null            never-expires, never-used

\"ci \\\"bot\\\"\" (application-user u1)
TOKEN_PREFIX  DESCRIPTION  CREATE_TIME           EXPIRY_TIME  LAST_USED_TIME  FINDINGS                 
============  ===========  ====================  ===========  ==============  =========================
bbbbbbbbbbbb  d            2026-01-01T00:00:00Z  null         null            never-expires, never-used
cccccccccccc  d            2026-01-01T00:00:00Z  null         null            never-expires, never-used
";
        assert_eq!(out, expected);
        assert_eq!(render(&[], OutputFormat::Table, false), "");
        assert_eq!(render(&[], OutputFormat::Json, false), "[]\n");
    }

    #[test]
    fn csv_names_the_owner_on_every_row() {
        let out = render(
            &[row("me", "user", None, "aaaaaaaaaaaa")],
            OutputFormat::Csv,
            false,
        );
        assert_eq!(
            out,
            "owner,owner_type,owner_id,token_prefix,description,create_time,expiry_time,last_used_time,findings\r\n\
             me,user,,aaaaaaaaaaaa,d,2026-01-01T00:00:00Z,,,never-expires;never-used\r\n"
        );
    }
}
