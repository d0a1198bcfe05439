//! Byte-for-byte compatibility with the reference: `avn user access-token ...` from
//! aiven-client 4.18.0 and `avn-token ...` run against the same canned server responses
//! must print the same stdout (`--json` output with non-ASCII text: parsed-equal), agree on
//! success, and send the same requests.
//!
//! `avn` is found through `$AVN_BIN` or `.venv/bin/avn` (`.ci/run` installs it). Without it
//! these tests say so loudly and pass locally; with `CI` set they fail.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::server::{Canned, Request, ScriptedServer};
use crate::support::snapshot::{assert_exact_snapshot, transcript};
use crate::support::{Cmd, Run, avn_binary, cmd};

const TOKEN: &str = "compat+test/token=value0123456789abcdefABCDEF==";
const FULL_TOKEN: &str = "6JsKDclT3OMQd1V2Fl2/+RaraBPg==";

/// What both clients get back from the fake API: one canned response per endpoint.
#[derive(Clone)]
struct CannedApi {
    list: Canned,
    created: Canned,
    updated: Canned,
    revoked: Canned,
    expired: Canned,
}

impl CannedApi {
    fn tokens(tokens: Value) -> CannedApi {
        let first = tokens.get(0).cloned().unwrap_or_else(|| json!({}));
        let mut created = first.clone();
        created["full_token"] = json!(FULL_TOKEN);
        CannedApi {
            list: Canned::json(200, json!({ "tokens": tokens })),
            created: Canned::json(200, created),
            updated: Canned::json(200, first),
            revoked: Canned::json(200, json!({"message": ""})),
            expired: Canned::json(200, json!({"message": "All tokens expired"})),
        }
    }

    /// Tokens as JSON text, exactly as written (key order, duplicate keys, number
    /// spellings such as `1E400` that a `Value` would not keep). The first is also the
    /// answer to update, and to create with `full_token` added.
    fn token_texts(tokens: &[&str]) -> CannedApi {
        let json_text =
            |status, text: String| Canned::raw(status, "application/json", text.as_bytes());
        let first = tokens.first().copied().unwrap_or("{}");
        let created = format!(
            "{{\"full_token\": \"{FULL_TOKEN}\", {}",
            &first.trim_start()[1..]
        );
        CannedApi {
            list: json_text(200, format!("{{\"tokens\": [{}]}}", tokens.join(", "))),
            created: json_text(200, created),
            updated: json_text(200, first.to_owned()),
            ..CannedApi::tokens(json!([]))
        }
    }

    fn every_call(reply: Canned) -> CannedApi {
        CannedApi {
            list: reply.clone(),
            created: reply.clone(),
            updated: reply.clone(),
            revoked: reply.clone(),
            expired: reply,
        }
    }

    fn serve(&self) -> ScriptedServer {
        let canned = self.clone();
        ScriptedServer::start(move |request| match request.method.as_str() {
            "GET" => canned.list.clone(),
            "POST" if request.path.ends_with("/me/expire_tokens") => canned.expired.clone(),
            "POST" => canned.created.clone(),
            "PUT" => canned.updated.clone(),
            _ => canned.revoked.clone(),
        })
    }
}

/// `args` after avn's global options (`user access-token list`, `user tokens-expire`).
fn run_avn(avn: &Path, url: &str, args: &[&str]) -> Run {
    Cmd::python(avn)
        .url(url)
        .args(["--auth-token", TOKEN])
        .args(args)
        .run()
}

fn run_ours(url: &str, args: &[&str]) -> Run {
    cmd()
        .url(url)
        // Like avn: no retry delays, so error cases stay fast and comparable.
        .args(["--auth-token", TOKEN, "--retry-budget", "0.1"])
        .args(args)
        .run()
}

