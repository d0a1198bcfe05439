//! Command lines read as `avn`'s parser (argparse) reads them: long options cut to any
//! prefix unique among that command's options in `avn`, global options before the command,
//! and values that start with `-` (`-1`, `-x y`). Issue 19, items 1 and 2.
//!
//! The cases are not typed here: `data/avn_options.py` loads aiven-client's own argparse
//! tree, lists every option of every command avn-token mirrors with each of its prefixes
//! (and the values), and runs each case in `avn` against the fake API below. Each case is
//! then run with avn-token, in `avn`'s spelling and in avn-token's own (`create` for `user
//! access-token create`), against the same fake API: the exit status (success, usage error
//! or other failure), the requests sent and stdout must be `avn`'s.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::support::server::{Canned, Request, ScriptedServer};
use crate::support::{Cmd, Run, avn_binary, cmd};

const TOKEN: &str = "argparse+test/token=value0123456789abcdefABCDEF==";

/// The token every listing and answer holds, with every column `avn` prints.
fn token() -> Value {
    json!({
        "expiry_time": null, "token_prefix": "XCJ3+bgWywIh", "description": "d",
        "max_age_seconds": 2592000, "extend_when_used": false, "last_used_time": null,
        "last_ip": null, "last_user_agent": null, "currently_active": false,
        "create_time": "2026-01-01T00:00:00Z", "created_manually": true,
        "last_user_agent_human_readable": null, "scopes": ["all"], "ip_allowlist": []
    })
}

/// The fake API both clients talk to: an answer for every call the commands make.
fn answer(request: &Request) -> Canned {
    let path = request.path.split('?').next().unwrap_or_default();
    let depth = path.split('/').count();
    let user = json!({"name": "n", "user_email": "n@example.com", "user_id": "u1234abcd", "is_super_admin": false});
    let reply = match (request.method.as_str(), path) {
        (_, marker) if marker.starts_with("/__case__/") => json!({}),
        ("GET", "/v1/access_token") => json!({"tokens": [token()]}),
        ("POST", "/v1/access_token") => {
            let mut created = token();
            created["full_token"] = json!("XCJ3+bgWywIhd1V2Fl2/+RaraBPg==");
            created
        }
        ("PUT", _) if path.starts_with("/v1/access_token/") => token(),
        ("DELETE", _) if path.starts_with("/v1/access_token/") => json!({"message": ""}),
        ("POST", "/v1/me/expire_tokens") => json!({"message": "All tokens expired"}),
        ("GET", "/v1/organizations") => {
            json!({"organizations": [{"organization_id": "org1", "organization_name": "o"}]})
        }
        (method, _) if path.starts_with("/v1/organization/") => match (method, depth) {
            ("GET", 5) => json!({"application_users": [user]}),
            ("POST", 5) | ("GET", 6) | ("PATCH", 6) => user,
            ("DELETE", 6) => return Canned::raw(204, "text/plain", b""),
            ("GET", 7) => json!({"tokens": [token()]}),
            ("POST", 7) => {
                json!({"full_token": "NEWapptoken0/rest+of+the/token==", "token_prefix": "NEWapptoken0"})
            }
            ("DELETE", 8) => json!({"message": "Token revoked"}),
            _ => return Canned::json(404, json!({"message": "no such call"})),
        },
        _ => return Canned::json(404, json!({"message": "no such call"})),
    };
    Canned::json(200, reply)
}

/// One request as both clients must send it: method, path, JSON body, and the token used.
type Call = (String, String, Value, String);

fn call(request: &Request) -> Call {
    (
        request.method.clone(),
        request.path.clone(),
        serde_json::from_slice(&request.body).unwrap_or(Value::Null),
        request
            .header("authorization")
            .unwrap_or_default()
            .to_owned(),
    )
}

/// A case and what `avn` did with it.
#[derive(Debug)]
struct AvnCase {
    label: String,
    argv: Vec<String>,
    native: Option<Vec<String>>,
    status: i32,
    stdout: String,
    compare_stdout: bool,
    requests: Vec<Call>,
}

