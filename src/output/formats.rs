//! The machine-readable formats: JSON (`avn --json`), CSV and YAML, written straight from
//! the tokens' JSON text (see `raw_json`), as they go.
//!
//! Text from the server may hold anything; every string is escaped so that no control
//! character or bidi override is written raw (`safe_text`), in valid JSON / YAML / CSV.

use std::borrow::Cow;
use std::io::{self, Write};

use super::table::{python_number, sorted_entries};
use crate::api::Token;
use crate::raw_json::{Kind, Raw, unquote};
use crate::safe_text;

/// What a writer of this module writes, as a string (for callers that compose output).
pub(super) fn to_string(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = write(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `json.dumps(tokens, indent=4, sort_keys=True)` as `avn --json` prints it, every field
/// the API returned included (non-ASCII is written as UTF-8; parsed, it is the same).
pub(crate) fn json(out: &mut dyn Write, tokens: &[Token]) -> io::Result<()> {
    let mut buffer = String::new();
    if tokens.is_empty() {
        buffer.push_str("[]");
    } else {
        buffer.push('[');
        for (index, token) in tokens.iter().enumerate() {
            buffer.push_str(if index == 0 { "\n" } else { ",\n" });
            push_indent(&mut buffer, 1);
            write_object(
                &mut buffer,
                &mut sorted_entries(token.entries()).into_iter(),
                1,
                out,
            )?;
        }
        buffer.push_str("\n]");
    }
    buffer.push('\n');
    out.write_all(buffer.as_bytes())
}

/// Pretty JSON for `value` at `depth`, flushing `buffer` to `out` now and then so that a
/// huge value never sits whole in memory twice.
fn write_json(
    buffer: &mut String,
    value: Raw<'_>,
    depth: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    match value.kind() {
        Kind::Null => buffer.push_str("null"),
        Kind::Bool(flag) => buffer.push_str(if flag { "true" } else { "false" }),
        Kind::Number => push_json_number(buffer, value.text()),
        Kind::String => push_json_string(buffer, value, safe_text::is_hazard),
        Kind::Array => {
            let mut items = value.items().peekable();
            if items.peek().is_none() {
                buffer.push_str("[]");
            } else {
                buffer.push('[');
                for (index, item) in items.enumerate() {
                    buffer.push_str(if index == 0 { "\n" } else { ",\n" });
                    push_indent(buffer, depth + 1);
                    write_json(buffer, item, depth + 1, out)?;
                    flush_if_large(buffer, out)?;
                }
                buffer.push('\n');
                push_indent(buffer, depth);
                buffer.push(']');
            }
        }
        Kind::Object => write_object(buffer, &mut value.sorted_entries(), depth, out)?,
    }
    Ok(())
}

/// A number as avn's `json.dumps` writes it: an integer as it is (`-0` as `0`), any other
/// number as Python's float `repr` (`1e-07`, `100.0`, `1.5e+16`); byte for byte what avn
/// prints. A number beyond a float's range stays as the server wrote it, where avn writes
/// `Infinity`, which is not JSON.
fn push_json_number(buffer: &mut String, text: &str) {
    match python_number(text) {
        number if number.ends_with("Infinity") || number == "NaN" => buffer.push_str(text),
        number => buffer.push_str(&number),
    }
}

fn write_object<'a>(
    buffer: &mut String,
    members: &mut dyn ExactSizeIterator<Item = (Cow<'a, str>, Raw<'a>)>,
    depth: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    if members.len() == 0 {
        buffer.push_str("{}");
        return Ok(());
    }
    buffer.push('{');
    for (index, (key, value)) in members.enumerate() {
        buffer.push_str(if index == 0 { "\n" } else { ",\n" });
        push_indent(buffer, depth + 1);
        push_escaped_string(buffer, &key, safe_text::is_hazard);
        buffer.push_str(": ");
        write_json(buffer, value, depth + 1, out)?;
        flush_if_large(buffer, out)?;
    }
    buffer.push('\n');
    push_indent(buffer, depth);
    buffer.push('}');
    Ok(())
}

fn push_indent(buffer: &mut String, depth: usize) {
    buffer.extend(std::iter::repeat_n("    ", depth));
}

fn flush_if_large(buffer: &mut String, out: &mut dyn Write) -> io::Result<()> {
    if buffer.len() >= 64 * 1024 {
        out.write_all(buffer.as_bytes())?;
        buffer.clear();
    }
    Ok(())
}

/// A string value as a JSON literal: as the server wrote it when that is already plain
/// (no escapes, nothing to escape), else decoded and escaped anew.
fn push_json_string(buffer: &mut String, value: Raw<'_>, escape: fn(char) -> bool) {
    let literal = value.text();
    // Printable ASCII without a backslash (nearly every value) is decided byte by byte;
    // anything else is looked at as characters.
    let plain_ascii = literal
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'\\');
    if plain_ascii || !literal.contains('\\') && !literal.chars().any(escape) {
        buffer.push_str(literal);
    } else {
        push_escaped_string(buffer, &unquote(literal), escape);
    }
}