/// What a server received, comparable across clients: method, path (as sent, still
/// percent-encoded) and JSON body, with a retry of the same request counted once (avn-token
/// retries 429 and 502-504, avn does not). The `GET /v1/access_token` avn-token adds to
/// other commands is left out (`revoke` lists the tokens first, to refuse the one in use;
/// an ambiguous prefix is explained from the list): the README lists both.
fn received(server: &ScriptedServer, listing: bool) -> Vec<(String, String, Value)> {
    let mut calls: Vec<(String, String, Value)> = server
        .requests()
        .iter()
        .filter(|request: &&Request| listing || request.method != "GET")
        .map(|request| {
            let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            (request.method.clone(), request.path.clone(), body)
        })
        .collect();
    calls.dedup();
    calls
}

/// Run avn's `args` (`user access-token ...`) with both clients, each against its own copy
/// of `canned`, and compare stdout, success and the requests sent.
fn compare(avn: &Path, canned: &CannedApi, args: &[&str]) -> (Run, Run) {
    let (avn_server, our_server) = (canned.serve(), canned.serve());
    let reference = run_avn(avn, &avn_server.url(), args);
    let ours = run_ours(&our_server.url(), args);
    assert_eq!(
        ours.succeeded(),
        reference.succeeded(),
        "{args:?}: success differs\navn stderr: {}\navn-token stderr: {}",
        reference.stderr,
        ours.stderr
    );
    let listing = args.contains(&"list");
    // `revoke` lists the tokens first: when that fails, nothing more is sent.
    let stopped_at_listing = !ours.succeeded() && received(&our_server, listing).is_empty();
    if !stopped_at_listing {
        assert_eq!(
            received(&our_server, listing),
            received(&avn_server, listing),
            "{args:?}: the requests differ"
        );
    }
    // JSON with non-ASCII text: avn escapes it (`\u00e9`), avn-token writes UTF-8.
    if args.contains(&"--json") && reference.succeeded() && !ours.stdout.is_ascii() {
        let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
        assert_eq!(
            parse(&ours.stdout),
            parse(&reference.stdout),
            "{args:?}: JSON differs"
        );
        assert_ne!(
            parse(&ours.stdout),
            Value::Null,
            "{args:?}: no JSON printed"
        );
    } else {
        assert_eq!(
            ours.stdout, reference.stdout,
            "{args:?}: stdout differs\n--- avn ---\n{}\n--- avn-token ---\n{}",
            reference.stdout, ours.stdout
        );
    }
    if !reference.succeeded() {
        assert_eq!(
            ours.stdout, "",
            "{args:?}: failures print nothing on stdout"
        );
    }
    (reference, ours)
}

/// [`compare`] for `user access-token ARGS`; avn-token's own spelling (`avn-token ARGS`)
/// must do the same: a script can swap the program name.
fn same(avn: &Path, canned: &CannedApi, args: &[&str]) {
    let spelled_like_avn = [&["user", "access-token"], args].concat();
    let (_, ours) = compare(avn, canned, &spelled_like_avn);
    let server = canned.serve();
    let native = run_ours(&server.url(), args);
    assert_eq!(
        (native.succeeded(), &native.stdout),
        (ours.succeeded(), &ours.stdout),
        "{args:?}: `avn-token ...` differs from `avn-token user access-token ...`"
    );
}

/// The commands [`all_commands`] runs with both spellings, `user access-token ARGS` and
/// `ARGS`.
const COMMANDS: [&[&str]; 8] = [
    &["list"],
    &["list", "--json"],
    &["create", "--description", "ci"],
    &[
        "create",
        "--description",
        "ci",
        "--max-age-seconds",
        "3600",
        "--extend-when-used",
    ],
    &["create", "--description", "ci", "--json"],
    &["update", "XCJ3+bgWywIh", "--description", "new"],
    &["update", "ab/c+d==", "--description", "new", "--json"],
    &["revoke", "XCJ3+bgWywIh"],
];

fn all_commands(avn: &Path, canned: &CannedApi) {
    for args in COMMANDS {
        same(avn, canned, args);
    }
    compare(avn, canned, &["user", "tokens-expire"]);
}

