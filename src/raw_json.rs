//! JSON text walked where it lies, without building a tree.
//!
//! A [`Raw`] is the text of one JSON value that serde_json has already validated (it came
//! out of a `RawValue`). Records keep their fields this way and the output formats render
//! straight from it, so a response costs about its own size in memory whatever its shape,
//! a `list` allocates per token, not per field, and a value is read only where it is
//! printed (at any depth, without recursing: [`Raw::depth`]).
//!
//! Why not serde_json's own tree (`serde_json::Value`), with a smaller cap on what a
//! response may hold? Decided with measurements (issue 17; peak RSS by `/usr/bin/time -f
//! %M`, release builds):
//!
//! - the 10,000-token `list` of BENCHMARKS.md (a 4.2 MiB answer) takes 32 MiB as a tree in
//!   a program that does nothing else, against 16 MiB for the whole `list` here: over the
//!   32 MiB bound once the client's own few MiB are added;
//! - hostile shapes cost 12 to 17 times their size as a tree (`[0,0,...]`: 138 MiB for
//!   8 MiB, 529 MiB for 31 MiB), at most 5 times here (37 and 128 MiB). Only a cap of about
//!   1 MiB would bound trees as well (19 MiB), and it would refuse the 10,000-token answer;
//! - a tree changes what is printed: an integer beyond 64 bits becomes a float (`avn`
//!   prints it whole), and `1E400` or a lone surrogate (`"\ud800"`, which Python reads)
//!   fails the whole answer.
//!
//! So this walker stays: it carries a memory bound and byte parity with `avn` that the tree
//! cannot. A smaller cap on response size would still lower the worst cases here (an 8 MiB
//! cap: 37 MiB at most, from 128 MiB).
//!
//! The walker trusts that the text is valid JSON, but never panics on text that is not:
//! it answers with odd results instead (every index is checked).

use std::borrow::Cow;
use std::ops::Range;

/// The text of one valid JSON value, surrounding whitespace allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<'a>(&'a str);

/// What a [`Raw`] value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Number,
    String,
    Array,
    Object,
}

impl<'a> Raw<'a> {
    /// `text` must hold one valid JSON value (as a `RawValue` does).
    pub(crate) fn new(text: &'a str) -> Raw<'a> {
        Raw(text.trim_matches(is_ws))
    }

    /// The value's JSON text, as the server wrote it.
    pub(crate) fn text(self) -> &'a str {
        self.0
    }

    pub(crate) fn kind(self) -> Kind {
        match self.0.as_bytes().first() {
            Some(b'"') => Kind::String,
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b't') => Kind::Bool(true),
            Some(b'f') => Kind::Bool(false),
            Some(b'n') | None => Kind::Null,
            Some(_) => Kind::Number,
        }
    }

    /// A string value, unescaped (borrowed when it has no escapes).
    pub(crate) fn as_str(self) -> Option<Cow<'a, str>> {
        (self.kind() == Kind::String).then(|| unquote(self.0))
    }

    pub(crate) fn as_bool(self) -> Option<bool> {
        match self.kind() {
            Kind::Bool(value) => Some(value),
            _ => None,
        }
    }

    /// An integral number that fits an `i64` (`3600`, and `3600.0` as JSON allows).
    pub(crate) fn as_i64(self) -> Option<i64> {
        if self.kind() != Kind::Number {
            return None;
        }
        self.0.parse::<i64>().ok().or_else(|| {
            let float: f64 = self.0.parse().ok()?;
            (float.fract() == 0.0 && float.abs() < 9.0e18).then_some(float as i64)
        })
    }

    /// How deeply arrays and objects nest in the value (0 for a scalar), found without
    /// recursing. The output walks a value recursively, and prints it only up to a limit.
    pub(crate) fn depth(self) -> usize {
        let bytes = self.0.as_bytes();
        let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
        while let Some(&byte) = bytes.get(i) {
            match byte {
                b'"' => {
                    i = string_end(bytes, i);
                    continue;
                }
                b'[' | b'{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        deepest
    }

    /// The elements of an array (nothing for anything else).
    pub(crate) fn items(self) -> Items<'a> {
        Items {
            text: self.0,
            at: if self.kind() == Kind::Array {
                1
            } else {
                usize::MAX
            },
        }
    }

    /// An object's member, the last of that name as a parser keeps it (`None` for anything
    /// but an object).
    pub(crate) fn member(self, name: &str) -> Option<Raw<'a>> {
        self.entries()
            .filter(|(key, _)| key == name)
            .last()
            .map(|(_, value)| value)
    }

    /// Where each member of an object is, in the order written, duplicates included
    /// (nothing for anything else): the ranges of its name's literal (quotes included) and of
    /// its value in [`Raw::text`]. For callers that keep millions of members in little memory
    /// (sorting them: `output::python`).
    pub(crate) fn member_ranges(self) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + 'a {
        let mut entries = self.entries();
        std::iter::from_fn(move || {
            let (key_start, key_end, value_start, value_end) = entries.next_spans()?;
            Some((key_start..key_end, value_start..value_end))
        })
    }

    /// The members of an object, in the order written, duplicates included (nothing for
    /// anything else).
    pub(crate) fn entries(self) -> Entries<'a> {
        Entries {
            text: self.0,
            at: if self.kind() == Kind::Object {
                1
            } else {
                usize::MAX
            },
        }
    }
}

