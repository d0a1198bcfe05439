//! Byte-for-byte compatibility of `avn-token application-user ...` with
//! `avn application-user ...` (aiven-client 4.18.0): both run against the same canned
//! responses and must print the same stdout, agree on success, and send the same requests.
//!
//! The one deliberate difference tested here: `token create --json` prints avn's "copy and
//! safely store" box on stderr (as a note), so stdout is valid JSON.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::server::{Canned, Request, ScriptedServer};
use crate::support::snapshot::{assert_exact_snapshot, transcript};
use crate::support::{Cmd, Run, avn_binary, cmd};

const TOKEN: &str = "compat+test/token=value0123456789abcdefABCDEF==";
const ORG: &str = "org4a2b/c9d";

/// One canned reply per kind of call.
#[derive(Clone)]
struct CannedOrg {
    users: Canned,
    user: Canned,
    created_user: Canned,
    updated_user: Canned,
    deleted_user: Canned,
    tokens: Canned,
    created_token: Canned,
    revoked_token: Canned,
}

impl CannedOrg {
    fn new(users: Value, tokens: Value) -> CannedOrg {
        let first_user = users.get(0).cloned().unwrap_or_else(|| json!({}));
        CannedOrg {
            users: Canned::json(200, json!({ "application_users": users })),
            user: Canned::json(200, first_user.clone()),
            created_user: Canned::json(200, first_user.clone()),
            updated_user: Canned::json(200, first_user),
            deleted_user: Canned::raw(204, "text/plain", b""),
            tokens: Canned::json(200, json!({ "tokens": tokens })),
            created_token: Canned::json(
                200,
                json!({"full_token": "NEWapptoken0/rest+of+the/token==", "token_prefix": "NEWapptoken0"}),
            ),
            revoked_token: Canned::json(200, json!({"message": "Token revoked"})),
        }
    }

    fn every_call(reply: Canned) -> CannedOrg {
        CannedOrg {
            users: reply.clone(),
            user: reply.clone(),
            created_user: reply.clone(),
            updated_user: reply.clone(),
            deleted_user: reply.clone(),
            tokens: reply.clone(),
            created_token: reply.clone(),
            revoked_token: reply,
        }
    }

    /// `/v1/organization/{org}/application-users[/{user}[/access-tokens[/{prefix}]]]`.
    fn serve(&self) -> ScriptedServer {
        let canned = self.clone();
        ScriptedServer::start(move |request| {
            let depth = request.path.split('/').count();
            match (request.method.as_str(), depth) {
                ("GET", 5) => canned.users.clone(),
                ("POST", 5) => canned.created_user.clone(),
                ("GET", 6) => canned.user.clone(),
                ("PATCH", 6) => canned.updated_user.clone(),
                ("DELETE", 6) => canned.deleted_user.clone(),
                ("GET", 7) => canned.tokens.clone(),
                ("POST", 7) => canned.created_token.clone(),
                ("DELETE", 8) => canned.revoked_token.clone(),
                _ => Canned::json(404, json!({"message": "no such call"})),
            }
        })
    }
}

/// How a command is run: its arguments after `application-user`, stdin, extra variables.
struct Case<'a> {
    args: &'a [&'a str],
    stdin: &'a str,
    env: &'a [(&'a str, &'a str)],
}

