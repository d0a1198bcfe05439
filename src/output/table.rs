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

use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::api::Token;
use crate::safe_text;

/// How a column's values are shown: `avn`'s rules, or times relative to `now` for people.
pub trait CellFormat {
    fn cell(&self, field: &str, value: &Value) -> String;
}

/// `avn`'s `format_item`.
pub struct AvnCells;

impl CellFormat for AvnCells {
    fn cell(&self, field: &str, value: &Value) -> String {
        format_value(Some(field), value)
    }
}

/// Render `tokens` as the `avn` table over `columns`; `""` for an empty list.
pub fn render(tokens: &[Token], columns: &[&str], cells: &dyn CellFormat) -> String {
    if tokens.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|token| {
            columns
                .iter()
                .map(|&field| {
                    token
                        .get(field)
                        .map_or_else(String::new, |v| cells.cell(field, v))
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(index, field)| {
            rows.iter()
                .map(|row| row[index].width())
                .chain([field.len(), 1])
                .max()
                .unwrap_or(1)
        })
        .collect();

    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|field| field.to_uppercase()).collect();
    push_line(&mut out, &header, &widths);
    out.push('\n');
    let rules: Vec<String> = widths.iter().map(|&width| "=".repeat(width)).collect();
    push_line(&mut out, &rules, &widths);
    out.push('\n');
    for row in &rows {
        let start = out.len();
        push_line(&mut out, row, &widths);
        let stripped = out[start..].trim_matches(python_whitespace).to_owned();
        out.truncate(start);
        out.push_str(&stripped);
        out.push('\n');
    }
    out
}

/// A one-token view for people (`info`): `FIELD  value` lines, aligned.
pub(crate) fn render_vertical(token: &Token, fields: &[&str], cells: &dyn CellFormat) -> String {
    let width = fields.iter().map(|f| f.len()).max().unwrap_or(0);
    let mut out = String::new();
    for &field in fields {
        let value = token
            .get(field)
            .map_or_else(String::new, |v| cells.cell(field, v));
        let line = format!("{:width$}  {value}", field.to_uppercase());
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn push_line(out: &mut String, cells: &[String], widths: &[usize]) {
    for (index, (cell, &width)) in cells.iter().zip(widths).enumerate() {
        if index > 0 {
            out.push_str("  ");
        }
        out.push_str(cell);
        out.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.width())));
    }
}

/// What Python's `str.strip()` removes: Unicode whitespace plus the separators U+001C–U+001F.
fn python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `avn`'s `format_item`: how one value is shown in a table cell.
pub fn format_value(field: Option<&str>, value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => python_number(number),
        Value::String(text) => {
            let text = match field {
                Some(field) if field.ends_with("_time") && text.ends_with('Z') => {
                    match text.split_once('.') {
                        Some((whole_seconds, _)) => format!("{whole_seconds}Z"),
                        None => text.clone(),
                    }
                }
                _ => text.clone(),
            };
            if text.chars().any(needs_json_escape) {
                python_json_string(&text)
            } else {
                text
            }
        }
        Value::Array(items) => items
            .iter()
            .map(|item| format_value(None, item))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => python_json(value),
    }
}

/// `avn` JSON-quotes a string that `json.dumps` would escape (quote, backslash, C0
/// control). It escapes all non-ASCII too; we print that as itself, except the characters
/// that could drive a terminal (C1 controls, bidi overrides), which get the same quoting,
/// so hostile API data cannot reach the terminal raw.
fn needs_json_escape(c: char) -> bool {
    c == '"' || c == '\\' || safe_text::is_hazard(c)
}

/// `json.dumps(value, sort_keys=True)` with Python's default separators (`", "`, `": "`),
/// except that non-ASCII characters stay themselves.
pub(crate) fn python_json(value: &Value) -> String {
    let mut out = String::new();
    write_python_json(&mut out, value);
    out
}

fn write_python_json(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&python_number(number)),
        Value::String(text) => out.push_str(&python_json_string(text)),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_python_json(out, item);
            }
            out.push(']');
        }
        Value::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                out.push_str(&python_json_string(key));
                out.push_str(": ");
                write_python_json(out, &fields[key]);
            }
            out.push('}');
        }
    }
}

/// A JSON string literal escaped as Python's `json` module does (`\n`, `\"`, `\u001b`).
fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            // `/` and DEL stay as they are, as in Python.
            c if safe_text::is_hazard(c) => safe_text::push_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A number as Python's `json.dumps` writes it: integers as they are, floats as `repr()`
/// does (`3600.0`, `1e-05`, `1e+16`).
pub(crate) fn python_number(number: &serde_json::Number) -> String {
    if number.is_i64() || number.is_u64() {
        return number.to_string();
    }
    match number.as_f64() {
        Some(float) => python_float_repr(float),
        None => number.to_string(),
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
        serde_json::from_value(value).unwrap()
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
            "\"bell\\u0007\\b\\fdel\u{7f}\""
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
