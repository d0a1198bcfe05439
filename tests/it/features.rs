//! Beyond `avn` (issue 4), end to end against a scripted server where exact responses or
//! failures are needed: durations, scopes and allowlists, output formats, quota warnings,
//! info, rotate (including a failed revoke), safe revoke, expire-all, login/logout,
//! completions and the man page.

use serde_json::{Value, json};

use crate::support::fakes::*;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{cmd, credentials_file, token, write_credentials};
// The terminal tests run `script` (util-linux).
#[cfg(target_os = "linux")]
use crate::support::on_a_terminal;

#[test]
fn expires_in_scopes_and_allowlists_reach_the_api() {
    let server = token_api(vec![]);
    cmd()
        .api(&server)
        .args([
            "create",
            "--description",
            "ci",
            "--expires-in",
            "12h",
            "--scope",
            "user:read",
            "--scope",
            "projects",
            "--ip-allowlist",
            "10.0.0.0/8",
            "--ip-allowlist",
            "2001:db8::1",
            "-q",
        ])
        .run()
        .success();
    assert_eq!(
        posted(&server),
        [json!({
            "description": "ci", "max_age_seconds": 43200, "extend_when_used": false,
            "scopes": ["user:read", "projects"], "ip_allowlist": ["10.0.0.0/8", "2001:db8::1"]
        })]
    );
    for (flag, seconds) in [("90m", 5400), ("30d", 2_592_000), ("1w", 604_800)] {
        cmd()
            .api(&server)
            .args(["create", "--description", "d", "--expires-in", flag, "-q"])
            .run()
            .success();
        assert_eq!(
            posted(&server).last().unwrap()["max_age_seconds"],
            json!(seconds)
        );
    }
}

#[test]
fn csv_and_yaml_outputs() {
    let server = token_api(vec![token("AAAAbbbbCCCC", "deploy, \"prod\"")]);
    let csv = cmd().api(&server).args(["list", "-o", "csv"]).run();
    csv.success();
    assert_eq!(
        csv.stdout,
        "expiry_time,token_prefix,description,max_age_seconds,extend_when_used,last_used_time,last_ip,last_user_agent\r\n\
         2030-01-01T00:00:00.123456Z,AAAAbbbbCCCC,\"deploy, \"\"prod\"\"\",7200,true,,,\r\n"
    );
    let yaml = cmd().api(&server).args(["list", "--output", "yaml"]).run();
    yaml.success();
    assert!(
        yaml.stdout
            .starts_with("- create_time: \"2026-01-01T00:00:00Z\"\n  created_manually: true\n"),
        "{}",
        yaml.stdout
    );
    yaml.stdout_contains("\n  description: \"deploy, \\\"prod\\\"\"\n");
    yaml.stdout_contains("\n  scopes:\n    - \"user:read\"\n    - \"projects\"\n");
}

#[test]
fn relative_view_for_people() {
    let now = chrono::Utc::now();
    let mut soon = token("AAAAbbbbCCCC", "soon");
    soon["expiry_time"] =
        json!((now + chrono::Duration::days(3) + chrono::Duration::minutes(5)).to_rfc3339());
    soon["last_used_time"] = json!((now - chrono::Duration::hours(2)).to_rfc3339());
    let mut forever = token("DDDDeeeeFFFF", "forever");
    forever["expiry_time"] = Value::Null;
    forever["currently_active"] = json!(true);
    let server = token_api(vec![soon, forever]);
    let out = cmd().api(&server).args(["list", "--relative"]).run();
    out.success();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(
        lines[2].starts_with("in 3 days  ") && lines[2].contains("2 hours ago"),
        "{}",
        out.stdout
    );
    assert!(
        lines[3].starts_with("never  ") && lines[3].contains("  never"),
        "{}",
        out.stdout
    );
    assert!(
        lines[3].contains("DDDDeeeeFFFF (in use)  ") && !lines[2].contains("(in use)"),
        "{}",
        out.stdout
    );
}

