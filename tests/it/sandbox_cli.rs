//! `avn-token sandbox` as a command: the printed exports, `--exec`, signals, and the
//! `--state` file across restarts (including files it must refuse).
//!
//! Unix only: the commands run under `--exec` are `sh` scripts, and signals are POSIX.

use std::path::Path;

use crate::support::sandbox::{Api, SandboxProcess, seeded_state, state_tokens};
use crate::support::{Cmd, bin, cmd};

const FIXED: &str = "fixed/token+with=all0123456789";

/// A directory for state files.
fn dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn prints_eval_able_exports_and_serves() {
    let sandbox = SandboxProcess::start(&["--token", FIXED]);
    let url_line = format!("export AIVEN_WEB_URL={}\n", sandbox.url);
    assert!(
        sandbox.exports.starts_with(&url_line),
        "{:?}",
        sandbox.exports
    );
    assert!(sandbox.url.starts_with("http://127.0.0.1:"));
    assert_eq!(sandbox.token, FIXED);

    // A shell reads back exactly the URL and the token.
    let script = format!(
        "{}printf '%s %s' \"$AIVEN_WEB_URL\" \"$AIVEN_AUTH_TOKEN\"",
        sandbox.exports
    );
    let shell = Cmd::new("sh").args(["-c", &script]).run();
    assert_eq!(shell.stdout, format!("{} {FIXED}", sandbox.url));
    sandbox.api().get("/v1/me").ok();
}

#[test]
fn a_token_with_shell_characters_is_quoted() {
    let token = "it's-$HOME-`x`";
    let sandbox = SandboxProcess::start(&["--token", token]);
    assert!(sandbox.exports.contains(r"'it'\''s-$HOME-`x`'"));
    let script = format!("{}printf '%s' \"$AIVEN_AUTH_TOKEN\"", sandbox.exports);
    let shell = Cmd::new("sh").args(["-c", &script]).run();
    assert_eq!(shell.stdout, token);
    Api::new(&sandbox.url, token).get("/v1/me").ok();
}

#[test]
fn a_bad_fixed_token_is_a_usage_error() {
    let out = cmd().args(["sandbox", "--token", "has space"]).run();
    out.failure();
    assert_eq!(out.stdout, "");
    out.stderr_contains("--token");
}

#[test]
fn sigterm_stops_it_cleanly_and_saves_last_use() {
    let dir = dir();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let sandbox = SandboxProcess::start(&["--state", state_arg]);
    let mut api = sandbox.api();
    api.get("/v1/me").ok();
    assert_eq!(sandbox.terminate(), Some(0));
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("json");
    assert!(
        saved["tokens"][0]["last_used_time"].is_string(),
        "the final flush wrote the last use: {saved}"
    );
}

#[test]
fn state_survives_a_restart_with_the_same_session_token() {
    let dir = dir();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let first = SandboxProcess::start(&["--state", state_arg]);
    let mut api = first.api();
    let kept = api.create(r#"{"description":"kept","scopes":["user:read"]}"#);
    let gone = api.create(r#"{"description":"gone"}"#);
    api.revoke(gone["token_prefix"].as_str().expect("prefix"))
        .ok();
    let before = api.list();
    let session = first.token.clone();
    assert_eq!(first.terminate(), Some(0));

    let second = SandboxProcess::start(&["--state", state_arg]);
    assert_eq!(second.token, session, "the session token is reused");
    let mut api = second.api();
    let after = api.list();
    let prefixes = |tokens: &[serde_json::Value]| -> Vec<serde_json::Value> {
        tokens.iter().map(|t| t["token_prefix"].clone()).collect()
    };
    assert_eq!(prefixes(&after), prefixes(&before));
    let restored = after
        .iter()
        .find(|t| t["token_prefix"] == kept["token_prefix"])
        .expect("kept token");
    assert_eq!(restored["scopes"], serde_json::json!(["user:read"]));
    assert_eq!(restored["create_time"], kept["create_time"]);
    // The token itself still works.
    Api::new(&second.url, kept["full_token"].as_str().expect("token"))
        .get("/v1/me")
        .ok();
}

#[test]
fn a_corrupt_or_foreign_state_file_stops_startup_and_is_left_untouched() {
    let dir = dir();
    let state = dir.path().join("state.json");
    let valid_but_not_ours = r#"{"auth_token": "x", "user_email": "a@b"}"#;
    let truncated = &seeded_state(&[("abc", false)])[..40];
    // (An empty file is a first start: sandbox_hardening::an_empty_state_file_is_a_first_start.)
    for contents in ["{not json", valid_but_not_ours, truncated] {
        std::fs::write(&state, contents).expect("write");
        let out = cmd().args(["sandbox", "--state"]).arg(&state).run();
        assert!(!out.succeeded(), "{contents:?}");
        assert_eq!(out.stdout, "");
        let stderr = &out.stderr;
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains("state.json"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&state).expect("read"), contents);
    }
    // A directory cannot be read as a state file either.
    let out = cmd().args(["sandbox", "--state"]).arg(dir.path()).run();
    out.failure();
    out.stderr_contains("cannot read");
}

#[test]
fn exec_runs_the_command_with_the_variables_and_its_exit_status() {
    let script = "printf '%s\\n%s\\n' \"$AIVEN_WEB_URL\" \"$AIVEN_AUTH_TOKEN\"; \
                  command -v avn-token; exit 7";
    let out = cmd()
        .args([
            "sandbox", "--token", FIXED, "--exec", "--", "sh", "-c", script,
        ])
        .run();
    out.code(7);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "only the command's output: {}", out.stdout);
    assert!(lines[0].starts_with("http://127.0.0.1:"));
    assert_eq!(lines[1], FIXED);
    // Found in --exec's private directory (tests/it/sandbox_exec.rs checks what it holds).
    assert_eq!(Path::new(lines[2]).file_name(), bin().file_name());
}

#[test]
fn exec_command_can_use_the_sandbox_and_the_sandbox_stops_after() {
    let script =
        "avn-token create --description from-exec --json >/dev/null && avn-token list --json";
    let out = cmd()
        .args(["sandbox", "--exec", "--", "sh", "-c", script])
        .run();
    out.success();
    let tokens: serde_json::Value = serde_json::from_str(&out.stdout).expect("list --json");
    let descriptions: Vec<&str> = tokens
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|t| t["description"].as_str())
        .collect();
    assert!(descriptions.contains(&"from-exec"), "{descriptions:?}");
}

#[test]
fn exec_reports_a_signal_death_and_a_missing_command() {
    cmd()
        .args(["sandbox", "--exec", "--", "sh", "-c", "kill -TERM $$"])
        .run()
        .code(128 + 15);

    let missing = cmd()
        .args(["sandbox", "--exec", "--", "no-such-command-anywhere"])
        .run();
    missing.code(127);
    assert_eq!(missing.stdout, "");
    missing.stderr_contains("no-such-command-anywhere");
}

#[test]
fn exec_with_state_persists_what_the_command_did() {
    let dir = dir();
    let state = dir.path().join("ci-state.json");
    cmd()
        .args(["sandbox", "--state"])
        .arg(&state)
        .args([
            "--exec",
            "--",
            "avn-token",
            "create",
            "--description",
            "persisted",
        ])
        .run()
        .success();
    assert_eq!(
        state_tokens(&state).len(),
        2,
        "the session and the new token"
    );
}