fn case<'a>(args: &'a [&'a str]) -> Case<'a> {
    Case {
        args,
        stdin: "",
        env: &[],
    }
}

fn run(program: Cmd, url: &str, case: &Case) -> Run {
    let mut program = program
        .url(url)
        .arg("--auth-token")
        .arg(TOKEN)
        .arg("application-user")
        .args(case.args)
        .args(["--organization-id", ORG])
        .write_stdin(case.stdin);
    for (key, value) in case.env {
        program = program.env(key, value);
    }
    program.run()
}

/// What a server received, comparable across clients: method, path, JSON body.
fn received(server: &ScriptedServer) -> Vec<(String, String, Value)> {
    server
        .requests()
        .iter()
        .map(|request: &Request| {
            let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            (request.method.clone(), request.path.clone(), body)
        })
        .collect()
}

/// Run `case` with both clients, each against its own copy of `canned`, and compare.
fn same(avn: &Path, canned: &CannedOrg, case: &Case) -> (Run, Run) {
    let (avn_server, our_server) = (canned.serve(), canned.serve());
    let reference = run(Cmd::python(avn), &avn_server.url(), case);
    let ours = run(
        cmd().args(["--retry-budget", "0.1"]),
        &our_server.url(),
        case,
    );
    let args = case.args;
    assert_eq!(
        ours.succeeded(),
        reference.succeeded(),
        "{args:?}: success differs\navn stdout: {}\navn stderr: {}\navn-token stderr: {}",
        reference.stdout,
        reference.stderr,
        ours.stderr
    );
    // avn's requests, in its order; after a failure avn-token may read more (GET only: the
    // user's tokens, to say whether the prefix or the user is unknown), never change more.
    let (ours_sent, avn_sent) = (received(&our_server), received(&avn_server));
    let extra = ours_sent.strip_prefix(avn_sent.as_slice());
    assert!(
        extra.is_some_and(|extra| {
            extra.is_empty() || !reference.succeeded() && extra.iter().all(|r| r.0 == "GET")
        }),
        "{args:?}: the requests differ\navn-token: {ours_sent:?}\navn: {avn_sent:?}"
    );
    if !reference.succeeded() {
        assert_eq!(
            ours.stdout, "",
            "{args:?}: failures print nothing on stdout"
        );
        return (reference, ours);
    }
    let json_create = args.contains(&"--json") && args.starts_with(&["token", "create"]);
    let expected = if json_create {
        // avn's box (three lines) comes first, on stdout: avn-token prints it on stderr.
        let box_end = reference.stdout.match_indices('\n').nth(2).unwrap().0 + 1;
        ours.stderr_contains("note: Copy and safely store the full token value.");
        reference.stdout[box_end..].to_owned()
    } else {
        reference.stdout.clone()
    };
    let parsed = |text: &str| serde_json::from_str::<Value>(text).ok();
    if args.contains(&"--json") && !ours.stdout.is_ascii() {
        // avn escapes non-ASCII in JSON (`\u00e9`), avn-token writes it as UTF-8: the same
        // when parsed.
        assert_eq!(
            parsed(&ours.stdout),
            parsed(&expected),
            "{args:?}: JSON differs"
        );
    } else {
        assert_eq!(
            ours.stdout, expected,
            "{args:?}: stdout differs\n--- avn ---\n{expected}\n--- avn-token ---\n{}",
            ours.stdout
        );
    }
    // `delete --json` and `token revoke --json` print avn's sentence, not JSON, as avn does.
    if args.contains(&"--json") && !ours.stdout.ends_with("successfully.\n") {
        let parsed: Result<Value, _> = serde_json::from_str(&ours.stdout);
        assert!(parsed.is_ok(), "{args:?}: not JSON: {}", ours.stdout);
    }
    (reference, ours)
}

/// The commands [`every_command`] runs, after `application-user`.
const COMMANDS: &[&[&str]] = &[
    &["create", "--name", "ci \"bot\""],
    &["create", "--name", "ci", "--json"],
    &["list"],
    &["list", "--json"],
    &["info", "u1a2b/c3"],
    &["info", "u1a2b/c3", "--json"],
    &["update", "u1a2b/c3", "--name", "renamed"],
    &["update", "u1a2b/c3", "--name", "renamed", "--json"],
    &["delete", "u1a2b/c3", "--force"],
    &["delete", "u1a2b/c3", "-f", "--json"],
    &["token", "create", "u1", "--description", "ci"],
    &[
        "token",
        "create",
        "u1",
        "--description",
        "deploy \"prod\"",
        "--max-age-seconds",
        "3600",
        "--extend-when-used",
        "--ip-allowlist",
        "10.0.0.0/8",
        "--ip-allowlist",
        "2001:db8::/32",
        "--scopes",
        "projects:read",
        "--scopes",
        "user",
    ],
    &[
        "token",
        "create",
        "u1",
        "--description",
        "x",
        "--max-age-seconds",
        "0",
    ],
    &["token", "create", "u1", "--description", "ci", "--json"],
    &["token", "list", "u1"],
    &["token", "list", "u1", "--verbose"],
    &["token", "list", "u1", "--json"],
    &["token", "info", "u1", "abc/+=DEF012"],
    &["token", "info", "u1", "--verbose", "xyz000000000"],
    &["token", "info", "u1", "abc/+=DEF012", "--json"],
    &["token", "revoke", "u1", "abc/+=DEF012", "--force"],
];

fn every_command(avn: &Path, canned: &CannedOrg) {
    for args in COMMANDS {
        same(avn, canned, &case(args));
    }
}

fn users() -> Value {
    json!([
        {
            "name": "ci \"bot\"", "user_email": "ci@app.example", "user_id": "u1a2b/c3",
            "is_super_admin": false, "create_time": "2024-01-01T00:00:00.123Z"
        },
        {
            "name": "back\\slash\ttab", "user_email": null, "user_id": "u2",
            "is_super_admin": true, "create_time": null
        },
        {
            "name": "plain", "user_email": "p@example.com", "user_id": "u3",
            "is_super_admin": null, "new_field": {"b": 1, "a": [true, null]}
        }
    ])
}

fn tokens() -> Value {
    json!([
        {
            "token_prefix": "abc/+=DEF012", "description": "deploy \"prod\"",
            "last_used_time": "2024-05-01T10:00:00.654321Z", "expiry_time": null,
            "currently_active": false, "create_time": "2024-01-01T00:00:00Z",
            "created_manually": true, "extend_when_used": false,
            "ip_allowlist": ["10.0.0.0/8", "2001:db8::/32"], "last_ip": "10.1.2.3",
            "last_user_agent": "curl/8.0", "last_user_agent_human_readable": "curl 8",
            "max_age_seconds": null, "scopes": ["projects:read", "user"]
        },
        {
            "token_prefix": "xyz000000000", "description": "tab\there",
            "last_used_time": null, "expiry_time": "2030-01-01T00:00:00.5Z",
            "currently_active": true, "create_time": null, "created_manually": false,
            "extend_when_used": true, "ip_allowlist": [], "last_ip": null,
            "last_user_agent_human_readable": null, "max_age_seconds": 3600.0, "scopes": null
        }
    ])
}

#[test]
fn every_command_with_quotes_nulls_and_tokens_without_expiry() {
    let Some(avn) = avn_binary() else { return };
    every_command(&avn, &CannedOrg::new(users(), tokens()));
}

/// What avn-token prints for [`users`] and [`tokens`], as reviewed: the bytes the live
/// comparison above checks against avn, kept as a snapshot so that a change shows in
/// review, and is caught where the reference `avn` is not installed.
#[test]
fn every_command_as_reviewed() {
    let canned = CannedOrg::new(users(), tokens());
    let runs: Vec<(String, Run)> = COMMANDS
        .iter()
        .map(|args| {
            let server = canned.serve();
            let line = format!("application-user {}", args.join(" "));
            (line, run(cmd(), &server.url(), &case(args)))
        })
        .collect();
    assert_exact_snapshot!("every_command", transcript(&runs));
}

#[test]
fn empty_lists_print_nothing() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedOrg::new(json!([]), json!([]));
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["token", "list", "u1"],
        &["token", "list", "u1", "--verbose"],
        &["token", "list", "u1", "--json"],
        // Not in an empty list: both fail.
        &["token", "info", "u1", "abc/+=DEF012"],
    ] {
        let (reference, _) = same(&avn, &canned, &case(args));
        if args[0] == "list" || args[1] == "list" {
            assert!(!reference.stdout.starts_with("NAME"), "{args:?}");
        }
    }
}

