//! The `avn` table, byte for byte.
//!
//! This mirrors `aiven.client.pretty.yield_table` as `avn user access-token` uses it:
//!
//! - header: field names upper-cased, left-justified to the column width, joined by two
//!   spaces, trailing padding kept;
//! - then `=` repeated to each width, joined by two spaces;
//! - rows: values left-justified and joined the same way, then stripped of surrounding
//!   whitespace (Python's `str.strip()`, both ends);
//! - width = max(header length, longest value, 1); an empty list prints nothing.
//!
//! One deliberate difference: `avn` escapes non-ASCII text (`"Caf\u00e9"`) and pads by code
//! points; here it is printed as itself and padded by terminal display width, so `日本`
//! lines up. For ASCII data the output is identical.
//!
//! It is written by hand rather than on a table crate: the layout is a few lines of
//! arithmetic whose quirks (kept header padding, stripped rows, `=` lines that stop at the
//! column edge) are exactly what must be reproduced, and a crate would need a fix-up pass
//! for each of them.

use std::borrow::Cow;
use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::python;
use super::row::{Row, Value, deeper};
use crate::raw_json::{Kind, Raw};
use crate::safe_text;

/// How a column's values are shown: `avn`'s rules, or times relative to `now` for people.
pub trait CellFormat {
    /// The cell for `value` in column `field`; borrowed from the row when it can be.
    fn cell<'a>(&self, field: &str, value: Value<'a>) -> Cow<'a, str>;
}

/// `avn`'s `format_item`.
pub struct AvnCells;

impl CellFormat for AvnCells {
    fn cell<'a>(&self, field: &str, value: Value<'a>) -> Cow<'a, str> {
        cell(Some(field), value)
    }
}

