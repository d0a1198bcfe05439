//! Property tests: the table formatter and the response parser take any input without
//! panicking, and tables stay aligned; no response a server can send makes a command panic
//! or hang (issue 8.1). Case counts are modest so the suite stays fast.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

use avn_token::api::{Token, parse_token_list};
use avn_token::cli::OutputFormat;
use avn_token::output::table::{AvnCells, format_value, render};
use avn_token::output::{Layout, Printer, Row};

use crate::support::cmd;
use crate::support::hostile::{PREFIX, assert_no_raw_controls, no_panic, token_json};
use crate::support::server::{Canned, ScriptedServer};

/// Characters that break naive tables: wide, zero-width, combining, control, RTL, emoji
/// sequences, Unicode spaces, JSON specials.
const AWKWARD: &[char] = &[
    'a',
    'Z',
    '0',
    ' ',
    '.',
    'Z',
    '"',
    '\\',
    '/',
    '\n',
    '\r',
    '\t',
    '\0',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    'é',
    '\u{301}',
    '日',
    '本',
    '\u{3000}',
    '\u{200b}',
    '\u{200d}',
    '\u{fe0f}',
    '👍',
    '🏳',
    '\u{1f1e6}',
    '\u{202e}',
    'ل',
    'ا',
    '\u{1c}',
    '\u{2028}',
    '\u{ffff}',
];

fn text() -> impl Strategy<Value = String> {
    let char = prop_oneof![3 => prop::sample::select(AWKWARD), 1 => any::<char>()];
    prop::collection::vec(char, 0..10).prop_map(String::from_iter)
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        text().prop_map(Value::String),
        // Times with and without fractions, as the `_time` rule cuts them.
        Just(json!("2021-08-16T16:26:10.123456Z")),
        Just(json!("2021-08-16T16:26:10Z")),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..3)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Every column any layout shows, and one the API might add tomorrow.
fn fields() -> Vec<&'static str> {
    let mut fields: Vec<&'static str> = [Layout::Created, Layout::Listed, Layout::Detail]
        .iter()
        .flat_map(|layout| layout.columns().iter().copied())
        .chain(["brand_new_field"])
        .collect();
    fields.sort_unstable();
    fields.dedup();
    fields
}

fn token() -> impl Strategy<Value = Token> {
    let fields = fields();
    let most = fields.len();
    prop::collection::btree_map(prop::sample::select(fields), json_value(), 0..most).prop_map(
        |fields| {
            let fields = fields.into_iter().map(|(k, v)| (k.to_owned(), v));
            serde_json::from_value(Value::Object(fields.collect::<Map<_, _>>())).unwrap()
        },
    )
}

/// What `str.strip()` removes, as the table module does.
fn python_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The byte index in `line` where the display width before it is `column`, if any.
fn byte_at_width(line: &str, column: usize) -> Option<usize> {
    line.char_indices()
        .map(|(index, _)| index)
        .chain([line.len()])
        .find(|&index| line[..index].width() == column)
}

