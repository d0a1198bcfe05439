//! `-o yaml`: a list of mappings with every field the API returned, keys sorted, written
//! straight from the rows' JSON text as it goes. Strings are always double-quoted (JSON
//! escapes are valid YAML), so no value can change type on reading; numbers are written as
//! `--json` writes them (`python`).

use std::borrow::Cow;
use std::io::{self, Write};

use super::json::flush_if_large;
use super::python;
use super::row::{Row, Value, deeper};
use crate::raw_json::Kind;
use crate::safe_text;

pub(crate) fn list(out: &mut dyn Write, rows: &[Row<'_>]) -> io::Result<()> {
    if rows.is_empty() {
        return out.write_all(b"[]\n");
    }
    let mut buffer = String::new();
    for row in rows {
        let mut fields = python::sorted_fields(row).into_iter();
        mapping(&mut buffer, &mut fields, 0, true, out)?;
    }
    out.write_all(buffer.as_bytes())
}

/// What YAML cannot hold raw in a double-quoted scalar, on top of the terminal hazards:
/// the non-characters U+FFFE/U+FFFF are outside YAML's printable set.
fn escape(c: char) -> bool {
    safe_text::is_hazard(c) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

fn mapping<'a>(
    buffer: &mut String,
    members: &mut dyn ExactSizeIterator<Item = (Cow<'a, str>, Value<'a>)>,
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
        push_key(buffer, &key);
        buffer.push(':');
        write_value(buffer, &value, inner, out)?;
        flush_if_large(buffer, out)?;
    }
    Ok(())
}

fn write_value(
    buffer: &mut String,
    value: &Value<'_>,
    indent: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    match value.kind() {
        Kind::Object if !value.is_empty() => {
            buffer.push('\n');
            let mut members = python::sorted_members(value);
            deeper(|| mapping(buffer, &mut members, indent + 2, false, out))?;
        }
        Kind::Array if !value.is_empty() => {
            buffer.push('\n');
            deeper(|| write_items(buffer, value, indent, out))?;
        }
        kind => {
            buffer.push(' ');
            match kind {
                Kind::Null => buffer.push_str("null"),
                Kind::Array => buffer.push_str("[]"),
                Kind::Object => buffer.push_str("{}"),
                Kind::Bool(flag) => buffer.push_str(if flag { "true" } else { "false" }),
                Kind::Number => {
                    buffer.push_str(&python::json_number(&value.number().unwrap_or_default()));
                }
                Kind::String => python::push_string_value(buffer, value, escape),
            }
            buffer.push('\n');
        }
    }
    Ok(())
}

/// A list's items, each `- ` at `indent` + 2 (an object's first member on its dash line).
fn write_items(
    buffer: &mut String,
    list: &Value<'_>,
    indent: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    for item in list.items() {
        if item.kind() == Kind::Object && !item.is_empty() {
            let mut members = python::sorted_members(&item);
            mapping(buffer, &mut members, indent + 2, true, out)?;
        } else {
            buffer.push_str(&" ".repeat(indent + 2));
            buffer.push('-');
            write_value(buffer, &item, indent + 2, out)?;
        }
        flush_if_large(buffer, out)?;
    }
    Ok(())
}

fn push_key(buffer: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with('-');
    if plain {
        buffer.push_str(key);
    } else {
        python::push_string(buffer, key, escape);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Token;
    use serde_json::json;

    #[test]
    fn yaml_has_every_field() {
        let token: Token = serde_json::from_value(
            json!({"b": [ "x" ], "a": "1", "c": {"k": true}, "d": [], "e": null}),
        )
        .unwrap();
        let mut out = Vec::new();
        list(&mut out, &[Row::from(&token)]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "- a: \"1\"\n  b:\n    - \"x\"\n  c:\n    k: true\n  d: []\n  e: null\n"
        );
        let mut empty = Vec::new();
        list(&mut empty, &[]).unwrap();
        assert_eq!(empty, b"[]\n");
    }
}