#[test]
fn failures_agree_and_print_nothing_on_stdout() {
    let Some(avn) = avn_binary() else { return };
    for reply in [
        Canned::json(
            404,
            json!({"message": "Application user not found", "errors": [{"message": "not found", "status": 404}]}),
        ),
        Canned::json(403, json!({"message": "Permission denied"})),
        Canned::raw(
            500,
            "text/html",
            b"<html><body>Internal error</body></html>",
        ),
    ] {
        every_command(&avn, &CannedOrg::every_call(reply));
    }
}

/// `avn`'s rule for `--extend-when-used`, checked before anything is sent.
#[test]
fn extend_when_used_needs_a_maximum_age() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedOrg::new(users(), tokens());
    for args in [
        &[
            "token",
            "create",
            "u1",
            "--description",
            "d",
            "--extend-when-used",
        ][..],
        &[
            "token",
            "create",
            "u1",
            "--description",
            "d",
            "--extend-when-used",
            "--max-age-seconds",
            "0",
        ],
    ] {
        let (reference, ours) = same(&avn, &canned, &case(args));
        reference.failure();
        ours.code(2).one_line_error();
    }
}

/// Without `--force`, `avn` prints its warning box and asks; in a pipe it reads the answer
/// from stdin. Both go ahead on a yes and print the same bytes (box, question, result);
/// both stop on anything else, or on an empty stdin (where avn crashes on EOFError).
/// `AIVEN_FORCE` skips the question but not the box.
#[test]
fn confirmation_in_a_pipe() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedOrg::new(users(), tokens());
    for args in [
        &["delete", "u1a2b/c3"][..],
        &["token", "revoke", "u1", "abc/+=DEF012"],
    ] {
        for (stdin, env, goes_ahead) in [
            ("y\n", &[][..], true),
            ("YES\n", &[], true),
            // Where avn's Python reads stdin with universal newlines (Windows), a `\r`
            // ends the line too: PowerShell pipes every line with one.
            ("y\r\n", &[], cfg!(windows)),
            ("y\r", &[], cfg!(windows)),
            ("ok", &[], true),
            ("n\n", &[], false),
            (" y\n", &[], false),
            ("", &[], false),
            ("", &[("AIVEN_FORCE", "true")], true),
            ("", &[("AIVEN_FORCE", "on")], false),
        ] {
            let (reference, ours) = same(&avn, &canned, &Case { args, stdin, env });
            assert_eq!(
                reference.succeeded(),
                goes_ahead,
                "{args:?} {stdin:?} {env:?}"
            );
            if goes_ahead {
                ours.stdout_contains("*****\n");
            } else {
                ours.code(1).one_line_error();
            }
        }
    }
}