/// Every row's cells start at the display column where the header's do.
fn check_alignment(tokens: &[Token], columns: &[&str], out: &str) {
    if tokens.is_empty() {
        assert_eq!(out, "");
        return;
    }
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(lines.len(), tokens.len() + 3, "one line per row: {out:?}");
    assert_eq!(lines.last(), Some(&""));
    let (header, rules) = (lines[0], lines[1]);
    // Column starts from the header, widths from the `=` line.
    let mut starts = Vec::new();
    let mut cursor = 0;
    for column in columns {
        let name = column.to_uppercase();
        let at = cursor
            + header[cursor..]
                .find(&name)
                .expect("header names each column");
        starts.push(at);
        cursor = at + name.len();
    }
    let widths: Vec<usize> = rules.split("  ").map(str::len).collect();
    assert_eq!(widths.len(), columns.len(), "{rules:?}");
    for index in 1..columns.len() {
        assert_eq!(starts[index], starts[index - 1] + widths[index - 1] + 2);
    }
    for (token, line) in tokens.iter().zip(&lines[2..]) {
        let cells: Vec<String> = columns
            .iter()
            .map(|&column| {
                token
                    .get(column)
                    .map_or_else(String::new, |value| format_value(Some(column), &value))
            })
            .collect();
        for (cell, width) in cells.iter().zip(&widths) {
            assert!(cell.width() <= *width, "{cell:?} wider than its column");
        }
        // avn strips each row at both ends: an empty or blank-led first cell shifts the
        // whole row left, on purpose (byte-identical output). Alignment holds otherwise.
        if cells[0].is_empty() || cells[0].starts_with(python_whitespace) {
            continue;
        }
        for (cell, &start) in cells.iter().zip(&starts) {
            let shown = cell.trim_end_matches(python_whitespace);
            if shown.is_empty() {
                continue;
            }
            let at = byte_at_width(line, start)
                .unwrap_or_else(|| panic!("no column {start} in {line:?}"));
            assert!(
                line[at..].starts_with(shown),
                "{shown:?} not at column {start} in {line:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn tables_never_panic_and_stay_aligned(
        tokens in prop::collection::vec(token(), 0..5),
        created in any::<bool>(),
    ) {
        let layout = if created { Layout::Created } else { Layout::Listed };
        let rows: Vec<Row<'_>> = tokens.iter().map(Row::from).collect();
        let out = render(&rows, layout.columns(), &AvnCells);
        check_alignment(&tokens, layout.columns(), &out);
    }

    #[test]
    fn every_format_renders_any_tokens(tokens in prop::collection::vec(token(), 0..4)) {
        for format in [OutputFormat::Table, OutputFormat::Json, OutputFormat::Csv, OutputFormat::Yaml, OutputFormat::Pretty] {
            for relative in [false, true] {
                for layout in [Layout::Listed, Layout::Created, Layout::Detail] {
                    Printer::new(format, relative).render(&tokens, layout);
                }
            }
        }
        // JSON output is the API's objects, whole.
        let json = Printer::new(OutputFormat::Json, false).render(&tokens, Layout::Listed);
        let parsed: Vec<Token> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(parsed, tokens);
    }

    #[test]
    fn any_bytes_parse_to_tokens_or_one_line_error(
        body in prop::collection::vec(any::<u8>(), 0..64),
        status in 200u16..300,
    ) {
        if let Err(error) = parse_token_list(status, &body) {
            let message = error.to_string();
            prop_assert!(!message.contains(['\n', '\r']), "{:?}", message);
            prop_assert!(message.contains(&format!("HTTP {status}")), "{:?}", message);
        }
    }

    #[test]
    fn any_json_parses_to_tokens_or_an_error(value in json_value(), wrap in any::<bool>()) {
        let body = if wrap { json!({ "tokens": value }) } else { value };
        let result = parse_token_list(200, body.to_string().as_bytes());
        // Exactly the bodies with a list of objects under "tokens" succeed, kept whole.
        match body.get("tokens") {
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
                let tokens = result.unwrap();
                let expected: Vec<Token> = items
                    .iter()
                    .map(|item| serde_json::from_value(item.clone()).unwrap())
                    .collect();
                prop_assert_eq!(tokens, expected);
            }
            _ => prop_assert!(result.is_err()),
        }
    }
}

/// Issue 19.5: a value no column shows is read at any depth (it is never walked), and no
/// format overflows the stack on it (JSON and YAML, which print it, refuse it whole).
#[test]
fn deeply_nested_values_are_no_stack_overflow() {
    let depth = 100_000;
    let body = format!(
        "{{\"tokens\": [{{\"x\": {}{}}}]}}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let tokens = parse_token_list(200, body.as_bytes()).unwrap();
    for &format in <OutputFormat as clap::ValueEnum>::value_variants() {
        Printer::new(format, false).render(&tokens, Layout::Listed);
    }
}

/// Hostile pieces of a response: status lines, headers and bodies a server can send.
const STATUSES: &[u16] = &[
    0, 100, 101, 103, 199, 200, 201, 204, 206, 299, 301, 304, 399, 400, 401, 403, 404, 408, 409,
    418, 429, 500, 502, 503, 504, 599, 600, 999,
];

fn hostile_header() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "Retry-After: 1e30",
            "Retry-After: 18446744073709551615",
            "Retry-After: -5",
            "Retry-After: NaN",
            "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT",
            "Retry-After: 0",
            "Content-Length: 18446744073709551615",
            "Content-Length: -1",
            "Content-Length: 3",
            "Content-Length: abc",
            "Transfer-Encoding: chunked",
            "Content-Encoding: gzip",
            "Content-Type: text/html",
            "Location: http://127.0.0.1:1/v1/access_token",
            "Connection: keep-alive",
            "garbage without a colon",
            "X-Echo: \u{1b}]0;owned\u{7}\u{9b}2J\u{202e}",
        ])
        .prop_map(|h| h.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..24).prop_map(|mut bytes| {
            bytes.retain(|b| *b != b'\r' && *b != b'\n');
            let mut header = b"X-Raw: ".to_vec();
            header.extend(bytes);
            header
        }),
    ]
}

fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    prop_oneof![
        prop::sample::select(vec![
            String::new(),
            json!({"tokens": [token_json(PREFIX, "ci")]}).to_string(),
            r#"{"tokens": [{}, {"max_age_seconds": 1e400}, {"token_prefix": 5}]}"#.to_owned(),
            r#"{"tokens": 5}"#.to_owned(),
            r#"{"full_token": "\u001b[2J", "token_prefix": "XCJ3+bgWywIh"}"#.to_owned(),
            r#"{"message": "\u001b]0;owned\u0007\u009b2J\u202e"}"#.to_owned(),
            r#"{"user": {"user": "\u001b[31m"}}"#.to_owned(),
            "<!DOCTYPE html><html>\u{1b}[2J</html>".to_owned(),
            nested,
            "0\r\n\r\n".to_owned(),
            "zz\r\nnot chunked".to_owned(),
        ])
        .prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn some_command() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::select(vec![
        vec!["list"],
        vec!["list", "-o", "csv"],
        vec!["info", PREFIX],
        vec!["create", "--description", "ci"],
        vec!["create", "--description", "ci", "-q"],
        vec!["update", PREFIX, "--description", "x"],
        vec!["revoke", PREFIX, "--force"],
        vec!["expire-all", "--yes"],
        vec!["list", "--show-http"],
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Issue 8.1: no response a server can send (status × headers × body, well-formed or
    /// not) makes any command panic; each ends in bounded time.
    #[test]
    fn no_response_makes_it_panic(
        status in prop::sample::select(STATUSES),
        headers in prop::collection::vec(hostile_header(), 0..4),
        body in hostile_body(),
        command in some_command(),
    ) {
        let mut raw = format!("HTTP/1.1 {status} Whatever\r\n").into_bytes();
        for header in &headers {
            raw.extend_from_slice(header);
            raw.extend_from_slice(b"\r\n");
        }
        if !headers.iter().any(|h| h.to_ascii_lowercase().starts_with(b"content-length")) {
            raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        raw.extend_from_slice(&body);
        let server = ScriptedServer::always(Canned::Raw(raw));
        let started = Instant::now();
        let out = cmd()
            .api(&server)
            .args(&command)
            .args(["--retry-budget", "0.2", "--request-timeout", "5"])
            .run();
        no_panic(&out);
        prop_assert!(started.elapsed() < Duration::from_secs(9), "not bounded: {:?}", out);
        if !out.succeeded() {
            prop_assert_eq!(&out.stdout, "", "stdout on failure");
        }
        assert_no_raw_controls(&out);
    }
}
