//! `avn-token sandbox` as a command: the printed exports, `--token`, and `--exec` (the
//! command's variables, its exit status, a signal death).
//!
//! Unix only: the commands run under `--exec` are `sh` scripts, and signals are POSIX.

use std::path::Path;

use crate::support::sandbox::{Api, SandboxProcess, state_tokens};
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
    // Found in --exec's private directory (tests/it/sandbox/exec_sealed.rs checks what it holds).
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

/// The final save of `--exec` fails (the state file's directory became a file while the
/// command ran, so even root cannot write there; the `list` leaves a last-use time that
/// only the periodic and the final saves write): a command that succeeded makes the run
/// fail, naming the file, while a command that failed keeps its own status, with the lost
/// save as a warning.
#[test]
fn exec_reports_a_final_save_that_failed_without_hiding_the_command_status() {
    // The second waits past the periodic save's interval, which then fails too.
    for (status, expected, wait) in [(0, 1, 0.0), (3, 3, 1.5)] {
        let dir = dir();
        let state_dir = dir.path().join("state");
        std::fs::create_dir(&state_dir).expect("state directory");
        let script = format!(
            "mv \"$STATE_DIR\" \"$STATE_DIR.moved\" && : > \"$STATE_DIR\" && \
             avn-token list > /dev/null && sleep {wait} && exit {status}"
        );
        let out = cmd()
            .env("STATE_DIR", &state_dir)
            .args(["sandbox", "--state"])
            .arg(state_dir.join("state.json"))
            .args(["--exec", "--", "sh", "-c", &script])
            .run();
        out.code(expected);
        // The periodic save of the last-use time may have warned already (its interval
        // passes on a slow run); the last line is the final save's.
        let lines: Vec<&str> = out.stderr.lines().collect();
        let last = if status == 0 { "error: " } else { "warning: " };
        assert!(
            lines
                .iter()
                .all(|line| line.contains("cannot write the state file"))
                && lines.last().is_some_and(|line| line.starts_with(last))
                && lines[..lines.len() - 1]
                    .iter()
                    .all(|line| line.starts_with("warning: ")),
            "{}",
            out.stderr
        );
        assert_eq!(out.stdout, "");
    }
}

/// A SIGTERM for the sandbox is passed on to the command, which decides how to end (here
/// with its own status); the sandbox then saves and exits with that status. The command
/// would otherwise end by itself after ten seconds, with another status.
#[test]
fn exec_passes_a_stop_on_to_the_command() {
    let script = "trap 'echo stopping; exit 42' TERM; echo ready; \
                  i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; exit 3";
    let mut process = cmd()
        .args(["sandbox", "--exec", "--", "sh", "-c", script])
        .spawn();
    let stdout = process.child.stdout.take().expect("stdout");
    let (seen, reader) = crate::support::wait_for_output(stdout, "ready\n");
    crate::support::send_signal(&process.child, "TERM");
    let run = process.finish();
    reader.join().expect("reader");
    let stdout = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    assert_eq!(stdout, "ready\nstopping\n", "{}", run.stderr);
    run.code(42);
}