/// The Python that runs `avn` (the one beside it, in its virtual environment), and the
/// case script.
fn python_and_script() -> Option<(PathBuf, PathBuf)> {
    let avn = avn_binary()?;
    let python = ["python", "python3"]
        .iter()
        .map(|name| avn.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
        .find(|path| path.exists())
        .unwrap_or_else(|| panic!("no python beside {}", avn.display()));
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/data/avn_options.py");
    Some((python, script))
}

/// Every case, run once in `avn` (shared by the tests of this module).
fn avn_cases() -> Option<&'static [AvnCase]> {
    static CASES: OnceLock<Vec<AvnCase>> = OnceLock::new();
    let (python, script) = python_and_script()?;
    Some(CASES.get_or_init(|| {
        let server = ScriptedServer::start(answer);
        let out = Cmd::python(python)
            .arg(script)
            .args(["run", &server.url()])
            .token(TOKEN)
            .url(server.url())
            .env("AIVEN_FORCE", "y")
            .run();
        assert!(out.succeeded(), "avn_options.py failed: {}", out.stderr);
        let listed: Vec<Value> = serde_json::from_str(&out.stdout).expect("JSON from the script");
        // Split the server's log at the markers the script sent before each case.
        let mut per_case: Vec<Vec<Call>> = vec![Vec::new(); listed.len()];
        let mut current = None;
        for request in server.requests() {
            match request.path.strip_prefix("/__case__/") {
                Some(number) => current = number.parse::<usize>().ok(),
                None => per_case[current.expect("a request before any case")].push(call(&request)),
            }
        }
        let words = |value: &Value| -> Vec<String> {
            value
                .as_array()
                .expect("a list of words")
                .iter()
                .map(|word| word.as_str().expect("a word").to_owned())
                .collect()
        };
        listed
            .iter()
            .zip(per_case)
            .map(|(case, requests)| AvnCase {
                label: case["label"].as_str().unwrap_or_default().to_owned(),
                argv: words(&case["argv"]),
                native: (!case["native"].is_null()).then(|| words(&case["native"])),
                status: case["status"].as_i64().expect("a status") as i32,
                stdout: case["stdout"].as_str().unwrap_or_default().to_owned(),
                compare_stdout: case["compare_stdout"].as_bool().unwrap_or(true),
                requests,
            })
            .collect()
    }))
}

/// Run `argv` with avn-token against a fresh fake API; what it did.
fn run_ours(argv: &[String]) -> (Run, Vec<Call>) {
    let server = ScriptedServer::start(answer);
    let ca = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/data/tls/ca.pem");
    let argv: Vec<String> = argv
        .iter()
        .map(|word| {
            word.replace("{URL}", &server.url())
                .replace("{CA}", &ca.display().to_string())
        })
        .collect();
    let run = cmd()
        .url(server.url())
        .token(TOKEN)
        .env("AIVEN_FORCE", "y")
        .args(&argv)
        .run();
    let requests = server.requests().iter().map(call).collect();
    (run, requests)
}

/// How a run ended, as far as the two clients must agree: success, a usage error (what
/// argparse refuses exits 2), or another failure.
fn outcome(status: Option<i32>) -> &'static str {
    match status {
        Some(0) => "success",
        Some(2) => "usage error",
        _ => "failure",
    }
}

/// Whether avn-token's `ours` ends as `avn`'s `status` does: success for success, exit 2
/// where argparse refused the command line, and for any other failure (avn exits 1 for
/// all) any failure: avn-token's exit codes tell them apart on purpose (README).
fn agrees(status: i32, ours: Option<i32>) -> bool {
    match status {
        0 | 2 => ours == Some(status),
        _ => ours.is_some_and(|code| code != 0),
    }
}