/// The example of avn's reference page, and a second token with every value avn shows
/// as `null`.
fn reference_example() -> CannedApi {
    CannedApi::tokens(json!([
        {
            "create_time": "2021-08-16T15:29:14.000001Z", "created_manually": true,
            "currently_active": false, "description": "Test token",
            "expiry_time": "2021-09-15T15:29:14.654321Z", "extend_when_used": true,
            "last_ip": "192.168.1.1", "last_used_time": "2021-08-16T15:29:14Z",
            "last_user_agent": "aiven-client/2.12.0", "max_age_seconds": 2592000,
            "token_prefix": "XCJ3+bgWywIh", "scopes": ["user:read"], "brand_new_field": {"b": 1, "a": [true]}
        },
        {
            "create_time": "2021-08-16T16:26:10Z", "created_manually": false,
            "currently_active": true, "description": "To be used with Python Notebooks",
            "expiry_time": null, "extend_when_used": false, "last_ip": null,
            "last_used_time": null, "last_user_agent": null, "max_age_seconds": null,
            "token_prefix": "6JsK/lT3+M=="
        }
    ]))
}

#[test]
fn the_reference_example_and_its_neighbours() {
    let Some(avn) = avn_binary() else { return };
    all_commands(&avn, &reference_example());
}

/// What avn-token prints for the reference example, as reviewed: the same bytes the live
/// comparison above checks against avn, kept as a snapshot so that a change shows in
/// review, and is caught where the reference `avn` is not installed.
#[test]
fn the_reference_example_as_reviewed() {
    let canned = reference_example();
    let runs: Vec<(String, Run)> = COMMANDS
        .iter()
        .copied()
        .chain([&["user", "tokens-expire"][..]])
        .map(|args| {
            let server = canned.serve();
            (args.join(" "), run_ours(&server.url(), args))
        })
        .collect();
    assert_exact_snapshot!("reference_example", transcript(&runs));
}

#[test]
fn strings_that_json_escapes_and_odd_times() {
    let Some(avn) = avn_binary() else { return };
    all_commands(
        &avn,
        &CannedApi::tokens(json!([
            {
                "description": "say \"hi\" \\ back\\slash\ttab", "token_prefix": "ab/+=cdEFgh1",
                "expiry_time": "2021-08-16T16:26:10.5Z", "last_used_time": "2021-08-16T16:26:10.5",
                "last_ip": "2001:db8::1", "last_user_agent": "curl/8.0 \"quoted\"",
                "max_age_seconds": 3600.0, "extend_when_used": "yes"
            },
            {
                "description": "line\nbreak and \u{1b}[31mescape", "token_prefix": "==//++==//++",
                "expiry_time": "not-a-time.Z", "last_used_time": "2021-08-16T16:26:10.123+00:00",
                "last_ip": ["10.0.0.1", "10.0.0.2"], "last_user_agent": {"z": null, "a": "b c"},
                "max_age_seconds": -1, "extend_when_used": null
            },
            {
                "description": "   padded   ", "token_prefix": "x",
                "expiry_time": "", "max_age_seconds": 1.5e16
            },
            {
                "description": "del\u{7f}ete", "token_prefix": "del/+=token1",
                "last_user_agent": "\u{7f}"
            }
        ])),
    );
}

#[test]
fn sparse_objects_and_a_missing_first_column() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedApi::tokens(json!([
        {"token_prefix": "onlyprefix00"},
        {
            "expiry_time": "2030-01-01T00:00:00Z", "token_prefix": "full00000000", "description": "d",
            "max_age_seconds": 1, "extend_when_used": false, "last_used_time": null,
            "last_ip": null, "last_user_agent": null
        },
        {"description": "no prefix, no expiry", "unknown": 1}
    ]));
    for args in [&["list"][..], &["list", "--json"]] {
        same(&avn, &canned, args);
    }
}

#[test]
fn empty_list_and_empty_bodies() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedApi::tokens(json!([]));
    same(&avn, &canned, &["list"]);
    same(&avn, &canned, &["list", "--json"]);
    // An empty body labelled `application/json` crashes avn 4.18.0 (it logs
    // `response.json()`); avn-token accepts it (`revoke`). Unlabelled, both accept it.
    let mut empty_delete = CannedApi::tokens(json!([]));
    empty_delete.revoked = Canned::raw(200, "text/plain", b"");
    same(&avn, &empty_delete, &["revoke", "XCJ3+bgWywIh"]);
    empty_delete.revoked = Canned::raw(204, "text/plain", b"");
    same(&avn, &empty_delete, &["revoke", "XCJ3+bgWywIh"]);
}

