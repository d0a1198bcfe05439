//! `-o csv`: RFC 4180, a header row of field names, then one row per record. Text is
//! raw (no JSON quoting, full-precision times); null and missing are empty; lists are
//! `;`-joined; numbers and objects as the table shows them (`python`). Control characters
//! and bidi overrides are escaped (`\n`, `\u001b`), so a cell is always one line of plain
//! text.

use std::io::{self, Write};

use super::python;
use super::row::{Row, Value};
use crate::raw_json::Kind;
use crate::safe_text;

pub(crate) fn write(out: &mut dyn Write, rows: &[Row<'_>], columns: &[&str]) -> io::Result<()> {
    let mut line = String::new();
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        push_field(&mut line, column);
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())?;
    for row in rows {
        line.clear();
        for (index, &column) in columns.iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            let mut text = String::new();
            if let Some(value) = row.get(column) {
                push_plain(&mut text, &value);
            }
            push_field(&mut line, &safe_text::escape_hazards(&text));
        }
        line.push_str("\r\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// A value as CSV shows it (before escaping and quoting).
fn push_plain(text: &mut String, value: &Value<'_>) {
    match value.kind() {
        Kind::Null => {}
        Kind::String => text.push_str(&value.as_str().unwrap_or_default()),
        Kind::Array => {
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    text.push(';');
                }
                push_plain(text, &item);
            }
        }
        Kind::Number => text.push_str(&python::json_number(&value.number().unwrap_or_default())),
        Kind::Bool(flag) => text.push_str(if flag { "true" } else { "false" }),
        Kind::Object => python::push_dumps(text, value),
    }
}

fn push_field(line: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        line.push('"');
        line.push_str(&text.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Token;
    use serde_json::json;

    #[test]
    fn csv_quotes_what_needs_it_and_escapes_controls() {
        let token: Token = serde_json::from_value(
            json!({"a": "x,y", "b": "say \"hi\"", "c": null, "d": ["p", "q"], "f": "l1\nl2\u{1b}"}),
        )
        .unwrap();
        let mut out = Vec::new();
        write(
            &mut out,
            &[Row::from(&token)],
            &["a", "b", "c", "d", "e", "f"],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,b,c,d,e,f\r\n\"x,y\",\"say \"\"hi\"\"\",,p;q,,l1\\nl2\\u001b\r\n"
        );
    }
}
