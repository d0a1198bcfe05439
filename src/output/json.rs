//! `--json` (`-o json`): `json.dumps(obj, indent=4, sort_keys=True)` as `avn --json` prints
//! it, every field the API returned included, written straight from the rows' JSON text as
//! it goes. Numbers and strings are written as `avn` writes them (`python`), except that
//! non-ASCII text is UTF-8 (parsed, it is the same) and no control character or bidi
//! override is written raw (`safe_text`).

use std::borrow::Cow;
use std::io::{self, Write};

use super::python;
use super::row::{Row, Value, deeper};
use crate::raw_json::Kind;
use crate::safe_text;

/// A list of objects, as `avn --json` prints a list (and `create`/`update`'s one-element
/// list): `[]` when empty.
pub(crate) fn list(out: &mut dyn Write, rows: &[Row<'_>]) -> io::Result<()> {
    let mut buffer = String::new();
    if rows.is_empty() {
        buffer.push_str("[]");
    } else {
        buffer.push('[');
        for (index, row) in rows.iter().enumerate() {
            buffer.push_str(if index == 0 { "\n" } else { ",\n" });
            push_indent(&mut buffer, 1);
            write_members(
                &mut buffer,
                &mut python::sorted_fields(row).into_iter(),
                1,
                out,
            )?;
        }
        buffer.push_str("\n]");
    }
    buffer.push('\n');
    out.write_all(buffer.as_bytes())
}

/// One object, as `avn --json` prints a `single_item` answer (`application-user info`,
/// `application-user token create`): the object itself, not a one-element list.
pub(crate) fn object(out: &mut dyn Write, row: &Row<'_>) -> io::Result<()> {
    let mut buffer = String::new();
    write_members(
        &mut buffer,
        &mut python::sorted_fields(row).into_iter(),
        0,
        out,
    )?;
    buffer.push('\n');
    out.write_all(buffer.as_bytes())
}

/// Pretty JSON for `value` at `depth`, flushing `buffer` to `out` now and then so that a
/// huge value never sits whole in memory twice.
fn write_value(
    buffer: &mut String,
    value: &Value<'_>,
    depth: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    match value.kind() {
        Kind::Null => buffer.push_str("null"),
        Kind::Bool(flag) => buffer.push_str(if flag { "true" } else { "false" }),
        Kind::Number => buffer.push_str(&python::json_number(&value.number().unwrap_or_default())),
        Kind::String => python::push_string_value(buffer, value, safe_text::is_hazard),
        Kind::Array => deeper(|| write_items(buffer, value, depth, out))?,
        Kind::Object => {
            deeper(|| write_members(buffer, &mut python::sorted_members(value), depth, out))?
        }
    }
    Ok(())
}

fn write_items(
    buffer: &mut String,
    list: &Value<'_>,
    depth: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    if list.is_empty() {
        buffer.push_str("[]");
        return Ok(());
    }
    buffer.push('[');
    for (index, item) in list.items().enumerate() {
        buffer.push_str(if index == 0 { "\n" } else { ",\n" });
        push_indent(buffer, depth + 1);
        write_value(buffer, &item, depth + 1, out)?;
        flush_if_large(buffer, out)?;
    }
    buffer.push('\n');
    push_indent(buffer, depth);
    buffer.push(']');
    Ok(())
}

fn write_members<'a>(
    buffer: &mut String,
    members: &mut dyn ExactSizeIterator<Item = (Cow<'a, str>, Value<'a>)>,
    depth: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    if members.len() == 0 {
        buffer.push_str("{}");
        return Ok(());
    }
    buffer.push('{');
    for (index, (name, value)) in members.enumerate() {
        buffer.push_str(if index == 0 { "\n" } else { ",\n" });
        push_indent(buffer, depth + 1);
        python::push_string(buffer, &name, safe_text::is_hazard);
        buffer.push_str(": ");
        write_value(buffer, &value, depth + 1, out)?;
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

/// Write `buffer` out once it holds 64 KiB (the YAML writer's rule too).
pub(super) fn flush_if_large(buffer: &mut String, out: &mut dyn Write) -> io::Result<()> {
    if buffer.len() >= 64 * 1024 {
        out.write_all(buffer.as_bytes())?;
        buffer.clear();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Token;
    use serde_json::json;

    fn token(text: &str) -> Token {
        serde_json::from_str(text).unwrap()
    }

    fn text(token: &Token) -> (String, String) {
        let (mut listed, mut single) = (Vec::new(), Vec::new());
        list(&mut listed, &[Row::from(token)]).unwrap();
        object(&mut single, &Row::from(token)).unwrap();
        (
            String::from_utf8(listed).unwrap(),
            String::from_utf8(single).unwrap(),
        )
    }

    #[test]
    fn json_is_avn_shaped() {
        let token = token(&json!({"b": 1, "a": {"z": null, "y": [1]}, "c": "Café"}).to_string());
        let (listed, single) = text(&token);
        assert_eq!(
            listed,
            "[\n    {\n        \"a\": {\n            \"y\": [\n                1\n            ],\n            \"z\": null\n        },\n        \"b\": 1,\n        \"c\": \"Café\"\n    }\n]\n"
        );
        assert_eq!(
            single,
            "{\n    \"a\": {\n        \"y\": [\n            1\n        ],\n        \"z\": null\n    },\n    \"b\": 1,\n    \"c\": \"Café\"\n}\n"
        );
        let mut empty = Vec::new();
        list(&mut empty, &[]).unwrap();
        assert_eq!(empty, b"[]\n");
        assert_eq!(text(&self::token("{}")).1, "{}\n");
    }

    #[test]
    fn json_keeps_the_last_of_duplicate_keys_and_escapes_hazards() {
        let raw = token(r#"{"a": 1, "b": "x\u009by\u202e", "a": 2, "e": {}, "l": []}"#);
        let (out, _) = text(&raw);
        assert_eq!(
            out,
            "[\n    {\n        \"a\": 2,\n        \"b\": \"x\\u009by\\u202e\",\n        \"e\": {},\n        \"l\": []\n    }\n]\n"
        );
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed[0]["b"], "x\u{9b}y\u{202e}");
    }

    /// Numbers as avn writes them (Python's `json.dumps`): integers as they are, `-0` as
    /// `0`, other numbers as a float's `repr`; beyond a float's range as the server wrote them
    /// (avn's `Infinity` is not JSON).
    #[test]
    fn json_numbers_as_avn_writes_them() {
        let raw = token(
            r#"{"a": -0, "b": [-0.0, 1.0e2, 1e-7, 15E15, 123456789012345678901, 1E400, -1e999]}"#,
        );
        let (out, _) = text(&raw);
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

    /// Fields set here are written as the API's are, in their place among the sorted names.
    #[test]
    fn fields_set_here_are_written_in_place() {
        let raw = token(r#"{"b": "api", "c": 1}"#);
        let row = Row::from(&raw)
            .with("b", Value::Text("here".into()))
            .with("a", Value::Texts(vec!["x\ny".into()]))
            .with("d", Value::Int(-3));
        let mut out = Vec::new();
        object(&mut out, &row).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n    \"a\": [\n        \"x\\ny\"\n    ],\n    \"b\": \"here\",\n    \"c\": 1,\n    \"d\": -3\n}\n"
        );
    }
}