/// A JSON string literal (quotes included) as text: borrowed unless it has escapes.
pub(crate) fn unquote(literal: &str) -> Cow<'_, str> {
    let inner = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(literal);
    if !inner.contains('\\') {
        return Cow::Borrowed(inner);
    }
    match serde_json::from_str::<String>(literal) {
        Ok(text) => Cow::Owned(text),
        // Valid JSON that a Rust string cannot hold: a lone surrogate (`"\ud800"`). Decoded
        // by hand, it becomes U+FFFD as in any UTF-16 decoder; left as escaped text, its
        // backslash would be shown (and written to JSON) as if it were data.
        Err(_) => Cow::Owned(unescape_lossy(inner)),
    }
}

/// The text of a JSON string literal's inside, its escapes decoded, a lone surrogate as
/// U+FFFD. Never panics, whatever the text.
fn unescape_lossy(inner: &str) -> String {
    let mut out = String::with_capacity(inner.len());
    // `\uXXXX` escapes in a row, decoded together (a surrogate pair is two of them).
    let mut units: Vec<u16> = Vec::new();
    let flush = |units: &mut Vec<u16>, out: &mut String| {
        out.extend(
            char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
        );
    };
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush(&mut units, &mut out);
            out.push(c);
            continue;
        }
        let escaped = chars.next();
        if escaped == Some('u') {
            let hex: String = chars.by_ref().take(4).collect();
            units.push(u16::from_str_radix(&hex, 16).unwrap_or(0xfffd));
            continue;
        }
        flush(&mut units, &mut out);
        match escaped {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    flush(&mut units, &mut out);
    out
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn skip_ws(text: &[u8], mut at: usize) -> usize {
    while matches!(text.get(at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        at += 1;
    }
    at
}

/// The end (exclusive) of the value starting at `at`.
fn value_end(text: &[u8], at: usize) -> usize {
    match text.get(at) {
        Some(b'"') => string_end(text, at),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = at;
            while let Some(&byte) = text.get(i) {
                match byte {
                    b'"' => {
                        i = string_end(text, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            text.len()
        }
        Some(_) => {
            let mut i = at;
            while let Some(&byte) = text.get(i) {
                if matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                i += 1;
            }
            i
        }
        None => text.len(),
    }
}

/// The end (exclusive, after the closing quote) of the string literal starting at `at`.
fn string_end(text: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    while let Some(&byte) = text.get(i) {
        match byte {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    text.len()
}

/// The next element of a container whose previous element (or opening bracket) ended at
/// `at`: `(start, end, after)`, or `None` at the closing bracket.
fn next_element(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut i = skip_ws(text, at);
    if text.get(i) == Some(&b',') {
        i = skip_ws(text, i + 1);
    }
    match text.get(i) {
        None | Some(b']' | b'}') => None,
        Some(_) => Some((i, value_end(text, i))),
    }
}

/// See [`Raw::items`].
pub(crate) struct Items<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Items<'a> {
    type Item = Raw<'a>;

    fn next(&mut self) -> Option<Raw<'a>> {
        let bytes = self.text.as_bytes();
        let (start, end) = next_element(bytes, self.at)?;
        self.at = end;
        self.text.get(start..end).map(Raw)
    }
}

/// See [`Raw::entries`]: `(name, value)`, names unescaped.
pub(crate) struct Entries<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Entries<'a> {
    /// Where the next member is: `(key start, key end, value start, value end)`.
    fn next_spans(&mut self) -> Option<(usize, usize, usize, usize)> {
        let bytes = self.text.as_bytes();
        let (key_start, key_end) = next_element(bytes, self.at)?;
        let colon = skip_ws(bytes, key_end);
        if bytes.get(colon) != Some(&b':') {
            self.at = usize::MAX;
            return None;
        }
        let value_start = skip_ws(bytes, colon + 1);
        let value_end = value_end(bytes, value_start);
        self.at = value_end;
        Some((key_start, key_end, value_start, value_end))
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Cow<'a, str>, Raw<'a>);

    fn next(&mut self) -> Option<(Cow<'a, str>, Raw<'a>)> {
        let (key_start, key_end, value_start, value_end) = self.next_spans()?;
        let key = self.text.get(key_start..key_end)?;
        let value = self.text.get(value_start..value_end)?;
        Some((unquote(key), Raw(value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ranges_point_into_the_text() {
        let raw = Raw::new(r#"{"b": 1, "a\u0062": [2]}"#);
        let members: Vec<(&str, &str)> = raw
            .member_ranges()
            .map(|(key, value)| (&raw.text()[key], &raw.text()[value]))
            .collect();
        assert_eq!(members, [("\"b\"", "1"), ("\"a\\u0062\"", "[2]")]);
        assert_eq!(Raw::new("[1]").member_ranges().count(), 0);
    }

    #[test]
    fn walks_values_without_a_tree() {
        let raw = Raw::new(r#" {"a": [1, "x,]", {"b": null}], "k\"q": true, "e": "é\n"} "#);
        assert_eq!(raw.kind(), Kind::Object);
        let entries: Vec<(Cow<'_, str>, Raw<'_>)> = raw.entries().collect();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].0, "a");
        assert_eq!(entries[1].0, "k\"q");
        assert_eq!(entries[1].1.as_bool(), Some(true));
        assert_eq!(entries[2].1.as_str().unwrap(), "é\n");
        let items: Vec<&str> = entries[0].1.items().map(Raw::text).collect();
        assert_eq!(items, ["1", r#""x,]""#, r#"{"b": null}"#]);
        assert_eq!(Raw::new("[]").items().count(), 0);
        assert_eq!(Raw::new("{ }").entries().count(), 0);
        assert_eq!(Raw::new("3600.0").as_i64(), Some(3600));
        assert_eq!(Raw::new("1e30").as_i64(), None);
        assert_eq!(Raw::new("\"plain\"").as_str(), Some(Cow::Borrowed("plain")));
        assert_eq!(Raw::new(r#"{"a": [[1], "]]]"], "b": {}}"#).depth(), 3);
        assert_eq!(Raw::new("1").depth(), 0);
    }

    /// A lone surrogate is valid JSON that Rust strings cannot hold: U+FFFD, the rest of the
    /// string decoded as usual (no backslash of an escape left as data).
    #[test]
    fn lone_surrogates_become_replacement_characters() {
        for (literal, text) in [
            (r#""\ud800x""#, "\u{fffd}x"),
            (
                r#""a\ud83d\ude00\n\uDC00\"\\\/\u00e9\ud800""#,
                "a😀\n\u{fffd}\"\\/é\u{fffd}",
            ),
            (r#""\ude00\ud83d""#, "\u{fffd}\u{fffd}"),
        ] {
            assert_eq!(unquote(literal), text, "{literal}");
        }
    }

    #[test]
    fn invalid_text_gives_odd_answers_not_panics() {
        for text in [
            "{",
            "[",
            "\"",
            "{\"a\"",
            "{\"a\":",
            "[1,",
            "{\"a\" 1}",
            "\\",
            "{,,}",
            "",
        ] {
            let raw = Raw::new(text);
            let _ = raw.entries().count();
            let _ = raw.items().count();
            let _ = raw.as_str();
            let _ = raw.as_i64();
            let _ = unescape_lossy(text);
        }
    }
}
