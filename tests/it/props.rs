//! Property tests: the table formatter and the response parser take any input without
//! panicking, and tables stay aligned. Case counts are modest so the suite stays fast.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use unicode_width::UnicodeWidthStr;

use avn_token::api::{Token, parse_token_list};
use avn_token::cli::OutputFormat;
use avn_token::output::table::{AvnCells, format_value, render};
use avn_token::output::{Layout, Printer, Row};

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
