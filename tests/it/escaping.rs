//! Server text reaches the terminal escaped (issue 8.4): control characters, DEL and bidi
//! overrides are shown as escapes everywhere a server's text is printed, as `avn`
//! escapes them in its tables. (A new token that is not plain base64 is in `create`.)

use serde_json::json;

use crate::support::hostile::{HAZARDS, assert_no_raw_controls, no_panic, token_json};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{cmd, token};

/// SPEC §3: the table and `--json` are byte-identical to `avn` for ASCII data, and a string
/// that `json.dumps` escapes is printed JSON-quoted. Python escapes DEL (U+007F) as
/// `\u007f`, like every other control character; it was printed raw.
#[test]
fn del_is_escaped_as_avn_escapes_it() {
    let mut listed = token("AAAAtoken000", "del\u{7f}ete");
    listed["last_user_agent"] = json!("agent\u{7f}");
    let server = ScriptedServer::always(Canned::json(200, json!({ "tokens": [listed] })));
    let table = cmd().api(&server).arg("list").run();
    table.success();
    let row = table.stdout.lines().nth(2).expect("a row");
    assert!(
        row.contains(r#"  "del\u007fete"  "#) && row.ends_with(r#"  "agent\u007f""#),
        "{row:?}"
    );
    let json = cmd().api(&server).args(["list", "--json"]).run();
    json.success()
        .stdout_contains(r#""description": "del\u007fete","#);
    // Everywhere else too: it is a control character, as the rest of C0 is.
    let csv = cmd().api(&server).args(["list", "-o", "csv"]).run();
    csv.success().stdout_contains(r"del\u007fete");
    assert!(!csv.stdout.contains('\u{7f}'), "{:?}", csv.stdout);
}

/// Issue 8.4: every place that prints server text escapes control characters and bidi
/// overrides: the expire-all message (stdout), login's "logged in as", rotate's "revoked the
/// old token", an ambiguous-prefix list, `--show-http` bodies that are not JSON, and
/// errors quoting values.
#[test]
fn server_text_reaches_the_terminal_escaped_everywhere() {
    let hostile_prefix = format!("AB{HAZARDS}");
    let (first, second) = (format!("{hostile_prefix}1"), format!("{hostile_prefix}2"));
    let cases: Vec<(&str, Canned, Vec<&str>, Option<&str>)> = vec![
        (
            "expire-all message",
            Canned::json(200, json!({ "message": format!("expired {HAZARDS}") })),
            vec!["expire-all", "--yes"],
            Some("expired \\u001b]0;owned\\u0007\\u009b2J\\u202edlrow\\u0085\n"),
        ),
        (
            "login's email",
            Canned::json(
                200,
                json!({"user": {"user": format!("me{HAZARDS}@example.com")}}),
            ),
            vec!["login"],
            None,
        ),
        (
            "ambiguous prefix",
            Canned::json(
                200,
                json!({"tokens": [token_json(&first, "a"), token_json(&second, "b")]}),
            ),
            vec!["info", "AB"],
            None,
        ),
        (
            "--show-http body that is not JSON",
            Canned::raw(503, "text/plain", format!("down {HAZARDS}").as_bytes()),
            vec!["list", "--show-http", "--retry-budget", "0"],
            None,
        ),
        (
            "decode error quoting a value",
            Canned::json(200, json!({ "tokens": format!("x{HAZARDS}") })),
            vec!["list"],
            None,
        ),
        (
            "error message",
            Canned::json(400, json!({ "message": format!("bad {HAZARDS}") })),
            vec!["list"],
            None,
        ),
    ];
    for (what, reply, command, stdout) in cases {
        let server = ScriptedServer::always(reply);
        let home = tempfile::tempdir().unwrap();
        let out = cmd()
            .home(home.path())
            .api(&server)
            .args(&command)
            .write_stdin("stdin-token\n")
            .run();
        no_panic(&out);
        assert_no_raw_controls(&out);
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(
            printed.contains("\\u001b") || printed.contains("\\u{1b}"),
            "{what}: the escape is not shown: {out:?}"
        );
        if let Some(stdout) = stdout {
            assert_eq!(out.stdout, stdout, "{what}");
        }
    }

    // rotate's closing note names the old token by the prefix the server gave it.
    let hostile = hostile_prefix.clone();
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token_json(&hostile, "ci")]})),
        "POST" => {
            let mut created = token_json("N3WT0KENPR3F", "ci");
            created["full_token"] = json!("Zm9vYmFyYmF6cXV4");
            Canned::json(200, created)
        }
        _ => Canned::json(200, json!({})),
    });
    let out = cmd().api(&server).args(["rotate", "AB", "--force"]).run();
    out.success()
        .stderr_contains("revoked the old token AB\\u001b");
    assert_no_raw_controls(&out);
}
