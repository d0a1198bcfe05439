//! `-o csv`: RFC 4180 through the `csv` crate (fields quoted when they hold a comma, a quote
//! or a line break, quotes doubled, CRLF line ends), a header row of field names, then one
//! row per record.
//!
//! A cell is the value's data, so that any CSV reader gives back what the API sent: text
//! raw (no JSON quoting, full-precision times), null and missing empty, lists `;`-joined,
//! numbers as `--json` writes them and objects as the table shows them (`python`). Two
//! rules keep a file safe where it is shown or opened:
//!
//! - terminal hazards are escaped by the one safe-text rule (`\u001b`, `\r`, `\u202e`), so
//!   `cat report.csv` cannot drive the terminal. A line feed or a tab inside a quoted field
//!   is data, not a hazard (neither can rewrite what was printed), and is written as it is
//!   ([`safe_text::escape_hazards_keeping_lines`]); a carriage return stays escaped;
//! - a text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
//!   `@` or a tab, OWASP's list; its carriage return is already escaped) is written with a
//!   leading `'`, which spreadsheets read as "this is text": server data such as
//!   `=HYPERLINK(...)` cannot run when an audit report is opened. Plain base64 is left as it
//!   is: it cannot call a function (no parentheses, quotes or `!`), and token prefixes and
//!   new tokens are base64 that may start with `+` or `/`, which must reach a script intact.
//!   Numbers (`-1`) are numbers. A program that wants every string exactly as sent reads
//!   `-o json`.

use std::borrow::Cow;
use std::io::{self, Write};

use super::python;
use super::row::{Row, Value, deeper};
use crate::raw_json::Kind;
use crate::safe_text;

pub(crate) fn write(out: &mut dyn Write, rows: &[Row<'_>], columns: &[&str]) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(columns).map_err(io_error)?;
    let mut cells: Vec<String> = vec![String::new(); columns.len()];
    for row in rows {
        for (cell, &column) in cells.iter_mut().zip(columns) {
            cell.clear();
            if let Some(value) = row.get(column) {
                push_cell(cell, &value);
            }
        }
        writer.write_record(&cells).map_err(io_error)?;
    }
    writer.flush()
}

/// The cell for `value`, as the module's rules write it.
fn push_cell(cell: &mut String, value: &Value<'_>) {
    push_plain(cell, value);
    if let Cow::Owned(escaped) = safe_text::escape_hazards_keeping_lines(cell) {
        *cell = escaped;
    }
    let text = matches!(value.kind(), Kind::String | Kind::Array);
    if text && cell.starts_with(['=', '+', '-', '@', '\t']) && !safe_text::is_plain_base64(cell) {
        cell.insert(0, '\'');
    }
}

/// A value as CSV shows it (before escaping).
fn push_plain(cell: &mut String, value: &Value<'_>) {
    match value.kind() {
        Kind::Null => {}
        Kind::String => cell.push_str(&value.as_str().unwrap_or_default()),
        Kind::Array => deeper(|| {
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    cell.push(';');
                }
                push_plain(cell, &item);
            }
        }),
        Kind::Number => cell.push_str(&python::json_number(&value.number().unwrap_or_default())),
        Kind::Bool(flag) => cell.push_str(if flag { "true" } else { "false" }),
        Kind::Object => python::push_dumps(cell, value),
    }
}

/// The `csv` crate's error as the I/O error it carries, so that a closed pipe is still seen
/// as one (`| head -1` ends quietly).
fn io_error(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(error) => error,
        other => io::Error::other(format!("cannot write CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Token;
    use serde_json::json;

    fn csv(value: serde_json::Value, columns: &[&str]) -> String {
        let token: Token = serde_json::from_value(value).unwrap();
        let mut out = Vec::new();
        write(&mut out, &[Row::from(&token)], columns).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quotes_what_needs_it_and_escapes_hazards() {
        assert_eq!(
            csv(
                json!({"a": "x,y", "b": "say \"hi\"", "c": null, "d": ["p", "q"],
                       "f": "l1\nl2\u{1b}\r"}),
                &["a", "b", "c", "d", "e", "f"]
            ),
            "a,b,c,d,e,f\r\n\"x,y\",\"say \"\"hi\"\"\",,p;q,,\"l1\nl2\\u001b\\r\"\r\n"
        );
    }

    #[test]
    fn formulas_get_a_quote_and_base64_and_numbers_do_not() {
        assert_eq!(
            csv(
                json!({"a": "=1+1", "b": "+1/2", "c": "-x", "d": ["@a"], "e": -1, "f": "\tx",
                       "g": "a=b"}),
                &["a", "b", "c", "d", "e", "f", "g"]
            ),
            "a,b,c,d,e,f,g\r\n'=1+1,+1/2,'-x,'@a,-1,'\tx,a=b\r\n"
        );
    }
}
