//! avn's Python formatting, in one place: numbers as Python's `json.dumps` and `repr` write
//! them, strings as `json.dumps` escapes them, objects as `json.dumps(value, sort_keys=True)`
//! (members sorted by name, the last of duplicate names kept, as a Python `dict` keeps it).
//! The table, JSON, CSV and YAML writers all format values through here, so a value reads
//! the same in every format.
//!
//! Written by hand on purpose: `avn` prints what Python prints, and stdout must be byte for
//! byte the same for ASCII data (`3600.0`, `1e-07`, `1.5e+16`, `-0` as `0`, integers of any
//! size as they are, `\u007f`, `{"a": 1, "b": [1, 2]}`). No crate formats numbers or JSON as
//! Python does. One deliberate difference: non-ASCII text is written as itself, not
//! `\u00e9`-escaped (the characters that could drive a terminal excepted: `safe_text`).

use std::borrow::Cow;
use std::cmp::Ordering;

use super::row::{Row, Value, deeper};
use crate::raw_json::{Kind, Raw, unquote};
use crate::safe_text;

/// A JSON number as Python's `json.loads` + `json.dumps` write it: integers exactly as they
/// are (any size: Python's are unbounded), `-0` as `0`; other numbers are floats, written
/// as `repr()` does (`3600.0`, `1e-05`, `1e+16`, `Infinity` past the f64 range).
pub(crate) fn number(text: &str) -> Cow<'_, str> {
    if !text.contains(['.', 'e', 'E']) {
        return if text == "-0" {
            Cow::Borrowed("0")
        } else {
            Cow::Borrowed(text)
        };
    }
    match text.parse::<f64>() {
        Ok(float) => Cow::Owned(float_repr(float)),
        Err(_) => Cow::Borrowed(text),
    }
}

/// [`number`] where the output must stay JSON (or YAML): a number beyond a float's range
/// stays as the server wrote it, where avn writes `Infinity`, which is not JSON.
pub(crate) fn json_number(text: &str) -> Cow<'_, str> {
    match number(text) {
        repr if repr.ends_with("Infinity") || repr == "NaN" => Cow::Borrowed(text),
        repr => repr,
    }
}

/// Python's `repr()` of a float: the shortest digits that read back to it, positional
/// between 1e-4 and 1e16, scientific (`1e-05`, `1.5e+16`) outside.
fn float_repr(float: f64) -> String {
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

/// Whether `json.dumps(text)` is more than `text` in quotes: it holds a quote, a backslash,
/// a control character or DEL (or, here, a C1 control or a bidi override; other non-ASCII
/// text stays as it is, where Python escapes it).
pub(crate) fn would_escape(text: &str) -> bool {
    // Printable ASCII other than `"` and `\` (nearly every string) is decided byte by byte.
    let plain = |b: &u8| (0x20..0x7f).contains(b) && *b != b'"' && *b != b'\\';
    !text.as_bytes().iter().all(plain)
        && text
            .chars()
            .any(|c| c == '"' || c == '\\' || safe_text::is_hazard(c))
}

/// `text` as `json.dumps` writes a string: in quotes, `"` and `\` escaped, and each
/// character `escape` names written as Python's `json` writes it (`\n`, `\u001b`; `/` stays).
pub(crate) fn push_string(out: &mut String, text: &str, escape: fn(char) -> bool) {
    out.push('"');
    if text
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if escape(c) => safe_text::push_escape(out, c),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A string value as [`push_string`] writes it; the server's own literal when that is
/// already the same text (no escapes in it, nothing to escape), which nearly every value is.
pub(crate) fn push_string_value(out: &mut String, value: &Value<'_>, escape: fn(char) -> bool) {
    if let Some(literal) = value.json_literal() {
        // Printable ASCII without a backslash is decided byte by byte; anything else is
        // looked at as characters.
        let plain_ascii = literal
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'\\');
        if plain_ascii || !literal.contains('\\') && !literal.chars().any(escape) {
            out.push_str(literal);
            return;
        }
    }
    push_string(out, &value.as_str().unwrap_or_default(), escape);
}

/// `json.dumps(value, sort_keys=True)`, as avn shows an object in a table cell: Python's
/// default separators (`", "`, `": "`).
pub(crate) fn push_dumps(out: &mut String, value: &Value<'_>) {
    match value.kind() {
        Kind::Null => out.push_str("null"),
        Kind::Bool(flag) => out.push_str(if flag { "true" } else { "false" }),
        Kind::Number => out.push_str(&number(&value.number().unwrap_or_default())),
        Kind::String => push_string_value(out, value, safe_text::is_hazard),
        Kind::Array => deeper(|| {
            out.push('[');
            for (index, item) in value.items().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                push_dumps(out, &item);
            }
            out.push(']');
        }),
        Kind::Object => deeper(|| {
            out.push('{');
            for (index, (name, member)) in sorted_members(value).enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                push_string(out, &name, safe_text::is_hazard);
                out.push_str(": ");
                push_dumps(out, &member);
            }
            out.push('}');
        }),
    }
}