/// Render `rows` as the `avn` table over `columns`; `""` for an empty list.
pub fn render(rows: &[Row<'_>], columns: &[&str], cells: &dyn CellFormat) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(&mut out, rows, columns, cells);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`render`], written to `out` as it goes.
pub(crate) fn write(
    out: &mut dyn Write,
    rows: &[Row<'_>],
    columns: &[&str],
    cells: &dyn CellFormat,
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // One flat grid of cells and their display widths, row after row: a cell is usually
    // borrowed from its row's record.
    let mut grid: Vec<(Cow<'_, str>, usize)> = Vec::with_capacity(rows.len() * columns.len());
    let mut widths: Vec<usize> = columns.iter().map(|field| field.len().max(1)).collect();
    for row in rows {
        let spreads = row
            .get("")
            .is_some_and(|value| value.kind() == Kind::Object);
        for (&field, width) in columns.iter().zip(widths.iter_mut()) {
            let shown = if spreads {
                // Every value avn formats for the column counts for its width; the last shows.
                let mut last = None;
                flattened(&mut row.entries(), field, true, &mut |value| {
                    let cell = cells.cell(field, value);
                    *width = (*width).max(display_width(&cell));
                    last = Some(cell);
                });
                last
            } else {
                row.get(field).map(|value| cells.cell(field, value))
            };
            let cell = shown.unwrap_or(Cow::Borrowed(""));
            let cell_width = display_width(&cell);
            *width = (*width).max(cell_width);
            grid.push((cell, cell_width));
        }
    }

    // The header keeps its padding; the rule stops at each column's edge. Both are written
    // piece by piece: a column is as wide as its widest cell, which may be megabytes.
    for (index, (field, &width)) in columns.iter().zip(&widths).enumerate() {
        if index > 0 {
            out.write_all(b"  ")?;
        }
        out.write_all(field.to_uppercase().as_bytes())?;
        write_repeated(out, b' ', width.saturating_sub(field.len()))?;
    }
    out.write_all(b"\n")?;
    for (index, &width) in widths.iter().enumerate() {
        if index > 0 {
            out.write_all(b"  ")?;
        }
        write_repeated(out, b'=', width)?;
    }
    out.write_all(b"\n")?;
    for row in grid.chunks(columns.len().max(1)) {
        write_row(out, row, &widths)?;
    }
    Ok(())
}

/// The values avn's `pretty._flattened_dict` gives column `field` of an object with these
/// `members`, in its order, to `found`. It spreads an object's members into dotted names
/// (`{"metric": {"ping": 3}}` is `metric.ping`), which no column is, except under the empty
/// name: `{"": {"description": "x"}}` is `description`, at any depth of `""`s. A member is
/// where its name first appeared, with the last value of that name (a Python dict); below
/// the top level an object value is spread, not a value (avn passes the layout down one
/// level only).
fn flattened<'a>(
    members: &mut dyn Iterator<Item = (Cow<'a, str>, Value<'a>)>,
    field: &str,
    top: bool,
    found: &mut dyn FnMut(Value<'a>),
) {
    // (first position, last value) of the field and of the empty name.
    let mut own: Option<(usize, Value<'a>)> = None;
    let mut spread: Option<(usize, Value<'a>)> = None;
    for (index, (name, value)) in members.enumerate() {
        let slot = match &*name {
            "" => &mut spread,
            name if name == field => &mut own,
            _ => continue,
        };
        let first = slot.as_ref().map_or(index, |(first, _)| *first);
        *slot = Some((first, value));
    }
    // Both in the order they appeared, each marked whether it is spread.
    let own = own.filter(|(_, value)| top || value.kind() != Kind::Object);
    let spread = spread.filter(|(_, value)| value.kind() == Kind::Object);
    let mut parts = [
        own.map(|(at, value)| (at, value, false)),
        spread.map(|(at, value)| (at, value, true)),
    ];
    parts.sort_by_key(|part| part.as_ref().map(|(at, ..)| *at));
    for (_, value, spreads) in parts.into_iter().flatten() {
        match value.raw() {
            // Only the API sends objects.
            Some(object) if spreads => {
                let mut members = object
                    .entries()
                    .map(|(name, member)| (name, Value::Json(member)));
                deeper(|| flattened(&mut members, field, false, found));
            }
            _ => found(value),
        }
    }
}

/// One row: cells padded to the column widths, two spaces apart, then stripped at both
/// ends as Python's `str.strip()` does; written piece by piece, without copying a cell.
fn write_row(
    out: &mut dyn Write,
    row: &[(Cow<'_, str>, usize)],
    widths: &[usize],
) -> io::Result<()> {
    enum Piece<'a> {
        Text(&'a str),
        Spaces(usize),
    }
    let mut pieces = Vec::with_capacity(row.len() * 3);
    for (index, ((cell, cell_width), &width)) in row.iter().zip(widths).enumerate() {
        if index > 0 {
            pieces.push(Piece::Spaces(2));
        }
        pieces.push(Piece::Text(cell));
        pieces.push(Piece::Spaces(width.saturating_sub(*cell_width)));
    }
    // Only text outside the first and last non-blank cells is stripped.
    let has_text = |piece: &Piece<'_>| match piece {
        Piece::Text(text) => !text.trim_matches(python_whitespace).is_empty(),
        Piece::Spaces(_) => false,
    };
    let (Some(first), Some(last)) = (
        pieces.iter().position(has_text),
        pieces.iter().rposition(has_text),
    ) else {
        return out.write_all(b"\n");
    };
    for (index, piece) in pieces.iter().enumerate().take(last + 1).skip(first) {
        match piece {
            Piece::Text(text) => {
                let mut text = *text;
                if index == first {
                    text = text.trim_start_matches(python_whitespace);
                }
                if index == last {
                    text = text.trim_end_matches(python_whitespace);
                }
                out.write_all(text.as_bytes())?;
            }
            Piece::Spaces(count) => write_repeated(out, b' ', *count)?,
        }
    }
    out.write_all(b"\n")
}

/// `byte` written `count` times, a block at a time.
fn write_repeated(out: &mut dyn Write, byte: u8, mut count: usize) -> io::Result<()> {
    let block = [byte; 64];
    while count > 0 {
        let now = count.min(block.len());
        out.write_all(&block[..now])?;
        count -= now;
    }
    Ok(())
}

/// A one-token view for people (`info`): `FIELD  value` lines, aligned.
pub(crate) fn render_vertical(row: &Row<'_>, fields: &[&str], cells: &dyn CellFormat) -> String {
    let width = fields.iter().map(|f| f.len()).max().unwrap_or(0);
    let mut out = String::new();
    for &field in fields {
        let value = row
            .get(field)
            .map_or(Cow::Borrowed(""), |v| cells.cell(field, v));
        let line = format!("{:width$}  {value}", field.to_uppercase());
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Terminal columns: the length for ASCII (nearly every cell), Unicode widths otherwise.
fn display_width(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.width()
    }
}

/// What Python's `str.strip()` removes: Unicode whitespace plus the separators U+001C–U+001F.
fn python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `avn`'s `format_item` for a JSON value: how one value is shown in a table cell.
pub fn format_value(field: Option<&str>, value: &serde_json::Value) -> String {
    cell(field, Value::Json(Raw::new(&value.to_string()))).into_owned()
}

/// `avn`'s `format_item`: how one value is shown in a table cell (in `field`, for the
/// `_time` rule). Text is borrowed from the value when it is shown as it is.
pub(crate) fn cell<'a>(field: Option<&str>, value: Value<'a>) -> Cow<'a, str> {
    match value.kind() {
        Kind::Null => Cow::Borrowed("null"),
        Kind::Bool(flag) => Cow::Borrowed(if flag { "true" } else { "false" }),
        Kind::Number => match value.number().unwrap_or_default() {
            Cow::Borrowed(text) => python::number(text),
            Cow::Owned(text) => Cow::Owned(python::number(&text).into_owned()),
        },
        Kind::String => {
            let mut text = value.as_str().unwrap_or_default();
            if field.is_some_and(|field| field.ends_with("_time"))
                && text.ends_with('Z')
                && let Some((whole_seconds, _)) = text.split_once('.')
            {
                text = Cow::Owned(format!("{whole_seconds}Z"));
            }
            // avn JSON-quotes a string that `json.dumps` would escape.
            if python::would_escape(&text) {
                let mut quoted = String::with_capacity(text.len() + 2);
                python::push_string(&mut quoted, &text, safe_text::is_hazard);
                Cow::Owned(quoted)
            } else {
                text
            }
        }
        Kind::Array => deeper(|| {
            // Written item by item: a list of millions of items costs its text, not a
            // vector of millions of strings.
            let mut joined = String::new();
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    joined.push_str(", ");
                }
                joined.push_str(&cell(None, item));
            }
            Cow::Owned(joined)
        }),
        Kind::Object => {
            let mut out = String::new();
            python::push_dumps(&mut out, &value);
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Token;
    use serde_json::json;

    fn token(value: serde_json::Value) -> Token {
        serde_json::from_value(value).unwrap()
    }

    /// The table of `tokens` shown whole.
    fn table(tokens: &[Token], columns: &[&str]) -> String {
        let rows: Vec<Row<'_>> = tokens.iter().map(Row::from).collect();
        render(&rows, columns, &AvnCells)
    }

    const LIST: &[&str] = crate::output::Layout::Listed.columns();

    #[test]
    fn the_reference_page_example() {
        let tokens = [
            token(json!({
                "expiry_time": "2021-09-15T15:29:14.123456Z", "token_prefix": "XCJ3+bgWywIh",
                "description": "Test token", "max_age_seconds": 2592000, "extend_when_used": true,
                "last_used_time": "2021-08-16T15:29:14Z", "last_ip": "192.168.1.1",
                "last_user_agent": "aiven-client/2.12.0", "unknown_field": {"x": 1}
            })),
            token(json!({
                "expiry_time": "2021-08-16T16:26:10Z", "token_prefix": "6JsKDclT3OMQ",
                "description": "To be used with Python Notebooks", "max_age_seconds": 3600,
                "extend_when_used": true, "last_used_time": null, "last_ip": null,
                "last_user_agent": null
            })),
        ];
        let expected = "\
EXPIRY_TIME           TOKEN_PREFIX  DESCRIPTION                       MAX_AGE_SECONDS  EXTEND_WHEN_USED  LAST_USED_TIME        LAST_IP      LAST_USER_AGENT    
====================  ============  ================================  ===============  ================  ====================  ===========  ===================
2021-09-15T15:29:14Z  XCJ3+bgWywIh  Test token                        2592000          true              2021-08-16T15:29:14Z  192.168.1.1  aiven-client/2.12.0
2021-08-16T16:26:10Z  6JsKDclT3OMQ  To be used with Python Notebooks  3600             true              null                  null         null
";
        assert_eq!(table(&tokens, LIST), expected);
    }

    #[test]
    fn empty_list_prints_nothing() {
        assert_eq!(table(&[], LIST), "");
    }

    #[test]
    fn missing_fields_are_blank_and_rows_are_stripped_at_both_ends() {
        let tokens = [
            token(json!({"description": "x"})),
            token(json!({"expiry_time": "long-value-here"})),
        ];
        let out = table(&tokens, &["expiry_time", "description"]);
        assert_eq!(
            out,
            "EXPIRY_TIME      DESCRIPTION\n===============  ===========\nx\nlong-value-here\n"
        );
    }

    #[test]
    fn value_rules() {
        assert_eq!(
            format_value(Some("a_time"), &json!("2021-01-01T00:00:00.5Z")),
            "2021-01-01T00:00:00Z"
        );
        assert_eq!(
            format_value(Some("a_time"), &json!("2021-01-01T00:00:00.5")),
            "2021-01-01T00:00:00.5"
        );
        assert_eq!(format_value(Some("description"), &json!("1.5Z")), "1.5Z");
        assert_eq!(format_value(None, &json!("a\"b")), r#""a\"b""#);
        assert_eq!(format_value(None, &json!("tab\there")), r#""tab\there""#);
        assert_eq!(
            format_value(None, &json!("back\\slash")),
            r#""back\\slash""#
        );
        assert_eq!(format_value(None, &json!("esc\u{1b}")), r#""esc\u001b""#);
        assert_eq!(format_value(None, &json!("Café 日本")), "Café 日本");
        assert_eq!(
            format_value(None, &json!("csi\u{9b}31m")),
            r#""csi\u009b31m""#
        );
        assert_eq!(
            format_value(None, &json!("abc\u{202e}fed")),
            r#""abc\u202efed""#
        );
        assert_eq!(
            format_value(None, &json!("bell\u{7}\u{8}\u{c}del\u{7f}")),
            "\"bell\\u0007\\b\\fdel\\u007f\""
        );
        assert_eq!(
            format_value(None, &json!(["a", 1, null, true])),
            "a, 1, null, true"
        );
        assert_eq!(
            format_value(None, &json!({"b": [1, 2], "a": "x"})),
            r#"{"a": "x", "b": [1, 2]}"#
        );
        assert_eq!(format_value(None, &json!(3600.0)), "3600.0");
        assert_eq!(format_value(None, &json!(-7)), "-7");
    }

    /// avn's `_flattened_dict` spreads an object under the empty name into its members' own
    /// names: they fill the columns of the same names, the last value in the order Python's
    /// dict keeps shown (a name where it first appeared, with its last value), every value
    /// counting for the width. The expected output is avn 4.18.0's for the same JSON text.
    #[test]
    fn an_object_under_the_empty_name_fills_columns_as_avn_flattens_it() {
        let body = br#"{"tokens": [
            {"description": "long long long description", "token_prefix": "p1",
             "": {"description": "hijack", "last_ip": "1.2.3.4", "token_prefix": {"x": 1}}},
            {"": {"": {"token_prefix": "deep", "last_ip": ["a"]}}, "last_ip": "own",
             "description": "d", "description": "twice", "": {"description": "late"}}
        ]}"#;
        let tokens = crate::api::parse_token_list(200, body).unwrap();
        let expected = "\
TOKEN_PREFIX  DESCRIPTION                 LAST_IP
============  ==========================  =======
p1            hijack                      1.2.3.4
twice                       own
";
        let columns = ["token_prefix", "description", "last_ip"];
        assert_eq!(table(&tokens, &columns), expected);
    }

    #[test]
    fn non_ascii_aligns_by_display_width() {
        let tokens = [
            token(json!({"description": "日本", "token_prefix": "a"})),
            token(json!({"description": "abcd", "token_prefix": "b"})),
        ];
        let out = table(&tokens, &["description", "token_prefix"]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2], "日本         a");
        assert_eq!(lines[3], "abcd         b");
    }
}