#[test]
fn failures_agree_and_print_nothing_on_stdout() {
    let Some(avn) = avn_binary() else { return };
    for reply in [
        Canned::json(
            404,
            json!({"message": "Token not found", "errors": [{"message": "Token not found", "status": 404}]}),
        ),
        Canned::json(
            403,
            json!({"message": "Invalid token", "errors": [{"message": "Invalid token", "status": 403}]}),
        ),
        Canned::json(
            400,
            json!({"message": "Invalid input", "errors": [{"message": "description: too long", "status": 400}]}),
        ),
        Canned::raw(
            500,
            "text/html",
            b"<html><body>Internal error</body></html>",
        ),
    ] {
        all_commands(&avn, &CannedApi::every_call(reply));
    }
}

/// A token with every column of `list`, `update` and `create`, so that avn (which fails
/// on a column missing from every row) prints a table.
const EVERY_COLUMN: &str = r#"{"expiry_time": null, "token_prefix": "XCJ3+bgWywIh", "description": "d",
    "max_age_seconds": 2592000, "extend_when_used": false, "last_used_time": null,
    "last_ip": null, "last_user_agent": null}"#;

/// The JSON text as a server may write it: every spelling of a number (beyond a float's
/// range, negative zero, exponents, integers beyond 64 bits), lists and objects in every
/// column, duplicate keys (the last counts), empty and blank strings, names with dots, and
/// `£` / `€`, which avn prints as they are (as avn-token prints all non-ASCII text).
#[test]
fn json_text_as_written_numbers_nesting_duplicates_and_blanks() {
    let Some(avn) = avn_binary() else { return };
    all_commands(
        &avn,
        &CannedApi::token_texts(&[
            r#"{"expiry_time": 1E-400, "token_prefix": "num", "description": -0,
                "max_age_seconds": 1.5e300, "extend_when_used": 3600.0, "last_used_time": 1e-7,
                "last_ip": 123456789012345678901234567890, "last_user_agent": -0.0}"#,
            r#"{"expiry_time": {"b": 1, "a": {"z": [1, {"y": "q\"x"}]}},
                "token_prefix": ["a", ["b", "c"], {"k": null}, [], {}], "description": [],
                "max_age_seconds": {}, "extend_when_used": [true, false, null, 1.0e2, 5e-324],
                "last_used_time": ["2021-08-16T16:26:10.5Z"],
                "last_ip": {"t_time": "2021-08-16T16:26:10.5Z"}, "last_user_agent": [[[]]]}"#,
            r#"{"description": "first", "token_prefix": "   ", "description": "second, longer",
                "expiry_time": "x", "expiry_time": null, "last_ip": "", "max_age_seconds": "\t",
                "last_user_agent": "  trailing  "}"#,
            r#"{"description": "£5 and €3", "token_prefix": "£€", "description.x": "dot",
                "last_ip": {"description": "n"}, "a.b": {"c": 1}, "": 5}"#,
            r#"{"description": " ", "token_prefix": ""}"#,
            EVERY_COLUMN,
        ]),
    );
}

/// Numbers beyond a float's range: avn reads them as infinities and prints `Infinity` (in
/// `--json` too, which makes its output invalid JSON: avn-token writes the number as the
/// server did, so only tables are compared).
#[test]
fn numbers_beyond_a_floats_range_in_tables() {
    let Some(avn) = avn_binary() else { return };
    let canned = CannedApi::token_texts(&[
        r#"{"expiry_time": -1E400, "token_prefix": "inf", "description": 1e999,
            "max_age_seconds": 1E400, "extend_when_used": [2e308, -0e5], "last_used_time": null,
            "last_ip": {"a": 1E400}, "last_user_agent": null}"#,
    ]);
    for args in [
        &["list"][..],
        &["create", "--description", "d"],
        &["update", "inf", "--description", "d"],
    ] {
        same(&avn, &canned, args);
    }
}

