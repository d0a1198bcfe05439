//! `-o pretty`: a table for people, on comfy-table.
//!
//! The `avn` table (`table.rs`) is for scripts and stays the default; this one is for reading:
//! it fits the terminal, shows times relative to now, and highlights tokens that have expired
//! or expire within a week. Long cells (descriptions, user agents) are cut with `…` so each
//! token stays on one line, but a token prefix is never cut, and `create` prints the full
//! token alone on its own line, whole, so it can be selected and copied.
//!
//! Colour is decided by the caller ([`Terminal::colour`]: stdout is a terminal and `NO_COLOR`
//! is not set) and applied to whole lines after comfy-table has laid them out, so that escape
//! codes never count towards a column's width. Every piece of server text passes through
//! [`safe_text::escape_hazards`] first.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use comfy_table::{Cell, ColumnConstraint, ContentArrangement, Table, presets};
use unicode_width::UnicodeWidthStr;

use super::layout::Layout;
use super::relative::describe;
use super::row::Row;
use super::table::cell;
use crate::raw_json::Kind;
use crate::safe_text;

/// What the pretty table needs to know of where it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// Columns available (`COLUMNS`, else the terminal's size, else 80).
    pub width: u16,
    /// Whether to highlight with ANSI colour.
    pub colour: bool,
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            width: 80,
            colour: false,
        }
    }
}

/// A token that expires within this many seconds is highlighted.
const EXPIRING_SOON_SECONDS: i64 = 7 * 86_400;
/// SGR colours: red for expired, yellow for expiring soon.
const EXPIRED_COLOUR: &str = "31";
const EXPIRING_COLOUR: &str = "33";

/// How close a token is to its expiry, for highlighting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expiry {
    Fine,
    Soon,
    Expired,
}