/// `members` in the order `json.dumps(sort_keys=True)` writes a `dict` of them: sorted by
/// name (`by_name`), the last of equal names kept, as a Python `dict` (or serde_json's map)
/// keeps it.
pub(crate) fn sort_members<T>(members: &mut Vec<T>, by_name: impl Fn(&T, &T) -> Ordering) {
    // Stable: among equal names the one written last stays last, and is the one kept.
    members.sort_by(&by_name);
    members.dedup_by(|later, kept| {
        let same = by_name(later, kept).is_eq();
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
}

/// A row's fields in the order `json.dumps(sort_keys=True)` writes them.
pub(crate) fn sorted_fields<'a>(row: &Row<'a>) -> Vec<(Cow<'a, str>, Value<'a>)> {
    let mut fields = Vec::with_capacity(row.len());
    fields.extend(row.entries());
    sort_members(&mut fields, |a, b| a.0.cmp(&b.0));
    fields
}

/// An object's members in the order `json.dumps(sort_keys=True)` writes them (nothing for
/// anything but an object).
///
/// While sorting, a member is four offsets into the text (16 bytes; a name and a value
/// would take 40), and names are read when compared: a hostile object of millions of
/// members costs tens of MiB, not hundreds.
pub(crate) fn sorted_members<'a>(object: &Value<'a>) -> SortedMembers<'a> {
    let text = object.raw().map_or("", Raw::text);
    let mut spans: Vec<[u32; 4]> = Vec::new();
    // Offsets fit: a response is at most 32 MiB.
    for (name, value) in object.raw().into_iter().flat_map(Raw::member_ranges) {
        let Ok(end) = u32::try_from(value.end) else {
            break;
        };
        spans.push([name.start as u32, name.end as u32, value.start as u32, end]);
    }
    let name =
        |span: &[u32; 4]| unquote(text.get(span[0] as usize..span[1] as usize).unwrap_or(""));
    sort_members(&mut spans, |a, b| name(a).cmp(&name(b)));
    SortedMembers {
        text,
        spans: spans.into_iter(),
    }
}

/// See [`sorted_members`]: `(name, value)`, names unescaped.
pub(crate) struct SortedMembers<'a> {
    text: &'a str,
    spans: std::vec::IntoIter<[u32; 4]>,
}

impl<'a> Iterator for SortedMembers<'a> {
    type Item = (Cow<'a, str>, Value<'a>);

    fn next(&mut self) -> Option<(Cow<'a, str>, Value<'a>)> {
        let [name_start, name_end, value_start, value_end] =
            self.spans.next()?.map(|at| at as usize);
        let name = self.text.get(name_start..name_end)?;
        let value = self.text.get(value_start..value_end)?;
        Some((unquote(name), Value::Json(Raw::new(value))))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for SortedMembers<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(float_repr(float), repr, "{float}");
        }
        assert_eq!(number("-0"), "0");
        assert_eq!(number("123456789012345678901"), "123456789012345678901");
        assert_eq!(number("1E400"), "Infinity");
        assert_eq!(json_number("1E400"), "1E400");
        assert_eq!(json_number("-0.0"), "-0.0");
    }

    #[test]
    fn members_sort_by_name_and_keep_the_last_duplicate() {
        let object = Value::Json(Raw::new(
            r#"{"b": 1, "a": 2, "\u0062": 3, "c": [], "a": 4}"#,
        ));
        let sorted: Vec<(String, Value<'_>)> = sorted_members(&object)
            .map(|(name, value)| (name.into_owned(), value))
            .collect();
        let texts: Vec<(&str, &str)> = sorted
            .iter()
            .map(|(name, value)| (name.as_str(), value.raw().unwrap().text()))
            .collect();
        assert_eq!(texts, [("a", "4"), ("b", "3"), ("c", "[]")]);
        assert_eq!(sorted_members(&Value::Json(Raw::new("[1]"))).len(), 0);
        assert_eq!(sorted_members(&Value::Text("{}".into())).len(), 0);
    }

    #[test]
    fn dumps_as_python_does() {
        let mut out = String::new();
        let value = Value::Json(Raw::new(
            r#"{"b": [1, 2.50, null], "a": "x\"y\u001b", "c": {"é": true}}"#,
        ));
        push_dumps(&mut out, &value);
        assert_eq!(
            out,
            r#"{"a": "x\"y\u001b", "b": [1, 2.5, null], "c": {"é": true}}"#
        );
        assert!(would_escape("tab\there") && would_escape("a\"b") && would_escape("del\u{7f}"));
        assert!(!would_escape("Café 日本") && !would_escape("plain/text"));
    }
}