/// avn's `_flattened_dict` spreads an object's members into dotted names, which no column
/// has, except under the empty name: `{"": {"description": "x"}}` fills DESCRIPTION, after
/// or before the token's own description as the names come in the text.
#[test]
fn an_object_under_the_empty_name_fills_the_columns_of_its_members() {
    let Some(avn) = avn_binary() else { return };
    all_commands(
        &avn,
        &CannedApi::token_texts(&[
            r#"{"expiry_time": null, "token_prefix": "p1", "description": "long long long one",
                "max_age_seconds": 1, "extend_when_used": false, "last_used_time": null,
                "last_ip": null, "last_user_agent": null,
                "": {"description": "hijack", "last_ip": "1.2.3.4", "max_age_seconds": {"a": 1}}}"#,
            r#"{"": {"": {"token_prefix": "deep"}}, "token_prefix": "p2",
                "": {"last_user_agent": "late", "": {"expiry_time": "2030-01-01T00:00:00.5Z"}}}"#,
            EVERY_COLUMN,
        ]),
    );
}

/// A 2xx answer whose `error` member is set (a non-empty string, true, a number other than
/// 0, a non-empty list or object) is a failure for avn (`client.py` `_process_response`);
/// one that is not set is no error. Every command, as both spell it.
#[test]
fn an_answer_with_an_error_member_set_is_a_failure() {
    let with_error = |error: &Value| {
        let token: Value = serde_json::from_str(EVERY_COLUMN).unwrap();
        let mut created = token.clone();
        created["full_token"] = json!(FULL_TOKEN);
        let mut canned = CannedApi::tokens(json!([token]));
        for (reply, mut body) in [
            (&mut canned.list, json!({"tokens": [token]})),
            (&mut canned.created, created),
            (&mut canned.updated, token.clone()),
            (&mut canned.revoked, json!({"message": ""})),
            (
                &mut canned.expired,
                json!({"message": "All tokens expired"}),
            ),
        ] {
            body["error"] = error.clone();
            *reply = Canned::json(200, body);
        }
        canned
    };
    let set = [
        json!("boom"),
        json!(true),
        json!(-1),
        json!(0.5),
        json!([0]),
        json!({"a": 1}),
    ];
    let unset = [
        json!(""),
        json!(false),
        json!(null),
        json!(0),
        json!(-0.0),
        json!([]),
        json!({}),
    ];
    for error in &set {
        let server = with_error(error).serve();
        for args in [
            &["list"][..],
            &["create", "--description", "d", "--json"],
            &["revoke", "XCJ3+bgWywIh"],
        ] {
            run_ours(&server.url(), args).code(1).one_line_error();
        }
    }
    let Some(avn) = avn_binary() else { return };
    for error in set.iter().chain(&unset) {
        all_commands(&avn, &with_error(error));
    }
}

/// What avn's parser accepts, avn-token accepts: avn's global options `--config`,
/// `--idle-timeout` and `--max-age` (its settings file and the lifetime of pooled
/// connections: nothing the commands here use), `-v`/`--verbose` of `user tokens-expire`,
/// and an option given twice (argparse keeps the last value).
#[test]
fn avns_global_options_verbose_and_options_given_twice() {
    let canned = CannedApi::token_texts(&[EVERY_COLUMN]);
    let cases: &[&[&str]] = &[
        &[
            "--config",
            "/nonexistent/aiven-client.json",
            "user",
            "access-token",
            "list",
        ],
        &[
            "--idle-timeout",
            "-1",
            "--max-age",
            "10.5",
            "user",
            "access-token",
            "list",
            "--json",
        ],
        &["user", "tokens-expire", "--verbose"],
        &["user", "tokens-expire", "-v"],
        &[
            "user",
            "access-token",
            "create",
            "--description",
            "a",
            "--description",
            "b",
            "--max-age-seconds",
            "700",
            "--max-age-seconds",
            "3600",
            "--extend-when-used",
            "--extend-when-used",
        ],
        &["user", "access-token", "list", "--json", "--json"],
        &[
            "--auth-token",
            "another+token/value=",
            "user",
            "access-token",
            "list",
        ],
    ];
    for args in cases {
        let server = canned.serve();
        run_ours(&server.url(), args).success();
    }
    let Some(avn) = avn_binary() else { return };
    for args in cases {
        compare(&avn, &canned, args);
    }
}