/// What is wrong with avn-token's run of `argv` for `case`, if anything.
fn differences(case: &AvnCase, argv: &[String]) -> Option<String> {
    let (ours, mut sent) = run_ours(argv);
    let mut wrong = Vec::new();
    if !agrees(case.status, ours.status) {
        wrong.push(format!(
            "avn: {} ({}), avn-token: {} ({:?}): {}",
            outcome(Some(case.status)),
            case.status,
            outcome(ours.status),
            ours.status,
            ours.stderr.trim()
        ));
    }
    // `revoke` lists the tokens first, to refuse the one in use (README).
    if !case.requests.iter().any(|call| call.0 == "GET") {
        sent.retain(|call| call.0 != "GET" || call.1 != "/v1/access_token");
    }
    if sent != case.requests {
        wrong.push(format!(
            "requests differ\n  avn:       {:?}\n  avn-token: {sent:?}",
            case.requests
        ));
    }
    if case.compare_stdout && case.status == 0 && ours.stdout != case.stdout {
        wrong.push(format!(
            "stdout differs\n--- avn ---\n{}--- avn-token ---\n{}",
            case.stdout, ours.stdout
        ));
    }
    (!wrong.is_empty()).then(|| format!("{} {argv:?}:\n  {}", case.label, wrong.join("\n  ")))
}

/// Run the cases `select` picks, in both spellings; fail listing every difference.
fn check(select: impl Fn(&AvnCase) -> bool) {
    let Some(cases) = avn_cases() else { return };
    let mut failures = Vec::new();
    let mut count = 0;
    for case in cases.iter().filter(|case| select(case)) {
        for argv in std::iter::once(&case.argv).chain(&case.native) {
            count += 1;
            failures.extend(differences(case, argv));
        }
    }
    assert!(count > 0, "no case selected");
    assert!(
        failures.is_empty(),
        "{} of {count} command lines differ from avn:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn is_global(case: &AvnCase) -> bool {
    case.label.starts_with("global ")
}

/// A case of values starting with `-` (labelled with the value quoted).
fn is_hyphen_value(case: &AvnCase) -> bool {
    case.label.contains(" '-") || case.label.contains(" \"-")
}

#[test]
fn every_prefix_of_every_option_of_avns_commands() {
    check(|case| !is_global(case) && !is_hyphen_value(case));
}

#[test]
fn every_prefix_of_avns_global_options_before_the_command() {
    check(is_global);
}

#[test]
fn values_that_start_with_a_hyphen() {
    check(is_hyphen_value);
}

/// The table avn-token resolves prefixes with is avn's parser, option for option.
#[test]
fn the_option_table_is_avns() {
    let Some((python, script)) = python_and_script() else {
        return;
    };
    let out = Cmd::python(python).arg(script).arg("options").run();
    assert!(out.succeeded(), "{}", out.stderr);
    let avn: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&out.stdout).expect("JSON");
    let ours: std::collections::BTreeMap<String, Vec<String>> = avn_token::cli::argv::AVN_OPTIONS
        .iter()
        .map(|(words, options)| {
            (
                (*words).to_owned(),
                options.iter().map(|o| (*o).to_owned()).collect(),
            )
        })
        .collect();
    assert_eq!(
        ours, avn,
        "src/cli/argv.rs's AVN_OPTIONS is not avn's parser"
    );
}

/// What argparse refuses is refused before anything is sent, in one line.
#[test]
fn an_ambiguous_prefix_is_refused_before_sending() {
    let (run, sent) = run_ours(&["--auth".into(), "x".into(), "list".into()]);
    run.code(2).one_line_error();
    assert!(
        run.stderr
            .contains("ambiguous option: --auth could match --auth-ca, --auth-token"),
        "{}",
        run.stderr
    );
    assert!(sent.is_empty(), "{sent:?}");
    // Ambiguous only among avn-token's own options (none of avn's `info` has it).
    let (run, sent) = run_ours(&["info".into(), "--re".into(), "5".into(), "XCJ3".into()]);
    run.code(2).one_line_error();
    assert!(sent.is_empty());
}
