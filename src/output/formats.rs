//! The machine-readable formats: JSON (`avn --json`), CSV and YAML.

use serde_json::Value;

use crate::api::Token;

/// `json.dumps(tokens, indent=4, sort_keys=True)` as `avn --json` prints it, every field
/// the API returned included (non-ASCII is written as UTF-8; parsed, it is the same).
pub fn json(tokens: &[Token]) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    let list: Vec<SortedMap> = tokens
        .iter()
        .map(|token| SortedMap(token.fields()))
        .collect();
    // Writing JSON values into memory cannot fail: there is no I/O and every key is a string.
    if serde::Serialize::serialize(&list, &mut serializer).is_err() {
        return String::new();
    }
    let mut text = String::from_utf8_lossy(&out).into_owned();
    text.push('\n');
    text
}

/// A JSON value written with its objects' keys sorted at every level, whatever map order
/// serde_json was built with, without copying it.
struct Sorted<'a>(&'a Value);

struct SortedMap<'a>(&'a serde_json::Map<String, Value>);

impl serde::Serialize for Sorted<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(fields) => SortedMap(fields).serialize(serializer),
            Value::Array(items) => serializer.collect_seq(items.iter().map(Sorted)),
            scalar => scalar.serialize(serializer),
        }
    }
}

impl serde::Serialize for SortedMap<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut entries: Vec<(&String, &Value)> = self.0.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        serializer.collect_map(entries.into_iter().map(|(key, value)| (key, Sorted(value))))
    }
}

/// RFC 4180 CSV: a header row of field names, then one row per token. Text is raw (no JSON
/// quoting, full-precision times); null and missing are empty; lists are `;`-joined.
pub fn csv(tokens: &[Token], columns: &[&str]) -> String {
    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|c| csv_field(c)).collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for token in tokens {
        let row: Vec<String> = columns
            .iter()
            .map(|&column| csv_field(&plain(token.get(column).unwrap_or(&Value::Null))))
            .collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) || text.starts_with(' ') || text.ends_with(' ') {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// YAML: a list of mappings with every field, keys sorted. Strings are always
/// double-quoted (JSON escapes are valid YAML), so no value can change type on reading.
pub fn yaml(tokens: &[Token]) -> String {
    if tokens.is_empty() {
        return "[]\n".to_owned();
    }
    let mut out = String::new();
    for token in tokens {
        yaml_mapping(&mut out, token.fields(), 0, true);
    }
    out
}

fn yaml_mapping(
    out: &mut String,
    fields: &serde_json::Map<String, Value>,
    indent: usize,
    item: bool,
) {
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort();
    for (index, key) in keys.into_iter().enumerate() {
        let pad = " ".repeat(indent);
        if item && index == 0 {
            out.push_str(&pad);
            out.push_str("- ");
        } else {
            out.push_str(&pad);
            if item {
                out.push_str("  ");
            }
        }
        let inner = indent + if item { 2 } else { 0 };
        out.push_str(&yaml_key(key));
        out.push(':');
        yaml_value(out, &fields[key], inner);
    }
    if item && fields.is_empty() {
        out.push_str(&" ".repeat(indent));
        out.push_str("- {}\n");
    }
}

fn yaml_value(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(fields) if !fields.is_empty() => {
            out.push('\n');
            yaml_mapping(out, fields, indent + 2, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            for item in items {
                match item {
                    Value::Object(fields) if !fields.is_empty() => {
                        yaml_mapping(out, fields, indent + 2, true)
                    }
                    scalar => {
                        out.push_str(&" ".repeat(indent + 2));
                        out.push('-');
                        yaml_value(out, scalar, indent + 2);
                    }
                }
            }
        }
        scalar => {
            out.push(' ');
            out.push_str(&yaml_scalar(scalar));
            out.push('\n');
        }
    }
}

fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
        // JSON numbers, booleans and strings are valid YAML flow scalars.
        other => other.to_string(),
    }
}

fn yaml_key(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with('-');
    if plain {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(value: Value) -> Token {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn json_is_avn_shaped() {
        let out = json(&[token(
            json!({"b": 1, "a": {"z": null, "y": [1]}, "c": "Café"}),
        )]);
        assert_eq!(
            out,
            "[\n    {\n        \"a\": {\n            \"y\": [\n                1\n            ],\n            \"z\": null\n        },\n        \"b\": 1,\n        \"c\": \"Café\"\n    }\n]\n"
        );
        assert_eq!(json(&[]), "[]\n");
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let out = csv(
            &[token(
                json!({"a": "x,y", "b": "say \"hi\"", "c": null, "d": ["p", "q"]}),
            )],
            &["a", "b", "c", "d", "e"],
        );
        assert_eq!(out, "a,b,c,d,e\r\n\"x,y\",\"say \"\"hi\"\"\",,p;q,\r\n");
    }

    #[test]
    fn yaml_has_every_field() {
        let out = yaml(&[token(
            json!({"b": [ "x" ], "a": "1", "c": {"k": true}, "d": [], "e": null}),
        )]);
        assert_eq!(
            out,
            "- a: \"1\"\n  b:\n    - \"x\"\n  c:\n    k: true\n  d: []\n  e: null\n"
        );
        assert_eq!(yaml(&[]), "[]\n");
    }
}