/// argparse takes any unambiguous prefix of a long option, and only the subcommand's own
/// options after it: `create --max-age 3600` is `--max-age-seconds 3600` to avn (its global
/// `--max-age` exists only before the subcommand), so it must not be an ignored global here,
/// silently making a 30-day token.
#[test]
fn long_options_cut_short_as_argparse_reads_them() {
    let canned = CannedApi::token_texts(&[EVERY_COLUMN]);
    let create = ["user", "access-token", "create", "--desc", "d"];
    let cases: &[&[&str]] = &[
        &[&create[..], &["--max-age", "3600", "--extend"]].concat(),
        &[&create[..], &["--max", "700"]].concat(),
        &[
            "--auth-tok",
            "another+token",
            "user",
            "access-token",
            "list",
            "--js",
        ],
    ];
    for args in cases {
        let server = canned.serve();
        run_ours(&server.url(), args).success();
        if args.contains(&"create") {
            let sent = &received(&server, false)[0].2;
            assert!(sent["max_age_seconds"].is_u64(), "{args:?}: sent {sent}");
        }
    }
    let Some(avn) = avn_binary() else { return };
    for args in cases {
        compare(&avn, &canned, args);
    }
}

/// A create answer without `full_token` fails avn's table (the column is missing) and
/// avn-token's every format (see `create`: the token cannot be used).
#[test]
fn a_create_answer_without_the_new_token_fails() {
    let Some(avn) = avn_binary() else { return };
    let mut canned = CannedApi::token_texts(&[EVERY_COLUMN]);
    canned.created = Canned::raw(200, "application/json", EVERY_COLUMN.as_bytes());
    let (_, ours) = compare(
        &avn,
        &canned,
        &["user", "access-token", "create", "--description", "d"],
    );
    ours.code(1).one_line_error();
}

/// `--max-age-seconds` is read as avn reads it (Python's `int()`: blanks, a sign, `_`
/// between digits); what `int()` refuses is a usage error for both.
#[test]
fn max_age_seconds_is_read_as_python_reads_an_int() {
    let canned = CannedApi::token_texts(&[EVERY_COLUMN]);
    let server = canned.serve();
    run_ours(
        &server.url(),
        &[
            "create",
            "--description",
            "d",
            "--max-age-seconds",
            " 3_600 ",
        ],
    )
    .success();
    assert_eq!(server.requests()[0].json()["max_age_seconds"], json!(3600));
    let Some(avn) = avn_binary() else { return };
    for typed in [" 3600\t", "+3_600", "0_0_700", "3__600", "36.0", "x"] {
        same(
            &avn,
            &canned,
            &["create", "--description", "d", "--max-age-seconds", typed],
        );
    }
}

/// A lone surrogate (`"\ud800"`: valid JSON, not valid Unicode) is shown as U+FFFD, as
/// non-ASCII text is shown as itself (avn prints the escape, `"\ud800x"`); never as the
/// text of its escape, a backslash that is not in the data.
#[test]
fn a_lone_surrogate_is_shown_as_a_replacement_character() {
    let canned = CannedApi::token_texts(&[&EVERY_COLUMN.replace(r#""d""#, r#""\ud800x""#)]);
    let server = canned.serve();
    let table = run_ours(&server.url(), &["list"]);
    table.success().stdout_contains("  \u{fffd}x  ");
    let json = run_ours(&server.url(), &["list", "--json"]);
    let parsed: Value = serde_json::from_str(&json.success().stdout).unwrap();
    assert_eq!(parsed[0]["description"], "\u{fffd}x");
}
