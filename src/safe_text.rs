//! The one rule for text that may have come from a server (or any other untrusted source)
//! on its way to a terminal, a log or a CSV cell: no raw control characters and no
//! bidirectional overrides, ever.
//!
//! A hostile server, proxy or token description could otherwise move the cursor, rewrite
//! what was printed before, change the window title, or reorder what people read
//! ("Trojan Source"). Such characters are written as JSON-style escapes (`\u001b`,
//! `\u202e`, `\n`), which keeps them visible and tells people exactly what was sent.
//!
//! Used by every writer: `diag` (errors, notes, traces) and each `output` format. The `avn`
//! table applies the same set through its own JSON quoting, which must stay byte-identical
//! to `avn` for ASCII text.

use std::borrow::Cow;
use std::fmt::Write;

/// A character that must not reach a terminal raw: C0 controls (U+0000–U+001F), DEL
/// (U+007F), C1 controls (U+0080–U+009F, e.g. the single-byte CSI U+009B), and the
/// bidirectional formatting characters (U+061C, U+200E–U+200F, U+202A–U+202E,
/// U+2066–U+2069).
///
/// DEL is one because `avn` escapes it too (Python's `json.dumps` writes `\u007f`), so
/// the table and `--json` stay byte-identical to `avn` for ASCII text.
pub(crate) fn is_hazard(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `text` with every [hazard](is_hazard) written as its escape; borrowed when there is none.
pub(crate) fn escape_hazards(text: &str) -> Cow<'_, str> {
    escape_where(text, is_hazard)
}

/// [`escape_hazards`] for a message printed as its sender laid it out (`expire-all`'s, as
/// `avn` prints it): line feeds and tabs stay as they are, since they only move on to where
/// the text continues and cannot rewrite what was printed before. Every other hazard is
/// escaped, `\r` included (it returns over the line).
pub(crate) fn escape_hazards_keeping_lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| is_hazard(c) && !matches!(c, '\n' | '\t'))
}

fn escape_where(text: &str, escaped: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Plain base64 (`[A-Za-z0-9+/]`, then at most two `=` of padding): what every token the
/// API issues looks like. A "token" that is anything else is not printed bare (`-q`), as it
/// could carry terminal control sequences or be something other than a token.
pub(crate) fn is_plain_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() - body.len() <= 2
        && !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// A character as JSON (and Python's `json`) escape it: `\n`, `\t`, `\u001b`, `\u202e`.
pub(crate) fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        // Python's spelling: lower-case hex, four digits (every hazard is in the BMP).
        c => {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hazards_are_escaped_and_the_rest_kept() {
        assert_eq!(escape_hazards("plain Café 日本 🎉"), "plain Café 日本 🎉");
        assert!(matches!(escape_hazards("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_hazards("a\u{1b}[31mred\u{9b}2J\u{202e}x\ny\u{7f}"),
            "a\\u001b[31mred\\u009b2J\\u202ex\\ny\\u007f"
        );
    }

    #[test]
    fn messages_keep_their_lines_and_tabs() {
        assert_eq!(
            escape_hazards_keeping_lines("a\n\tb  \r\u{1b}[2J\u{202e}\n"),
            "a\n\tb  \\r\\u001b[2J\\u202e\n"
        );
    }

    #[test]
    fn plain_base64_only() {
        for token in ["6JsKDclT3OMQd1V2Fl2+/RaraBPg==", "abc=", "abcd", "a+/9"] {
            assert!(is_plain_base64(token), "{token}");
        }
        for not in [
            "",
            "===",
            "abc===",
            "ab=c",
            "a\u{1b}[2J",
            "ab cd",
            "ab\n",
            "tök",
            "a-b_c",
        ] {
            assert!(!is_plain_base64(not), "{not:?}");
        }
    }
}