/// `text` as a JSON (and YAML double-quoted) literal: quote and backslash escaped, and
/// every character `escape` names written as `\n`, `\u001b`, ...
fn push_escaped_string(buffer: &mut String, text: &str, escape: fn(char) -> bool) {
    buffer.push('"');
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        buffer.push_str(text);
        buffer.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => buffer.push_str("\\\""),
            '\\' => buffer.push_str("\\\\"),
            c if escape(c) => safe_text::push_escape(buffer, c),
            c => buffer.push(c),
        }
    }
    buffer.push('"');
}

/// RFC 4180 CSV: a header row of field names, then one row per token. Text is raw (no JSON
/// quoting, full-precision times); null and missing are empty; lists are `;`-joined; objects
/// are compact JSON. Control characters and bidi overrides are escaped (`\n`, `\u001b`), so
/// a cell is always one line of plain text.
pub(crate) fn csv(out: &mut dyn Write, tokens: &[Token], columns: &[&str]) -> io::Result<()> {
    let mut line = String::new();
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        push_csv_field(&mut line, column);
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())?;
    for token in tokens {
        line.clear();
        for (index, &column) in columns.iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            let mut text = String::new();
            if let Some(value) = token.raw(column) {
                push_plain(&mut text, value);
            }
            push_csv_field(&mut line, &safe_text::escape_hazards(&text));
        }
        line.push_str("\r\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// A value as CSV shows it (before escaping and quoting).
fn push_plain(text: &mut String, value: Raw<'_>) {
    match value.kind() {
        Kind::Null => {}
        Kind::String => text.push_str(&unquote(value.text())),
        Kind::Array => {
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    text.push(';');
                }
                push_plain(text, item);
            }
        }
        Kind::Object => push_compact(text, value),
        Kind::Bool(_) | Kind::Number => text.push_str(value.text()),
    }
}

/// Compact JSON (no spaces), keys sorted.
fn push_compact(buffer: &mut String, value: Raw<'_>) {
    match value.kind() {
        Kind::String => push_json_string(buffer, value, safe_text::is_hazard),
        Kind::Array => {
            buffer.push('[');
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    buffer.push(',');
                }
                push_compact(buffer, item);
            }
            buffer.push(']');
        }
        Kind::Object => {
            buffer.push('{');
            for (index, (key, item)) in value.sorted_entries().enumerate() {
                if index > 0 {
                    buffer.push(',');
                }
                push_escaped_string(buffer, &key, safe_text::is_hazard);
                buffer.push(':');
                push_compact(buffer, item);
            }
            buffer.push('}');
        }
        Kind::Null | Kind::Bool(_) | Kind::Number => buffer.push_str(value.text()),
    }
}

fn push_csv_field(line: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(text);
    }
}

/// YAML: a list of mappings with every field, keys sorted. Strings are always
/// double-quoted (JSON escapes are valid YAML), so no value can change type on reading.
pub(crate) fn yaml(out: &mut dyn Write, tokens: &[Token]) -> io::Result<()> {
    if tokens.is_empty() {
        return out.write_all(b"[]\n");
    }
    let mut buffer = String::new();
    for token in tokens {
        let mut members = sorted_entries(token.entries()).into_iter();
        yaml_mapping(&mut buffer, &mut members, 0, true, out)?;
    }
    out.write_all(buffer.as_bytes())
}

/// What YAML cannot hold raw in a double-quoted scalar, on top of the terminal hazards:
/// the non-characters U+FFFE/U+FFFF are outside YAML's printable set.
fn yaml_escape(c: char) -> bool {
    safe_text::is_hazard(c) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

fn yaml_mapping<'a>(
    buffer: &mut String,
    members: &mut dyn ExactSizeIterator<Item = (Cow<'a, str>, Raw<'a>)>,
    indent: usize,
    item: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    if item && members.len() == 0 {
        buffer.push_str(&" ".repeat(indent));
        buffer.push_str("- {}\n");
        return Ok(());
    }
    for (index, (key, value)) in members.enumerate() {
        buffer.push_str(&" ".repeat(indent));
        if item {
            buffer.push_str(if index == 0 { "- " } else { "  " });
        }
        let inner = indent + if item { 2 } else { 0 };
        yaml_key(buffer, &key);
        buffer.push(':');
        yaml_value(buffer, value, inner, out)?;
        flush_if_large(buffer, out)?;
    }
    Ok(())
}