#[test]
fn list_warns_near_the_personal_token_quota() {
    let tokens: Vec<Value> = (0..8)
        .map(|i| token(&format!("prefix{i:06}"), "t"))
        .collect();
    let out = cmd().api(&token_api(tokens.clone())).arg("list").run();
    out.success();
    out.stderr_contains("8 of 10 personal tokens");
    // Session tokens (created by login) do not count, and 7 personal tokens are fine.
    let mut fewer = tokens;
    fewer[0]["created_manually"] = json!(false);
    let out = cmd().api(&token_api(fewer)).arg("list").run();
    out.success();
    assert_eq!(out.stderr, "");
}

#[test]
fn info_finds_one_token_by_prefix_or_full_token() {
    let server = token_api(vec![
        token("AAAAbbbbCCCC", "first"),
        token("AAAAzzzzYYYY", "second"),
    ]);
    let out = cmd().api(&server).args(["info", "AAAAbbbbCCCC"]).run();
    out.success();
    assert_eq!(
        out.stdout,
        "\
TOKEN_PREFIX      AAAAbbbbCCCC
DESCRIPTION       first
CREATE_TIME       2026-01-01T00:00:00Z
EXPIRY_TIME       2030-01-01T00:00:00Z
MAX_AGE_SECONDS   7200
EXTEND_WHEN_USED  true
LAST_USED_TIME    null
LAST_IP           null
LAST_USER_AGENT   null
SCOPES            user:read, projects
IP_ALLOWLIST      10.0.0.0/8
CREATED_MANUALLY  true
CURRENTLY_ACTIVE  false
"
    );
    let full = cmd()
        .api(&server)
        .args(["info", "AAAAzzzzYYYYandTheRestOfTheToken==", "--json"])
        .run();
    full.success();
    let parsed: Value = serde_json::from_str(&full.stdout).unwrap();
    assert_eq!(parsed[0]["description"], "second");
    cmd()
        .api(&server)
        .args(["info", "AAAA"])
        .run()
        .code(2)
        .one_line_error();
    cmd()
        .api(&server)
        .args(["info", "ZZZZ"])
        .run()
        .code(4)
        .one_line_error();
}

#[test]
fn rotate_copies_the_settings_then_revokes_the_old_token() {
    let server = token_api(vec![token("OLDtoken/+==", "deploy")]);
    let out = cmd().api(&server).args(["rotate", "OLDtoken/+=="]).run();
    out.success();
    out.stdout_contains("NEWtoken0000/full+token==");
    assert!(out.stdout.starts_with("EXPIRY_TIME  "), "{}", out.stdout);
    assert_eq!(
        posted(&server),
        [json!({
            "description": "deploy", "max_age_seconds": 7200, "extend_when_used": true,
            "scopes": ["user:read", "projects"], "ip_allowlist": ["10.0.0.0/8"]
        })]
    );
    let methods: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        methods,
        [
            ("GET".to_owned(), "/v1/access_token".to_owned()),
            ("POST".to_owned(), "/v1/access_token".to_owned()),
            (
                "DELETE".to_owned(),
                "/v1/access_token/OLDtoken%2F%2B%3D%3D".to_owned()
            ),
        ]
    );
    let quiet = cmd()
        .api(&server)
        .args(["rotate", "OLDtoken/+==", "-q", "--description", "new name"])
        .run();
    quiet.success();
    assert_eq!(quiet.stdout, "NEWtoken0000/full+token==\n");
    assert_eq!(posted(&server).last().unwrap()["description"], "new name");
}

#[test]
fn rotate_with_a_failing_revoke_still_prints_the_new_token() {
    let server = token_api(vec![token("OLDtoken0000", "deploy")]);
    server.push(Canned::json(
        200,
        json!({"tokens": [token("OLDtoken0000", "deploy")]}),
    ));
    server.push(Canned::json(
        200,
        json!({"token_prefix": "NEWtoken0000", "full_token": "NEWtoken0000rest"}),
    ));
    server.push(Canned::json(
        400,
        json!({"message": "cannot revoke right now"}),
    ));
    let out = cmd()
        .api(&server)
        .args(["rotate", "OLDtoken0000", "-q"])
        .run();
    out.code(1);
    assert_eq!(
        out.stdout, "NEWtoken0000rest\n",
        "the new token must not be lost"
    );
    out.stderr_contains("STILL ACTIVE")
        .stderr_contains("OLDtoken0000");
}