/// Render `rows` for people.
pub(crate) fn render(
    rows: &[Row<'_>],
    layout: Layout,
    terminal: Terminal,
    now: DateTime<Utc>,
) -> String {
    if rows.is_empty() {
        return String::new();
    }
    match (layout, rows) {
        (Layout::Detail, [row]) => detail(row, terminal, now),
        (Layout::Created, _) => created(rows, terminal, now),
        (Layout::AppUser | Layout::AppTokenCreated, _) => fields(rows, layout, terminal),
        _ => listed(rows, terminal, now),
    }
}

/// Application users, and a new application token (the API answers only its prefix and the
/// full token): `avn`'s columns, one line each, IDs and prefixes never cut, then a new token
/// whole on its own line.
fn fields(rows: &[Row<'_>], layout: Layout, terminal: Terminal) -> String {
    let names: Vec<&str> = layout
        .columns()
        .iter()
        .copied()
        .filter(|name| *name != "full_token")
        .collect();
    let header: Vec<String> = names
        .iter()
        .map(|name| name.replace('_', " ").to_uppercase())
        .collect();
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let cells = rows
        .iter()
        .map(|row| names.iter().map(|name| text(row, name)).collect());
    let keep_whole: Vec<usize> = (0..names.len())
        .filter(|&index| names[index].ends_with("_id") || names[index] == "token_prefix")
        .collect();
    let mut out = one_line_rows(&header, cells, &keep_whole, terminal);
    full_tokens(&mut out, rows);
    out
}

/// A column of a one-line-per-token view: its header, the width below which it is not worth
/// showing (0: never cut, never dropped), and its cell.
type Column = (&'static str, usize, fn(&Row<'_>, DateTime<Utc>) -> String);

/// `list` and `update`: one line per token. On a narrow terminal the least useful columns
/// go first (client, then IP, then last use), rather than every cell being cut to nothing.
fn listed(rows: &[Row<'_>], terminal: Terminal, now: DateTime<Utc>) -> String {
    const COLUMNS: [Column; 6] = [
        ("PREFIX", 0, |row, _| prefix_cell(row)),
        ("DESCRIPTION", 12, |row, _| text(row, "description")),
        ("EXPIRES", 0, expires),
        ("LAST USED", 11, |row, now| when(row, "last_used_time", now)),
        ("LAST IP", 9, |row, _| text(row, "last_ip")),
        ("CLIENT", 10, |row, _| client(row)),
    ];
    fitted(rows, &COLUMNS, terminal, now)
}

/// `audit`: one owner's tokens, one line each, fitting the terminal like `list`; the
/// prefix, the findings (what the report is for) and the expiry are never cut, and on a
/// narrow terminal the description, then the creation and last-use times, give way first.
pub(crate) fn audit(rows: &[Row<'_>], terminal: Terminal, now: DateTime<Utc>) -> String {
    const COLUMNS: [Column; 6] = [
        ("PREFIX", 0, |row, _| prefix_cell(row)),
        ("FINDINGS", 0, |row, _| {
            elide(safe_text::escape_hazards(&row.texts("findings").join(", ")).into_owned())
        }),
        ("EXPIRES", 0, expires),
        ("LAST USED", 11, |row, now| when(row, "last_used_time", now)),
        ("CREATED", 11, |row, now| when(row, "create_time", now)),
        ("DESCRIPTION", 12, |row, _| text(row, "description")),
    ];
    fitted(rows, &COLUMNS, terminal, now)
}

/// `rows` in the `columns` that fit the terminal, most important first: the last ones are
/// dropped while the table would be wider (never one not to cut), then comfy-table cuts
/// what is left to fit; lines coloured by expiry.
fn fitted(rows: &[Row<'_>], columns: &[Column], terminal: Terminal, now: DateTime<Utc>) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| columns.iter().map(|(_, _, cell)| cell(row, now)).collect())
        .collect();
    // Each column takes its width plus 3 (padding and a border); the table one more.
    let needed = |index: usize| {
        let (header, minimum, _) = columns[index];
        let longest = cells
            .iter()
            .map(|row| row[index].width())
            .max()
            .unwrap_or(0);
        let wanted = if minimum == 0 {
            longest
        } else {
            longest.min(minimum)
        };
        wanted.max(header.len().min(minimum.max(1))) + 3
    };
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    while shown.last().is_some_and(|&last| columns[last].1 > 0)
        && 1 + shown.iter().map(|&index| needed(index)).sum::<usize>() > usize::from(terminal.width)
    {
        shown.pop();
    }
    let header: Vec<&str> = shown.iter().map(|&index| columns[index].0).collect();
    let shown_cells = cells
        .iter()
        .map(|row| shown.iter().map(|&index| row[index].clone()).collect());
    // Short, and what people look for.
    let keep_whole: Vec<usize> = (0..shown.len())
        .filter(|&position| columns[shown[position]].1 == 0)
        .collect();
    let expiry: Vec<Expiry> = rows.iter().map(|row| expiry(row, now)).collect();
    let mut out = one_line_rows(&header, shown_cells, &keep_whole, terminal);
    highlight(&mut out, &expiry, terminal);
    out
}

/// The token prefix, marked when it is the token this command authenticated with.
fn prefix_cell(row: &Row<'_>) -> String {
    let prefix = match row.text("token_prefix") {
        Some(prefix) if row.flag("currently_active") => format!("{prefix} (in use)"),
        Some(prefix) => prefix.into_owned(),
        None => String::new(),
    };
    safe_text::escape_hazards(&prefix).into_owned()
}

/// `create` and `rotate`: the new token's settings, then the full token alone on its line.
fn created(rows: &[Row<'_>], terminal: Terminal, now: DateTime<Utc>) -> String {
    let header = ["DESCRIPTION", "EXPIRES", "MAX AGE", "EXTEND ON USE"];
    let cells = rows.iter().map(|row| {
        vec![
            text(row, "description"),
            expires(row, now),
            max_age(row),
            yes_no(row.flag("extend_when_used")).to_owned(),
        ]
    });
    let mut out = one_line_rows(&header, cells, &[1, 2], terminal);
    full_tokens(&mut out, rows);
    out
}

/// Each new token whole, alone on its line, after the table.
fn full_tokens(out: &mut String, rows: &[Row<'_>]) {
    for row in rows {
        if let Some(full_token) = row.text("full_token") {
            out.push_str("\nThe new token, shown only this once:\n");
            // Whole and unwrapped, whatever the width: a cut token cannot be copied.
            out.push_str(&safe_text::escape_hazards(&full_token));
            out.push('\n');
        }
    }
}

/// `info`: one token, a field per line; long values wrap (cut only past [`MAX_CELL_CHARS`]).
fn detail(row: &Row<'_>, terminal: Terminal, now: DateTime<Utc>) -> String {
    let list = |field: &str, none: &str| {
        let items = row.texts(field);
        if items.is_empty() {
            none.to_owned()
        } else {
            elide(safe_text::escape_hazards(&items.join(", ")).into_owned())
        }
    };
    let fields = [
        ("Prefix", text(row, "token_prefix")),
        ("Description", text(row, "description")),
        ("Created", when(row, "create_time", now)),
        ("Expires", expires(row, now)),
        ("Max age", max_age(row)),
        (
            "Extends when used",
            yes_no(row.flag("extend_when_used")).to_owned(),
        ),
        ("Last used", when(row, "last_used_time", now)),
        ("Last IP", text(row, "last_ip")),
        ("Client", client(row)),
        ("Scopes", list("scopes", "none (unrestricted)")),
        ("IP allowlist", list("ip_allowlist", "none (any address)")),
        ("Kind", kind(row).to_owned()),
        ("In use", yes_no(row.flag("currently_active")).to_owned()),
    ];
    let mut table = new_table(terminal);
    for (label, value) in fields {
        table.add_row(vec![Cell::new(label), Cell::new(value)]);
    }
    if let Some(column) = table.column_mut(0) {
        column.set_constraint(ColumnConstraint::ContentWidth);
    }
    let mut out = table.to_string();
    out.push('\n');
    let expires_line = out.lines().position(|line| line.starts_with("│ Expires "));
    highlight_lines(
        &mut out,
        |index| (Some(index) == expires_line).then(|| expiry(row, now)),
        terminal,
    );
    out
}

/// A table with a header, each row on exactly one line (long cells cut with `…`); the
/// columns `keep_whole` (the token prefix, the expiry) are never cut.
fn one_line_rows(
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
    keep_whole: &[usize],
    terminal: Terminal,
) -> String {
    let mut table = new_table(terminal);
    let mut header = comfy_table::Row::from(header.to_vec());
    header.max_height(1);
    table.set_header(header);
    for cells in rows {
        let mut row = comfy_table::Row::from(cells);
        row.max_height(1);
        table.add_row(row);
    }
    for &index in keep_whole {
        if let Some(column) = table.column_mut(index) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    let mut out = table.to_string();
    out.push('\n');
    out
}

fn new_table(terminal: Terminal) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners())
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(terminal.width);
    table
}

/// Colour the data lines of a [`one_line_rows`] table by their token's expiry: data rows
/// start after the header separator, one line per token.
fn highlight(out: &mut String, expiry: &[Expiry], terminal: Terminal) {
    let first_row = out
        .lines()
        .position(|line| line.starts_with('╞'))
        .map_or(usize::MAX, |index| index + 1);
    highlight_lines(
        out,
        |index| {
            index
                .checked_sub(first_row)
                .and_then(|row| expiry.get(row).copied())
        },
        terminal,
    );
}

/// Wrap line `index` of `out` in the colour for `class(index)`, on a colour terminal.
fn highlight_lines(out: &mut String, class: impl Fn(usize) -> Option<Expiry>, terminal: Terminal) {
    if !terminal.colour {
        return;
    }
    let mut coloured = String::with_capacity(out.len() + 64);
    for (index, line) in out.lines().enumerate() {
        match class(index) {
            Some(Expiry::Expired) => {
                coloured.push_str(&format!("\x1b[{EXPIRED_COLOUR}m{line}\x1b[0m"))
            }
            Some(Expiry::Soon) => {
                coloured.push_str(&format!("\x1b[{EXPIRING_COLOUR}m{line}\x1b[0m"))
            }
            _ => coloured.push_str(line),
        }
        coloured.push('\n');
    }
    *out = coloured;
}

/// The most characters a cell shows: far more than any real field (a description is at most
/// 1000), and little enough that a hostile answer's 31 MiB value does not cost the table's
/// wrapping gigabytes. What is left out is said.
const MAX_CELL_CHARS: usize = 4000;

/// `text` cut to [`MAX_CELL_CHARS`], saying how much more there was.
fn elide(text: String) -> String {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        None => text,
        Some((cut, _)) => format!(
            "{}… ({} more characters)",
            &text[..cut],
            text[cut..].chars().count()
        ),
    }
}

/// A text field as people read it: hazards escaped, null or absent as `-`, cut at
/// [`MAX_CELL_CHARS`].
fn text(row: &Row<'_>, field: &str) -> String {
    elide(match row.get(field) {
        None => "-".to_owned(),
        Some(value) => match (value.kind(), value.as_str()) {
            (Kind::Null, _) => "-".to_owned(),
            (_, Some(text)) => safe_text::escape_hazards(&text).into_owned(),
            _ => cell(Some(field), value).into_owned(),
        },
    })
}

/// The user agent, in its human-readable form when the API gives one.
fn client(row: &Row<'_>) -> String {
    match row.text("last_user_agent_human_readable") {
        Some(readable) if !readable.trim().is_empty() => {
            elide(safe_text::escape_hazards(&readable).into_owned())
        }
        _ => text(row, "last_user_agent"),
    }
}

fn time(row: &Row<'_>, field: &str) -> Option<DateTime<Utc>> {
    let text = row.text(field)?;
    DateTime::parse_from_rfc3339(&text)
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// `2 hours ago`; `never` when absent; the raw text when it is not a time.
fn when(row: &Row<'_>, field: &str, now: DateTime<Utc>) -> String {
    match (time(row, field), row.get(field).map(|value| value.kind())) {
        (Some(time), _) => describe(time, now),
        (None, None | Some(Kind::Null)) => "never".to_owned(),
        (None, Some(_)) => text(row, field),
    }
}

/// `in 3 days`, `expired 2 days ago`, `never`.
fn expires(row: &Row<'_>, now: DateTime<Utc>) -> String {
    match time(row, "expiry_time") {
        Some(time) if time <= now => format!("expired {}", describe(time, now)),
        _ => when(row, "expiry_time", now),
    }
}

fn expiry(row: &Row<'_>, now: DateTime<Utc>) -> Expiry {
    match time(row, "expiry_time") {
        Some(time) if time <= now => Expiry::Expired,
        Some(time) if (time - now).num_seconds() <= EXPIRING_SOON_SECONDS => Expiry::Soon,
        _ => Expiry::Fine,
    }
}

/// `30 days`, `90 minutes`: the largest unit that divides the age exactly.
fn max_age(row: &Row<'_>) -> String {
    let Some(seconds) = row.int("max_age_seconds") else {
        return match row.get("max_age_seconds") {
            Some(value) if value.kind() != Kind::Null => {
                cell(Some("max_age_seconds"), value).into_owned()
            }
            _ => "server default".to_owned(),
        };
    };
    const UNITS: [(i64, &str); 5] = [
        (7 * 86_400, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let (size, name) = UNITS
        .iter()
        .copied()
        .find(|(size, _)| seconds != 0 && seconds % size == 0)
        .unwrap_or((1, "second"));
    let count = seconds / size;
    let plural: Cow<'_, str> = if count == 1 {
        name.into()
    } else {
        format!("{name}s").into()
    };
    format!("{count} {plural}")
}

/// How the token was made. Not "personal": an application user's tokens are shown too.
fn kind(row: &Row<'_>) -> &'static str {
    if row.flag("created_manually") {
        "created by hand"
    } else {
        "session (created by login)"
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Token;
    use chrono::TimeZone;
    use serde_json::{Value, json};

    fn token(value: Value) -> Token {
        serde_json::from_value(value).unwrap()
    }

    fn rows(tokens: &[Token]) -> Vec<Row<'_>> {
        tokens.iter().map(Row::from).collect()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap()
    }

    fn sample() -> Vec<Token> {
        vec![
            token(json!({
                "token_prefix": "6JsKDclT3OMQ", "description": "deploy ".repeat(20),
                "expiry_time": "2026-01-13T12:00:00Z", "last_used_time": "2026-01-10T10:00:00Z",
                "last_ip": "192.0.2.1", "last_user_agent": "Mozilla/5.0 ".repeat(10),
                "currently_active": true, "max_age_seconds": 2_592_000
            })),
            token(json!({
                "token_prefix": "XCJ3+bgWywIh", "description": "ci",
                "expiry_time": "2026-03-10T12:00:00Z", "last_used_time": null,
                "last_ip": null, "last_user_agent": null, "max_age_seconds": null
            })),
        ]
    }

    #[test]
    fn fits_the_width_and_never_cuts_a_prefix() {
        // Below about 50 columns, the prefix and the expiry alone fill the line.
        for width in [50u16, 60, 80, 120] {
            let out = render(
                &rows(&sample()),
                Layout::Listed,
                Terminal {
                    width,
                    colour: false,
                },
                now(),
            );
            for line in out.lines() {
                assert!(
                    line.width() <= usize::from(width),
                    "{width}: {line:?}\n{out}"
                );
            }
            assert!(out.contains("6JsKDclT3OMQ (in use)"), "{width}:\n{out}");
            assert!(out.contains("XCJ3+bgWywIh"), "{width}:\n{out}");
            // One line per token: top border, header, separator, two rows, bottom border.
            assert_eq!(out.lines().count(), 6, "{width}:\n{out}");
        }
        let wide = render(
            &rows(&sample()),
            Layout::Listed,
            Terminal {
                width: 120,
                colour: false,
            },
            now(),
        );
        assert!(wide.contains("in 3 days"), "{wide}");
        assert!(wide.contains("2 hours ago"), "{wide}");
        assert!(wide.contains('…'), "long cells are cut: {wide}");
    }

    #[test]
    fn colours_expired_and_expiring_rows_only_when_asked() {
        let mut tokens = sample();
        tokens.push(token(
            json!({"token_prefix": "OLDtoken0000", "expiry_time": "2026-01-01T00:00:00Z"}),
        ));
        let plain = render(
            &rows(&tokens),
            Layout::Listed,
            Terminal {
                width: 100,
                colour: false,
            },
            now(),
        );
        assert!(!plain.contains('\x1b'), "{plain}");
        assert!(plain.contains("expired 1 week ago"), "{plain}");
        let coloured = render(
            &rows(&tokens),
            Layout::Listed,
            Terminal {
                width: 100,
                colour: true,
            },
            now(),
        );
        let lines: Vec<&str> = coloured.lines().collect();
        assert!(lines[3].starts_with("\x1b[33m") && lines[3].contains("6JsKDclT3OMQ"));
        assert!(!lines[4].contains('\x1b'), "in two months: not highlighted");
        assert!(lines[5].starts_with("\x1b[31m") && lines[5].contains("OLDtoken0000"));
    }

    #[test]
    fn created_prints_the_whole_token_alone_on_a_line() {
        let full = format!("{}==", "A/b+".repeat(80));
        let created =
            token(json!({"description": "ci", "full_token": full, "max_age_seconds": 5400}));
        let out = render(
            &rows(&[created]),
            Layout::Created,
            Terminal {
                width: 40,
                colour: false,
            },
            now(),
        );
        assert!(out.lines().any(|line| line == full), "{out}");
        assert!(out.contains("90 minutes"), "{out}");
    }

    #[test]
    fn huge_cells_are_cut_and_say_so() {
        let description = "é".repeat(MAX_CELL_CHARS + 5);
        let long = token(json!({"description": description}));
        let cell = text(&Row::from(&long), "description");
        assert!(cell.starts_with(&"é".repeat(MAX_CELL_CHARS)));
        assert!(cell.ends_with("… (5 more characters)"), "{cell}");
        let short = "x".repeat(MAX_CELL_CHARS);
        let short_token = token(json!({"d": short}));
        assert_eq!(text(&Row::from(&short_token), "d"), short);
    }

    #[test]
    fn hostile_text_is_escaped() {
        let evil =
            token(json!({"token_prefix": "EVILtoken000", "description": "a\u{1b}[2Jb\u{202e}"}));
        let out = render(&rows(&[evil]), Layout::Detail, Terminal::default(), now());
        assert!(!out.contains('\x1b') && !out.contains('\u{202e}'), "{out}");
        assert!(out.contains("\\u001b"), "{out}");
    }
}