fn yaml_value(
    buffer: &mut String,
    value: Raw<'_>,
    indent: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    match value.kind() {
        Kind::Object if value.entries().next().is_some() => {
            buffer.push('\n');
            yaml_mapping(buffer, &mut value.sorted_entries(), indent + 2, false, out)?;
        }
        Kind::Array if value.items().next().is_some() => {
            buffer.push('\n');
            for item in value.items() {
                if item.kind() == Kind::Object && item.entries().next().is_some() {
                    yaml_mapping(buffer, &mut item.sorted_entries(), indent + 2, true, out)?;
                } else {
                    buffer.push_str(&" ".repeat(indent + 2));
                    buffer.push('-');
                    yaml_value(buffer, item, indent + 2, out)?;
                }
                flush_if_large(buffer, out)?;
            }
        }
        kind => {
            buffer.push(' ');
            match kind {
                Kind::Null => buffer.push_str("null"),
                Kind::Array => buffer.push_str("[]"),
                Kind::Object => buffer.push_str("{}"),
                Kind::Bool(flag) => buffer.push_str(if flag { "true" } else { "false" }),
                Kind::Number => buffer.push_str(value.text()),
                Kind::String => push_json_string(buffer, value, yaml_escape),
            }
            buffer.push('\n');
        }
    }
    Ok(())
}

fn yaml_key(buffer: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with('-');
    if plain {
        buffer.push_str(key);
    } else {
        push_escaped_string(buffer, key, yaml_escape);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn token(value: Value) -> Token {
        Token::from_map(value.as_object().unwrap())
    }

    fn text(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_is_avn_shaped() {
        let tokens = [token(
            json!({"b": 1, "a": {"z": null, "y": [1]}, "c": "Café"}),
        )];
        assert_eq!(
            text(|out| json(out, &tokens)),
            "[\n    {\n        \"a\": {\n            \"y\": [\n                1\n            ],\n            \"z\": null\n        },\n        \"b\": 1,\n        \"c\": \"Café\"\n    }\n]\n"
        );
        assert_eq!(text(|out| json(out, &[])), "[]\n");
    }

    #[test]
    fn json_keeps_the_last_of_duplicate_keys_and_escapes_hazards() {
        let raw: Token =
            serde_json::from_str(r#"{"a": 1, "b": "x\u009by\u202e", "a": 2, "e": {}, "l": []}"#)
                .unwrap();
        let out = text(|out| json(out, &[raw]));
        assert_eq!(
            out,
            "[\n    {\n        \"a\": 2,\n        \"b\": \"x\\u009by\\u202e\",\n        \"e\": {},\n        \"l\": []\n    }\n]\n"
        );
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed[0]["b"], "x\u{9b}y\u{202e}");
    }

    /// Numbers as avn writes them (Python's `json.dumps`): integers as they are, `-0` as
    /// `0`, other numbers as a float's `repr`; beyond a float's range as the server wrote them
    /// (avn's `Infinity` is not JSON).
    #[test]
    fn json_numbers_as_avn_writes_them() {
        let raw: Token = serde_json::from_str(
            r#"{"a": -0, "b": [-0.0, 1.0e2, 1e-7, 15E15, 123456789012345678901, 1E400, -1e999]}"#,
        )
        .unwrap();
        let out = text(|out| json(out, &[raw]));
        let numbers = [
            "-0.0",
            "100.0",
            "1e-07",
            "1.5e+16",
            "123456789012345678901",
            "1E400",
            "-1e999",
        ];
        let expected = format!(
            "[\n    {{\n        \"a\": 0,\n        \"b\": [\n{}\n        ]\n    }}\n]\n",
            numbers.map(|n| format!("            {n}")).join(",\n")
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn csv_quotes_what_needs_it_and_escapes_controls() {
        let tokens = [token(
            json!({"a": "x,y", "b": "say \"hi\"", "c": null, "d": ["p", "q"], "f": "l1\nl2\u{1b}"}),
        )];
        let out = text(|out| csv(out, &tokens, &["a", "b", "c", "d", "e", "f"]));
        assert_eq!(
            out,
            "a,b,c,d,e,f\r\n\"x,y\",\"say \"\"hi\"\"\",,p;q,,l1\\nl2\\u001b\r\n"
        );
    }

    #[test]
    fn yaml_has_every_field() {
        let tokens = [token(
            json!({"b": [ "x" ], "a": "1", "c": {"k": true}, "d": [], "e": null}),
        )];
        assert_eq!(
            text(|out| yaml(out, &tokens)),
            "- a: \"1\"\n  b:\n    - \"x\"\n  c:\n    k: true\n  d: []\n  e: null\n"
        );
        assert_eq!(text(|out| yaml(out, &[])), "[]\n");
    }
}