#[test]
fn revoke_refuses_the_token_in_use_without_force() {
    let mut current = token("CURRENTtoken", "me");
    current["currently_active"] = json!(true);
    let server = token_api(vec![current]);
    let out = cmd().api(&server).args(["revoke", "CURRENTtoken"]).run();
    out.code(1).one_line_error();
    out.stderr_contains("--force");
    assert_eq!(deletes(&server), 0);
    cmd()
        .api(&server)
        .args(["revoke", "CURRENTtoken", "--force"])
        .run()
        .success();
    assert_eq!(deletes(&server), 1);
    // Rotating the token in use revokes it too: same rule.
    cmd()
        .api(&server)
        .args(["rotate", "CURRENTtoken"])
        .run()
        .code(1);
}

#[test]
fn expire_all_posts_and_prints_the_message() {
    let server = token_api(vec![]);
    let out = cmd().api(&server).arg("expire-all").run();
    out.success();
    assert_eq!(out.stdout, "All tokens expired\n");
    assert_eq!(server.requests()[0].path, "/v1/me/expire_tokens");
}

#[cfg(unix)]
#[test]
fn login_stores_a_checked_token_privately_and_logout_removes_it() {
    use std::os::unix::fs::PermissionsExt;
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let stored = || cmd().home(home.path()).url(server.url());
    let login = |input: &str| stored().arg("login").write_stdin(input).run();
    login("   \n").code(2).one_line_error();
    let out = login("stored-token-value/+=\n");
    out.success();
    let me = server.requests().pop().unwrap();
    assert_eq!((me.method.as_str(), me.path.as_str()), ("GET", "/v1/me"));
    assert_eq!(
        me.header("authorization"),
        Some("aivenv1 stored-token-value/+=")
    );

    let file = credentials_file(home.path());
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        saved,
        json!({"auth_token": "stored-token-value/+=", "user_email": "dev@example.com"})
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);

    // The stored token is used, and a readable-by-others file is warned about.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let listed = stored().arg("list").run();
    listed.success();
    listed.stderr_contains("chmod 600");
    assert_eq!(
        server.requests().pop().unwrap().header("authorization"),
        Some("aivenv1 stored-token-value/+=")
    );

    let out = stored().arg("logout").run();
    out.success();
    let revoke = server.requests().pop().unwrap();
    assert_eq!(
        (revoke.method.as_str(), revoke.path.as_str()),
        ("POST", "/v1/me/logout")
    );
    assert_eq!(
        revoke.header("authorization"),
        Some("aivenv1 stored-token-value/+=")
    );
    assert!(!file.exists());
}

#[test]
fn login_with_a_rejected_token_writes_nothing() {
    let server = ScriptedServer::always(Canned::json(403, json!({"message": "Invalid token"})));
    let home = tempfile::tempdir().unwrap();
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .arg("login")
        .write_stdin("bad-token\n")
        .run();
    out.code(3).one_line_error();
    assert!(!credentials_file(home.path()).exists());
}

#[test]
fn logout_without_revoke_only_removes_the_file() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), r#"{"auth_token": "t", "user_email": null}"#);
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .args(["logout", "--no-token-revoke"])
        .run();
    out.success();
    assert!(server.requests().is_empty());
    assert!(!file.exists());
}

/// On a terminal, revoke asks first; "n" keeps the token, "y" (or `--yes`) revokes it.
/// util-linux `script` gives the command a pseudo-terminal; without it the test is skipped.
#[cfg(target_os = "linux")]
#[test]
fn revoke_asks_on_a_terminal_and_respects_no() {
    let server = token_api(vec![token("TARGETtoken0", "deploy")]);
    let on_terminal = |answer: &str| {
        let script = on_a_terminal(&server, "revoke TARGETtoken0")?;
        Some(script.write_stdin(answer).run())
    };
    let Some(declined) = on_terminal("n\n") else {
        return;
    };
    declined.stdout_contains("Revoke token TARGETtoken0 (\"deploy\")? [y/N]");
    declined.stdout_contains("aborted");
    assert!(
        server.requests().iter().all(|r| r.method != "DELETE"),
        "declined: nothing revoked"
    );
    let Some(accepted) = on_terminal("y\n") else {
        return;
    };
    accepted.stdout_contains("Revoked");
    assert_eq!(deletes(&server), 1);
}