/// A column missing from every token makes avn 4.18.0 crash (`KeyError` in
/// `pretty.yield_table`); avn-token prints it blank, as it does for personal tokens.
#[test]
fn a_column_absent_from_every_token_is_blank_where_avn_crashes() {
    let canned = CannedOrg::new(users(), json!([{"token_prefix": "onlyprefix00"}]));
    let server = canned.serve();
    let ours = run(cmd(), &server.url(), &case(&["token", "list", "u1"]));
    ours.success();
    assert_exact_snapshot!("token_list_without_columns", ours.stdout);
    let Some(avn) = avn_binary() else { return };
    let server = canned.serve();
    let reference = run(
        Cmd::python(avn),
        &server.url(),
        &case(&["token", "list", "u1"]),
    );
    reference.failure();
    assert!(
        reference.stderr.contains("KeyError"),
        "{}",
        reference.stderr
    );
}

/// Canned answers written as JSON text (key order, duplicate keys and number spellings as
/// they are): the users' list, the tokens' list; the first user answers create, info and
/// update.
fn org_texts(users: &[&str], tokens: &[&str]) -> CannedOrg {
    let json_text = |text: String| Canned::raw(200, "application/json", text.as_bytes());
    let first_user = users.first().copied().unwrap_or("{}");
    CannedOrg {
        users: json_text(format!("{{\"application_users\": [{}]}}", users.join(", "))),
        user: json_text(first_user.to_owned()),
        created_user: json_text(first_user.to_owned()),
        updated_user: json_text(first_user.to_owned()),
        tokens: json_text(format!("{{\"tokens\": [{}]}}", tokens.join(", "))),
        ..CannedOrg::new(json!([]), json!([]))
    }
}

