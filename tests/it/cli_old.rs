//! End to end: the real binary against a scripted server on 127.0.0.1:0, with a sealed-off
//! HOME. What the user sees (stdout, stderr, exit code) and what the server received.

use serde_json::{Value, json};

use crate::support::fakes::*;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{TOKEN, cmd, write_credentials};

#[test]
fn list_prints_the_avn_table_and_sends_the_right_request() {
    let server = fake_aiven(sample_tokens());
    let out = cmd().api(&server).arg("list").run();
    out.success();
    assert_eq!(
        out.stdout,
        "\
EXPIRY_TIME           TOKEN_PREFIX  DESCRIPTION                       MAX_AGE_SECONDS  EXTEND_WHEN_USED  LAST_USED_TIME        LAST_IP      LAST_USER_AGENT    
====================  ============  ================================  ===============  ================  ====================  ===========  ===================
2021-09-15T15:29:14Z  XCJ3+bgWywIh  Test token                        2592000          true              2021-08-16T15:29:14Z  192.168.1.1  aiven-client/2.12.0
2021-08-16T16:26:10Z  6JsKDclT3OMQ  To be used with Python Notebooks  3600             true              null                  null         null
"
    );
    assert_eq!(out.stderr, "");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/v1/access_token");
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("aivenv1 {TOKEN}").as_str())
    );
    assert_eq!(
        requests[0].header("user-agent"),
        Some(concat!("avn-token/", env!("CARGO_PKG_VERSION")))
    );
}

#[test]
fn list_json_keeps_every_field_sorted_with_four_space_indent() {
    let server = fake_aiven(sample_tokens());
    let out = cmd().api(&server).args(["list", "--json"]).run();
    out.success();
    let parsed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed, sample_tokens());
    assert!(
        out.stdout
            .starts_with("[\n    {\n        \"a_new_field\": {\n            \"k\": [\n"),
        "{}",
        out.stdout
    );
    // `--json` is a global option: it works before the subcommand too.
    let before = cmd().api(&server).args(["--json", "list"]).run();
    assert_eq!(before.stdout, out.stdout);
}

#[test]
fn empty_list_prints_nothing() {
    let server = fake_aiven(json!([]));
    let out = cmd().api(&server).arg("list").run();
    out.success();
    assert_eq!(out.stdout, "");
    let json = cmd().api(&server).args(["list", "--json"]).run();
    assert_eq!(json.stdout, "[]\n");
}

#[test]
fn create_sends_avns_body_and_prints_the_create_table() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args([
            "create",
            "--description",
            "To be used with python notebooks",
            "--max-age-seconds",
            "3600",
            "--extend-when-used",
        ])
        .run();
    out.success();
    assert_eq!(
        out.stdout,
        "\
EXPIRY_TIME           DESCRIPTION                       MAX_AGE_SECONDS  EXTEND_WHEN_USED  FULL_TOKEN                    
====================  ================================  ===============  ================  ==============================
2021-09-15T15:29:14Z  To be used with python notebooks  3600             true              XCJ3+bgWywIhFULL/TOKEN+VALUE==
"
    );
    let request = &server.requests()[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/access_token")
    );
    assert_eq!(
        request.json(),
        json!({"description": "To be used with python notebooks", "extend_when_used": true, "max_age_seconds": 3600})
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
}

#[test]
fn create_without_max_age_sends_null_and_quiet_prints_only_the_token() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args(["create", "--description", "ci", "-q"])
        .run();
    out.success();
    assert_eq!(out.stdout, "XCJ3+bgWywIhFULL/TOKEN+VALUE==\n");
    assert_eq!(
        server.requests()[0].json(),
        json!({"description": "ci", "extend_when_used": false, "max_age_seconds": null})
    );
}

#[test]
fn create_json_is_a_one_element_list() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args(["create", "--description", "x", "--json"])
        .run();
    out.success();
    let parsed: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed.as_array().unwrap().len(), 1);
    assert_eq!(parsed[0]["full_token"], "XCJ3+bgWywIhFULL/TOKEN+VALUE==");
}

#[test]
fn update_and_revoke_percent_encode_the_prefix_as_one_segment() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args(["update", "ab/c+d=", "--description", "new words"])
        .run();
    out.success();
    assert!(out.stdout.starts_with("EXPIRY_TIME  "), "{}", out.stdout);
    out.stdout_contains("  new words  ");
    let put = &server.requests()[0];
    assert_eq!(
        (put.method.as_str(), put.path.as_str()),
        ("PUT", "/v1/access_token/ab%2Fc%2Bd%3D")
    );
    assert_eq!(put.json(), json!({"description": "new words"}));

    let out = cmd()
        .api(&server)
        .args(["revoke", "ab/c+d=", "--yes"])
        .run();
    out.success();
    assert_eq!(out.stdout, "Revoked\n");
    let delete = server
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(delete.path, "/v1/access_token/ab%2Fc%2Bd%3D");
}

#[test]
fn no_credentials_names_the_fixes_and_sends_nothing() {
    let server = fake_aiven(sample_tokens());
    let out = cmd().url(server.url()).arg("list").run();
    out.code(3).one_line_error();
    for fix in ["--auth-token", "AIVEN_AUTH_TOKEN", "login"] {
        out.stderr_contains(fix);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn token_comes_from_flag_then_env_then_credentials_file() {
    let server = fake_aiven(json!([]));
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(
        home.path(),
        r#"{"auth_token": "from-file", "user_email": "me@example.com"}"#,
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let base = || cmd().home(home.path()).url(server.url());
    base().arg("list").run().success();
    base().token("from-env").arg("list").run().success();
    base()
        .token("from-env")
        .args(["list", "--auth-token", "from-flag"])
        .run()
        .success();
    let seen: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        seen,
        ["aivenv1 from-file", "aivenv1 from-env", "aivenv1 from-flag"]
    );
}

#[cfg(unix)]
#[test]
fn closed_stdout_ends_quietly_with_status_0() {
    use std::io::Read;
    // Enough tokens that the output cannot fit in the pipe buffer.
    let many: Vec<Value> = (0..3000)
        .map(|i| json!({"token_prefix": format!("prefix{i:06}"), "description": "x".repeat(40)}))
        .collect();
    let server = fake_aiven(Value::Array(many));
    let mut running = cmd().api(&server).arg("list").spawn();
    let mut stdout = running.child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // like `| head -c 16`
    let out = running.finish();
    out.success();
    assert_eq!(out.stderr, "");
}

#[test]
fn revoke_accepts_an_empty_json_body_where_avn_crashes() {
    let server = fake_aiven(json!([]));
    server.push(Canned::json(200, json!({"tokens": []})));
    server.push(Canned::raw(200, "application/json", b""));
    let out = cmd().api(&server).args(["revoke", "XCJ3+bgWywIh"]).run();
    out.success();
    assert_eq!(out.stdout, "Revoked\n");
}

#[test]
fn avns_user_tokens_expire_spelling_is_expire_all() {
    let server =
        ScriptedServer::always(Canned::json(200, json!({"message": "All tokens expired"})));
    let out = cmd().api(&server).args(["user", "tokens-expire"]).run();
    out.success();
    assert_eq!(out.stdout, "All tokens expired\n");
    assert_eq!(server.requests()[0].path, "/v1/me/expire_tokens");
}