/// Ctrl-C at a confirmation prompt ends the command at once with 130 (the prompt reads the
/// terminal on a blocking thread; read on the async thread, Ctrl-C would wait for Enter and
/// the closed input would then read as "no": exit 1).
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_at_a_prompt_exits_130() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let server = token_api(vec![token("TARGETtoken0", "deploy")]);
    let Some(script) = on_a_terminal(&server, "revoke TARGETtoken0") else {
        return;
    };
    let mut running = script.spawn();
    let child = &mut running.child;
    let (seen, reader) = wait_for_output(child.stdout.take().unwrap(), "[y/N]");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"\x03").unwrap(); // Ctrl-C, typed on the terminal
    stdin.flush().unwrap();
    // The terminal stays open: a command still blocked in its read would never end, so
    // give it a generous while, then kill it and fail.
    let waited = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if waited.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("Ctrl-C at the prompt did not end the command");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    reader.join().unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "output: {}",
        String::from_utf8_lossy(&seen.lock().unwrap())
    );
    assert_eq!(deletes(&server), 0);
}

/// Read a child's stdout on a thread; wait until it shows `wanted` (or fail after a while).
#[cfg(target_os = "linux")]
fn wait_for_output(
    stdout: std::process::ChildStdout,
    wanted: &str,
) -> (
    std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    std::thread::JoinHandle<()>,
) {
    use std::io::Read;
    use std::time::{Duration, Instant};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let reader = {
        let seen = seen.clone();
        let mut stdout = stdout;
        std::thread::spawn(move || {
            let mut chunk = [0u8; 256];
            while let Ok(read @ 1..) = stdout.read(&mut chunk) {
                seen.lock().unwrap().extend_from_slice(&chunk[..read]);
            }
        })
    };
    let started = Instant::now();
    while !String::from_utf8_lossy(&seen.lock().unwrap()).contains(wanted) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{wanted:?} never appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (seen, reader)
}

/// On a terminal, login prompts without echo: what is typed is stored, never shown.
#[cfg(target_os = "linux")]
#[test]
fn login_prompts_without_echo_on_a_terminal() {
    use std::io::Write;
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let Some(script) = on_a_terminal(&server, "login") else {
        return;
    };
    let mut running = script.home(home.path()).spawn();
    let child = &mut running.child;
    let (seen, reader) = wait_for_output(child.stdout.take().unwrap(), "input hidden");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"typed/secret+token=\n").unwrap();
    stdin.flush().unwrap();
    let status = child.wait().unwrap();
    drop(stdin);
    reader.join().unwrap();
    let shown = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    assert_eq!(status.code(), Some(0), "{shown}");
    assert!(
        !shown.contains("typed/secret"),
        "the token was echoed: {shown}"
    );
    let stored: Value =
        serde_json::from_slice(&std::fs::read(credentials_file(home.path())).unwrap()).unwrap();
    assert_eq!(stored["auth_token"], "typed/secret+token=");
}

/// A broken credentials file stops the commands that need its token (exit 3, one line).
/// `login` replaces and `logout` removes one that is still a JSON object; one that is not
/// JSON at all may not be a credentials file (a path set by mistake), so it is left alone
/// and the message says to move it away (see hostile.rs for every kind of file).
#[test]
fn a_corrupt_credentials_file_can_be_replaced_or_removed() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let stored = || cmd().home(home.path()).url(server.url());

    let file = write_credentials(home.path(), "{not json");
    let out = stored().arg("list").run();
    out.code(3).one_line_error();
    out.stderr_contains("aiven-credentials.json");
    let out = stored().arg("login").write_stdin("fresh-token\n").run();
    out.code(1).one_line_error();
    out.stderr_contains("move it away");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{not json");

    std::fs::write(&file, r#"{"auth_token": 5}"#).unwrap();
    stored()
        .arg("login")
        .write_stdin("fresh-token\n")
        .run()
        .success();
    let replaced: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(replaced["auth_token"], "fresh-token");

    std::fs::write(&file, r#"{"auth_token": ["not", "a", "string"]}"#).unwrap();
    let out = stored().arg("logout").run();
    out.success();
    out.stderr_contains("no token was revoked");
    assert!(!file.exists());
    assert_eq!(deletes(&server), 0);
}