/// A user and a token with every column, so that avn (which fails on a column missing from
/// every row) prints a table.
const EVERY_USER_COLUMN: &str =
    r#"{"name": "n", "user_email": "e@x", "user_id": "u1", "is_super_admin": false}"#;
const EVERY_TOKEN_COLUMN: &str = r#"{"token_prefix": "PFX000000001", "description": "d",
    "last_used_time": null, "expiry_time": null, "currently_active": false,
    "create_time": "2024-01-01T00:00:00Z", "created_manually": true, "extend_when_used": false,
    "ip_allowlist": null, "last_ip": null, "last_user_agent_human_readable": null,
    "max_age_seconds": null, "scopes": null}"#;

/// The data edge cases of `avn_compat::access_token`, in application users and their tokens: numbers of
/// every spelling, nesting in every column, duplicate keys, empty and blank strings, names
/// with dots, `£` and `€`, and objects under the empty name (which avn spreads into the
/// columns of their members).
#[test]
fn json_text_as_written_in_users_and_tokens() {
    let Some(avn) = avn_binary() else { return };
    let canned = org_texts(
        &[
            r#"{"name": -0, "user_email": 1e-7, "user_id": 123456789012345678901234567890,
                "is_super_admin": 3600.0, "create_time": 1.0e2}"#,
            r#"{"name": {"b": [1, {"a": null}]}, "user_email": [["x"], []], "user_id": {},
                "is_super_admin": []}"#,
            r#"{"name": "a", "name": "bb", "user_id": " x ", "user_email": "", "is_super_admin": "\t"}"#,
            r#"{"name": "£5 €3", "name.x": "dot", "user_id": {"name": "n"}, "": 5}"#,
            r#"{"name": "long long name", "user_id": "u9", "": {"name": "hijack", "is_super_admin": true}}"#,
            EVERY_USER_COLUMN,
        ],
        &[
            r#"{"token_prefix": "n", "description": 12345678901234567890123, "max_age_seconds": 3600.0,
                "expiry_time": -0.0, "ip_allowlist": [1e16, 1E-400], "scopes": [["a"], {"b": 2}]}"#,
            r#"{"token_prefix": "dup", "description": "one", "description": "two-two",
                "last_used_time": "2021-01-01T00:00:00.123Z", "create_time": ["2021-01-01T00:00:00.5Z"]}"#,
            r#"{"token_prefix": "  ", "description": "", "last_used_time": " ", "scopes": ["£", "€"]}"#,
            r#"{"token_prefix": "t1", "description": "longer description",
                "": {"description": "hi", "": {"scopes": "deep"}}, "last_ip": {"a.b": 1}}"#,
            EVERY_TOKEN_COLUMN,
        ],
    );
    every_command(&avn, &canned);
}

/// avn finds `token info`'s token by its exact prefix; avn-token also takes a shorter
/// prefix or the full token, but an exact match comes first: `tok1` is not ambiguous
/// beside `tok10`.
#[test]
fn an_exact_prefix_names_its_token_beside_longer_ones() {
    let canned = org_texts(
        &[EVERY_USER_COLUMN],
        &[
            &EVERY_TOKEN_COLUMN.replace(
                r#""PFX000000001", "description": "d""#,
                r#""tok1", "description": "one""#,
            ),
            &EVERY_TOKEN_COLUMN.replace(
                r#""PFX000000001", "description": "d""#,
                r#""tok10", "description": "ten""#,
            ),
        ],
    );
    let server = canned.serve();
    for (prefix, description) in [("tok1", "one"), ("tok10", "ten")] {
        run(
            cmd(),
            &server.url(),
            &case(&["token", "info", "u1", prefix]),
        )
        .success()
        .stdout_contains(&format!("{prefix:<12}  {description}"));
    }
    let Some(avn) = avn_binary() else { return };
    for args in [
        &["token", "info", "u1", "tok1"][..],
        &["token", "info", "u1", "tok10", "--verbose"],
        &["token", "info", "u1", "tok1", "--json"],
    ] {
        same(&avn, &canned, &case(args));
    }
}

