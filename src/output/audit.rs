//! `audit`'s report. Each row is one token with its owner and findings (`owner`,
//! `owner_type`, `owner_id`, `token_prefix`, `description`, `create_time`, `expiry_time`,
//! `last_used_time`, `findings`). The table groups rows by owner under a heading line, each
//! group in the `avn` table layout; JSON, CSV and YAML are flat lists of the rows.

use serde_json::Value;

use super::formats;
use super::relative::RelativeCells;
use super::table::{self, AvnCells, CellFormat, format_value};
use crate::api::Token;
use crate::cli::OutputFormat;

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

pub(super) fn render(rows: &[Token], format: OutputFormat, relative: bool) -> String {
    match format {
        // The people view is the grouped table with relative times.
        OutputFormat::Table if relative => grouped(rows, &RelativeCells::now()),
        OutputFormat::Pretty => grouped(rows, &RelativeCells::now()),
        OutputFormat::Table => grouped(rows, &AvnCells),
        OutputFormat::Json => formats::to_string(|out| formats::json(out, rows)),
        OutputFormat::Csv => formats::to_string(|out| formats::csv(out, rows, CSV_COLUMNS)),
        OutputFormat::Yaml => formats::to_string(|out| formats::yaml(out, rows)),
    }
}

/// One heading and table per owner, in the rows' order, a blank line between owners.
fn grouped(rows: &[Token], cells: &dyn CellFormat) -> String {
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
        out.push_str(&table::render(&rows[start..end], TABLE_COLUMNS, cells));
        start = end;
    }
    out
}

fn same_owner(a: &Token, b: &Token) -> bool {
    ["owner_type", "owner_id", "owner"]
        .iter()
        .all(|field| a.get(field) == b.get(field))
}

/// `dev@example.com (user)`, `ci-bot (application-user u1a2b3c)`. Names come from the
/// server: they are shown with the table's quoting, so no control character gets through.
fn heading(row: &Token) -> String {
    let shown = |field: &str| {
        row.get(field)
            .filter(|value| !value.is_null())
            .map_or_else(String::new, |value| cell(&value))
    };
    let owner_id = shown("owner_id");
    let owner_type = shown("owner_type");
    if owner_id.is_empty() {
        format!("{} ({owner_type})", shown("owner"))
    } else {
        format!("{} ({owner_type} {owner_id})", shown("owner"))
    }
}

fn cell(value: &Value) -> String {
    format_value(None, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(owner: &str, owner_type: &str, owner_id: Value, prefix: &str) -> Token {
        serde_json::from_value(json!({
            "owner": owner, "owner_type": owner_type, "owner_id": owner_id,
            "token_prefix": prefix, "description": "d", "create_time": "2026-01-01T00:00:00Z",
            "expiry_time": null, "last_used_time": null, "findings": ["never-expires", "never-used"]
        }))
        .unwrap()
    }

    #[test]
    fn the_table_groups_by_owner() {
        let rows = [
            row("me@example.com", "user", Value::Null, "aaaaaaaaaaaa"),
            row(
                "ci \"bot\"",
                "application-user",
                json!("u1"),
                "bbbbbbbbbbbb",
            ),
            row(
                "ci \"bot\"",
                "application-user",
                json!("u1"),
                "cccccccccccc",
            ),
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
            &[row("me", "user", Value::Null, "aaaaaaaaaaaa")],
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
