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

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::api::Token;
use crate::raw_json::{Kind, Raw, sort_keeping_last, unquote};
use crate::safe_text;

/// How a column's values are shown: `avn`'s rules, or times relative to `now` for people.
pub trait CellFormat {
    /// The cell for `value` in column `field`; borrowed from the token when it can be.
    fn cell<'a>(&self, field: &str, value: Raw<'a>) -> Cow<'a, str>;
}

/// `avn`'s `format_item`.
pub struct AvnCells;

impl CellFormat for AvnCells {
    fn cell<'a>(&self, field: &str, value: Raw<'a>) -> Cow<'a, str> {
        format_raw(Some(field), value)
    }
}

/// Render `tokens` as the `avn` table over `columns`; `""` for an empty list.
pub fn render(tokens: &[Token], columns: &[&str], cells: &dyn CellFormat) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(&mut out, tokens, columns, cells);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`render`], written to `out` as it goes.
pub(crate) fn write(
    out: &mut dyn Write,
    tokens: &[Token],
    columns: &[&str],
    cells: &dyn CellFormat,
) -> io::Result<()> {
    if tokens.is_empty() {
        return Ok(());
    }
    // One flat grid of cells and their display widths, row after row: a cell is usually
    // borrowed from its token.
    let mut grid: Vec<(Cow<'_, str>, usize)> = Vec::with_capacity(tokens.len() * columns.len());
    let mut widths: Vec<usize> = columns.iter().map(|field| field.len().max(1)).collect();
    for token in tokens {
        let spreads = token
            .raw("")
            .is_some_and(|value| value.kind() == Kind::Object);
        for (&field, width) in columns.iter().zip(widths.iter_mut()) {
            let shown = if spreads {
                // Every value avn formats for the column counts for its width; the last shows.
                let mut last = None;
                flattened(token.entries(), field, true, &mut |value| {
                    let cell = cells.cell(field, value);
                    *width = (*width).max(display_width(&cell));
                    last = Some(cell);
                });
                last
            } else {
                token.raw(field).map(|value| cells.cell(field, value))
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
    members: impl Iterator<Item = (Cow<'a, str>, Raw<'a>)>,
    field: &str,
    top: bool,
    found: &mut dyn FnMut(Raw<'a>),
) {
    // (first position, last value) of the field and of the empty name.
    let mut own: Option<(usize, Raw<'a>)> = None;
    let mut spread: Option<(usize, Raw<'a>)> = None;
    for (index, (name, value)) in members.enumerate() {
        let slot = match &*name {
            "" => &mut spread,
            name if name == field => &mut own,
            _ => continue,
        };
        *slot = Some((slot.map_or(index, |(first, _)| first), value));
    }
    // Both in the order they appeared, each marked whether it is spread.
    let own = own.filter(|(_, value)| top || value.kind() != Kind::Object);
    let spread = spread.filter(|(_, value)| value.kind() == Kind::Object);
    let mut parts = [
        own.map(|(at, value)| (at, value, false)),
        spread.map(|(at, value)| (at, value, true)),
    ];
    parts.sort_by_key(|part| part.map(|(at, ..)| at));
    for (_, value, spreads) in parts.into_iter().flatten() {
        if spreads {
            flattened(value.entries(), field, false, found);
        } else {
            found(value);
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
pub(crate) fn render_vertical(token: &Token, fields: &[&str], cells: &dyn CellFormat) -> String {
    let width = fields.iter().map(|f| f.len()).max().unwrap_or(0);
    let mut out = String::new();
    for &field in fields {
        let value = token
            .raw(field)
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
pub fn format_value(field: Option<&str>, value: &Value) -> String {
    format_raw(field, Raw::new(&value.to_string())).into_owned()
}

/// `avn`'s `format_item`, straight from the JSON text.
pub(crate) fn format_raw<'a>(field: Option<&str>, value: Raw<'a>) -> Cow<'a, str> {
    match value.kind() {
        Kind::Null => Cow::Borrowed("null"),
        Kind::Bool(flag) => Cow::Borrowed(if flag { "true" } else { "false" }),
        Kind::Number => python_number(value.text()),
        Kind::String => {
            let mut text = unquote(value.text());
            if field.is_some_and(|field| field.ends_with("_time"))
                && text.ends_with('Z')
                && let Some((whole_seconds, _)) = text.split_once('.')
            {
                text = Cow::Owned(format!("{whole_seconds}Z"));
            }
            if needs_quoting(&text) {
                Cow::Owned(python_json_string(&text))
            } else {
                text
            }
        }
        Kind::Array => {
            // Written item by item: a list of millions of items costs its text, not a
            // vector of millions of strings.
            let mut joined = String::with_capacity(value.text().len());
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    joined.push_str(", ");
                }
                joined.push_str(&format_raw(None, item));
            }
            Cow::Owned(joined)
        }
        Kind::Object => {
            let mut out = String::new();
            write_python_json(&mut out, value);
            Cow::Owned(out)
        }
    }
}

/// `avn` JSON-quotes a string that `json.dumps` would escape (quote, backslash, C0
/// control, DEL). It escapes all non-ASCII too; we print that as itself, except the characters
/// that could drive a terminal (C1 controls, bidi overrides), which get the same quoting,
/// so hostile API data cannot reach the terminal raw.
fn needs_quoting(text: &str) -> bool {
    // Printable ASCII other than `"` and `\` (nearly every cell) is decided byte by byte.
    let plain = |b: &u8| (0x20..0x7f).contains(b) && *b != b'"' && *b != b'\\';
    !text.as_bytes().iter().all(plain)
        && text
            .chars()
            .any(|c| c == '"' || c == '\\' || safe_text::is_hazard(c))
}

/// `json.dumps(value, sort_keys=True)` with Python's default separators (`", "`, `": "`),
/// except that non-ASCII characters stay themselves.
fn write_python_json(out: &mut String, value: Raw<'_>) {
    match value.kind() {
        Kind::Null | Kind::Bool(_) | Kind::Number => out.push_str(&format_raw(None, value)),
        Kind::String => out.push_str(&python_json_string(&unquote(value.text()))),
        Kind::Array => {
            out.push('[');
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_python_json(out, item);
            }
            out.push(']');
        }
        Kind::Object => {
            out.push('{');
            for (index, (key, item)) in value.sorted_entries().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(&python_json_string(&key));
                out.push_str(": ");
                write_python_json(out, item);
            }
            out.push('}');
        }
    }
}

/// An object's members sorted by name, the last of duplicate names kept (as a Python
/// `dict` or serde_json's map would).
pub(crate) fn sorted_entries<'a>(
    entries: impl IntoIterator<Item = (Cow<'a, str>, Raw<'a>)>,
) -> Vec<(Cow<'a, str>, Raw<'a>)> {
    let mut members: Vec<(Cow<'a, str>, Raw<'a>)> = entries.into_iter().collect();
    sort_keeping_last(&mut members, |a, b| a.0.cmp(&b.0));
    members
}

/// A JSON string literal escaped as Python's `json` module does (`\n`, `\"`, `\u001b`).
fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // `/` stays as it is, as in Python.
            c if safe_text::is_hazard(c) => safe_text::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON number as Python's `json.loads` + `json.dumps` write it: integers exactly as
/// they are (any size: Python's are unbounded), `-0` as `0`; other numbers are floats,
/// written as `repr()` does (`3600.0`, `1e-05`, `1e+16`, `Infinity` past the f64 range).
pub(crate) fn python_number(text: &str) -> Cow<'_, str> {
    if !text.contains(['.', 'e', 'E']) {
        return if text == "-0" {
            Cow::Borrowed("0")
        } else {
            Cow::Borrowed(text)
        };
    }
    match text.parse::<f64>() {
        Ok(float) => Cow::Owned(python_float_repr(float)),
        Err(_) => Cow::Borrowed(text),
    }
}

fn python_float_repr(float: f64) -> String {
    if float.is_nan() {
        return "NaN".to_owned();
    }
    if float.is_infinite() {
        return if float > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if float == 0.0 {
        return if float.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .to_owned();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, as Python's repr does.
    let scientific = format!("{float:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            format!("{whole}.{fraction}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let mantissa = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exponent_sign}{:02}", exponent.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(value: Value) -> Token {
        Token::from_map(value.as_object().unwrap())
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
        assert_eq!(render(&tokens, LIST, &AvnCells), expected);
    }

    #[test]
    fn empty_list_prints_nothing() {
        assert_eq!(render(&[], LIST, &AvnCells), "");
    }

    #[test]
    fn missing_fields_are_blank_and_rows_are_stripped_at_both_ends() {
        let tokens = [
            token(json!({"description": "x"})),
            token(json!({"expiry_time": "long-value-here"})),
        ];
        let out = render(&tokens, &["expiry_time", "description"], &AvnCells);
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

    #[test]
    fn floats_like_python_repr() {
        for (float, repr) in [
            (3600.0, "3600.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (123.456, "123.456"),
            (1e300, "1e+300"),
        ] {
            assert_eq!(python_float_repr(float), repr, "{float}");
        }
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
        assert_eq!(render(&tokens, &columns, &AvnCells), expected);
    }

    #[test]
    fn non_ascii_aligns_by_display_width() {
        let tokens = [
            token(json!({"description": "日本", "token_prefix": "a"})),
            token(json!({"description": "abcd", "token_prefix": "b"})),
        ];
        let out = render(&tokens, &["description", "token_prefix"], &AvnCells);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2], "日本         a");
        assert_eq!(lines[3], "abcd         b");
    }
}