/// `--ip-allowlist` entries are checked (an address or a network), then sent as typed, as
/// avn sends them: not rewritten into another spelling of the same network.
#[test]
fn allowlist_entries_are_sent_as_typed() {
    let entries = [
        "2001:DB8::/32",
        "2001:db8:0:0::1",
        "10.0.0.1",
        "::ffff:10.0.0.1",
    ];
    let mut args = vec!["token", "create", "u1", "--description", "d"];
    for entry in entries {
        args.extend(["--ip-allowlist", entry]);
    }
    let canned = CannedOrg::new(users(), tokens());
    let server = canned.serve();
    run(cmd(), &server.url(), &case(&args)).success();
    assert_eq!(server.requests()[0].json()["ip_allowlist"], json!(entries));
    let Some(avn) = avn_binary() else { return };
    same(&avn, &canned, &case(&args));
}

/// A 2xx answer whose `error` member is set fails every command, as for avn.
#[test]
fn an_answer_with_an_error_member_set_is_a_failure() {
    let reply = Canned::json(
        200,
        json!({"application_users": [], "tokens": [], "full_token": "x", "token_prefix": "x",
               "name": "n", "message": "", "error": "boom"}),
    );
    let canned = CannedOrg::every_call(reply);
    let server = canned.serve();
    run(cmd(), &server.url(), &case(&["list"]))
        .code(1)
        .one_line_error();
    let Some(avn) = avn_binary() else { return };
    every_command(&avn, &canned);
}

/// A token create answered without `full_token` fails avn's table (the column is missing)
/// and every format of avn-token: the new token cannot be used.
#[test]
fn a_token_create_answer_without_the_new_token_fails() {
    let mut canned = CannedOrg::new(users(), tokens());
    canned.created_token = Canned::json(200, json!({"token_prefix": "NEWapptoken0"}));
    let server = canned.serve();
    let args = ["token", "create", "u1", "--description", "ci"];
    run(
        cmd(),
        &server.url(),
        &case(&[&args[..], &["--json"]].concat()),
    )
    .code(1)
    .one_line_error();
    let Some(avn) = avn_binary() else { return };
    let (_, ours) = same(&avn, &canned, &case(&args));
    ours.code(1).one_line_error();
}

/// `--max-age-seconds` is read as avn reads it (Python's `int()`): surrounding blanks, a
/// sign, `_` between digits; what `int()` refuses is a usage error for both.
#[test]
fn max_age_seconds_is_read_as_python_reads_an_int() {
    let canned = CannedOrg::new(users(), tokens());
    let create = |typed| {
        [
            "token",
            "create",
            "u1",
            "--description",
            "d",
            "--max-age-seconds",
            typed,
        ]
    };
    for (typed, sent) in [
        (" 3600\n", 3600),
        ("+3_600", 3600),
        ("-0", 0),
        ("00700", 700),
    ] {
        let server = canned.serve();
        run(cmd(), &server.url(), &case(&create(typed))).success();
        assert_eq!(server.requests()[0].json()["max_age_seconds"], json!(sent));
    }
    let Some(avn) = avn_binary() else { return };
    for typed in [
        " 3600\n", "+3_600", "-0", "00700", "3__600", "_3600", "3600_", "36.0", "", "1e3",
    ] {
        same(&avn, &canned, &case(&create(typed)));
    }
}
