//! The variables `avn-token sandbox` prints, as shells read them: `sandbox --help`'s
//! background example run as written in real shells (issue 19 item 10), the process ID
//! line, and the `--shell` forms (issue 20).
//!
//! Unix only (registered in `main.rs` under `cfg(unix)`): the shells run are POSIX ones.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::skips::skip;
use crate::support::{bin, cmd};

/// The lines of `sandbox --help` from the background example's comment to the end, as a
/// script (the help indents examples by two spaces).
fn background_example() -> String {
    let help = cmd().args(["sandbox", "--help"]).run();
    help.success();
    let start = help
        .stdout
        .find("  # In the background")
        .unwrap_or_else(|| panic!("no background example in {}", help.stdout));
    help.stdout[start..]
        .lines()
        .map(|line| line.strip_prefix("  ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_help_s_background_example_works_as_written() {
    let example = background_example();
    assert!(example.contains("eval"), "{example}");
    assert!(
        !example.contains("Ctrl-C"),
        "no Ctrl-C for a background job"
    );
    for shell in ["sh", "bash", "zsh", "dash"] {
        if Command::new("sh")
            .args(["-c", &format!("command -v {shell}")])
            .output()
            .is_ok_and(|out| !out.status.success())
        {
            skip(
                "sandbox --help's background example",
                &format!("no {shell} here"),
                &format!("install {shell}"),
            );
            continue;
        }
        run_in(shell, &example);
    }
}

/// Run the example in `shell`, then check what it did: `avn-token list` worked, and `kill`
/// stopped the sandbox, which saved its state.
fn run_in(shell: &str, example: &str) {
    let dir = tempfile::tempdir().expect("a directory");
    let script = format!("{example}\n{WAIT_UNTIL_STOPPED}");
    let (stdout, _) = run_script(shell, &script, dir.path());
    assert!(stdout.contains("stopped "), "{shell}: {stdout}");
    let table = stdout.lines().next().unwrap_or_default();
    assert!(table.starts_with("EXPIRY_TIME"), "{shell}: {stdout}");
    assert!(
        stdout.contains("avn-token sandbox login session"),
        "{shell}: {stdout}"
    );
    let state = std::fs::read_to_string(dir.path().join("sandbox.json")).expect("the state");
    assert!(
        state.contains("last_used_time\": \"20"),
        "saved at stop: {state}"
    );
}

/// Appended to a script that stops its sandbox: wait (bounded) until it is gone, and say
/// so.
const WAIT_UNTIL_STOPPED: &str = r#"n=0; while kill -0 "$AVN_TOKEN_SANDBOX_PID" 2>/dev/null; do
  n=$((n+1)); [ $n -lt 400 ] || exit 9; sleep 0.05
done
printf 'stopped %s\n' "$AVN_TOKEN_SANDBOX_PID"
"#;

/// How long a script here may run: far more than any needs; reached only when `eval`
/// waits for a stdout the sandbox never lets go of.
const SCRIPT_LIMIT: Duration = Duration::from_secs(60);

/// Run `script` in `shell` in `dir`, with this avn-token first on PATH; its stdout and
/// stderr once it succeeded. A sandbox it started in the background and left running
/// (its process ID is in the note on stderr) is stopped, and the test fails.
fn run_script(shell: &str, script: &str, dir: &Path) -> (String, String) {
    let path = std::env::join_paths(
        std::iter::once(bin().parent().expect("a directory").to_owned()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ),
    )
    .expect("a PATH");
    // The sandbox keeps the shell's stderr: a file, so that nothing waits for it to close.
    let stderr_path = dir.join("stderr.txt");
    let mut child = Command::new(shell)
        .args(["-c", script])
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).expect("stderr file"))
        .spawn()
        .expect("the shell runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > SCRIPT_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let leftover = stderr
        .split('`')
        .filter_map(|part| part.strip_prefix("kill "))
        .find(|pid| {
            Command::new("kill")
                .args(["-0", pid])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        });
    if let Some(pid) = leftover {
        let _ = Command::new("kill").arg(pid).status();
    }
    let stdout = reader.join().expect("the reader");
    assert!(
        status.is_some_and(|status| status.success()) && leftover.is_none(),
        "{shell}: {status:?}, sandbox left running: {leftover:?}\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

#[test]
fn a_sandbox_started_with_an_ampersand_ignores_ctrl_c_as_background_jobs_do() {
    // Without job control, `&` starts a command with SIGINT ignored: Ctrl-C at the prompt
    // is not for it. The sandbox keeps it so (it does not watch SIGINT then).
    let dir = tempfile::tempdir().expect("a directory");
    let script = r#"eval "$(avn-token sandbox &)"
kill -INT "$AVN_TOKEN_SANDBOX_PID"
sleep 0.5
avn-token list --json >/dev/null && echo still-serving
kill "$AVN_TOKEN_SANDBOX_PID"
"#;
    let script = format!("{script}{WAIT_UNTIL_STOPPED}");
    let (stdout, stderr) = run_script("sh", &script, dir.path());
    assert!(
        stdout.starts_with("still-serving\nstopped "),
        "{stdout}{stderr}"
    );
    assert!(!stderr.contains("Ctrl-C"), "not offered: {stderr}");
}

#[test]
fn the_variables_include_the_process_to_stop_and_stdout_ends_after_them() {
    let mut process = cmd().arg("sandbox").spawn();
    let mut stdout = process.child.stdout.take().expect("stdout");
    // The sandbox lets go of its stdout once the variables are out: this read ends.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let read = std::io::Read::read_to_string(&mut stdout, &mut text);
        let _ = sender.send(read.map(|_| text));
    });
    let text = receiver.recv_timeout(SCRIPT_LIMIT);
    crate::support::send_signal(&process.child, "TERM");
    let pid = process.child.id();
    let run = process.finish();
    let text = text.expect("stdout ended").expect("stdout read");
    let names: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("export ")?.split('=').next())
        .collect();
    assert_eq!(
        names,
        ["AIVEN_WEB_URL", "AIVEN_AUTH_TOKEN", "AVN_TOKEN_SANDBOX_PID"]
    );
    assert!(
        text.ends_with(&format!("export AVN_TOKEN_SANDBOX_PID={pid}\n")),
        "{text}"
    );
    assert!(run.succeeded(), "{}", run.stderr);
    // (Whether Ctrl-C is offered too depends on how this test was started: see below.)
    assert!(
        run.stderr.contains(&format!("`kill {pid}` stops it")),
        "{}",
        run.stderr
    );
}

/// Whether this test process ignores SIGINT (as when `cargo test` itself was started with
/// `&` by a script): its children then start with it ignored too, and a sandbox does not
/// offer Ctrl-C.
#[cfg(target_os = "linux")]
fn sigint_ignored_here() -> bool {
    // SAFETY: an all-zero sigaction is a valid value of the plain C struct, and with a null
    // new action sigaction(2) only writes the current one into ours.
    unsafe {
        let mut current: libc::sigaction = std::mem::zeroed();
        libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current) == 0
            && current.sa_sigaction == libc::SIG_IGN
    }
}

#[test]
fn powershell_and_cmd_forms() {
    let fixed = "it's+/=";
    let powershell = variables_for(&["--shell", "powershell", "--token", fixed]);
    assert!(powershell[0].starts_with("$env:AIVEN_WEB_URL = 'http://127.0.0.1:"));
    assert_eq!(powershell[1], "$env:AIVEN_AUTH_TOKEN = 'it''s+/='");
    assert!(powershell[2].starts_with("$env:AVN_TOKEN_SANDBOX_PID = '"));

    let cmd_lines = variables_for(&["--shell", "cmd", "--token", "dev+/token="]);
    assert!(cmd_lines[0].starts_with("set \"AIVEN_WEB_URL=http://127.0.0.1:"));
    assert_eq!(cmd_lines[1], "set \"AIVEN_AUTH_TOKEN=dev+/token=\"");

    // A token cmd cannot be given safely is a usage error, before anything starts.
    for token in ["100%", "a\"b", "wow!"] {
        let refused = cmd()
            .args(["sandbox", "--shell", "cmd", "--token", token])
            .run();
        refused.code(2);
        refused.stderr_contains("--shell powershell");
        assert_eq!(refused.stdout, "");
    }
    let with_exec = cmd()
        .args(["sandbox", "--shell", "cmd", "--exec", "--", "true"])
        .run();
    with_exec.code(2);
}

/// The three lines `avn-token sandbox ARGS` prints (then it is stopped).
fn variables_for(args: &[&str]) -> Vec<String> {
    use std::io::BufRead;
    let mut process = cmd().arg("sandbox").args(args).spawn();
    let stdout = process.child.stdout.take().expect("stdout");
    let lines: Vec<String> = std::io::BufReader::new(stdout)
        .lines()
        .take(3)
        .collect::<Result<_, _>>()
        .expect("three lines");
    crate::support::send_signal(&process.child, "TERM");
    let run = process.finish();
    assert!(run.succeeded(), "{}", run.stderr);
    lines
}

#[test]
fn posix_lines_are_read_back_exactly_by_every_shell() {
    let token = "it's-$HOME-`x`-\"q\"";
    let text = variables_for(&["--token", token]).join("\n");
    for shell in ["sh", "bash", "zsh"] {
        if !Path::new("/bin").join(shell).exists() && !Path::new("/usr/bin").join(shell).exists() {
            continue;
        }
        let script = format!("{text}\nprintf '%s' \"$AIVEN_AUTH_TOKEN\"");
        let out = Command::new(shell)
            .args(["-c", &script])
            .output()
            .expect("the shell runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), token, "{shell}");
    }
}

/// With job control (an interactive shell on a terminal), `&` leaves SIGINT alone but puts
/// the sandbox in a process group the terminal does not send Ctrl-C to: the note says to
/// `kill` it, not to press Ctrl-C; in the foreground it offers both. Needs util-linux
/// `script` for the terminal, and bash.
#[cfg(target_os = "linux")]
#[test]
fn the_note_offers_ctrl_c_only_in_the_foreground() {
    let found = |program: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .is_ok_and(|out| out.status.success())
    };
    if !found("script") || !found("bash") {
        skip(
            "the sandbox on a terminal",
            "no util-linux `script` or no bash here",
            "install util-linux and bash",
        );
        return;
    }
    let dir = tempfile::tempdir().expect("a directory");
    let note = dir.path().join("note.txt");
    let program = bin();
    let started = |job: &str| {
        // Wait (bounded) for the note, then stop the sandbox.
        format!(
            "{job}\nn=0; until grep -q 'stops it' {note} || [ $n -gt 400 ]; do sleep 0.05; n=$((n+1)); done\n\
             kill $!; wait",
            note = note.display()
        )
    };
    for (shell, job, ctrl_c) in [
        (
            "bash -i",
            format!(
                "{} sandbox >/dev/null 2>{} &",
                program.display(),
                note.display()
            ),
            false,
        ),
        (
            "bash",
            format!(
                "{} sandbox >/dev/null 2>{} &",
                program.display(),
                note.display()
            ),
            false,
        ),
    ] {
        run_on_a_terminal(shell, &started(&job), dir.path());
        let text = std::fs::read_to_string(&note).unwrap_or_default();
        assert!(text.contains("stops it"), "{shell}: {text}");
        assert_eq!(text.contains("Ctrl-C"), ctrl_c, "{shell}: {text}");
        let _ = std::fs::remove_file(&note);
    }
    // In the foreground: a helper in the background stops it once the note is out.
    let foreground = format!(
        "{{ n=0; until grep -q 'stops it' {note} || [ $n -gt 400 ]; do sleep 0.05; n=$((n+1)); done; kill $$; }} &\n\
         exec {program} sandbox >/dev/null 2>{note}",
        note = note.display(),
        program = program.display()
    );
    run_on_a_terminal("sh", &foreground, dir.path());
    let text = std::fs::read_to_string(&note).unwrap_or_default();
    if sigint_ignored_here() {
        skip(
            "the sandbox's note offering Ctrl-C in the foreground",
            "SIGINT is ignored in this test process",
            "run the tests from an interactive shell",
        );
        assert!(text.contains("`kill "), "{text}");
    } else {
        assert!(text.contains("Ctrl-C or `kill "), "{text}");
    }
}

/// `shell FILE` holding `script`, on a pseudo-terminal (util-linux `script`).
#[cfg(target_os = "linux")]
fn run_on_a_terminal(shell: &str, script: &str, dir: &Path) {
    let file = dir.join("job.sh");
    std::fs::write(&file, script).expect("write the job");
    let out = Command::new("script")
        .args(["-qec", &format!("{shell} {}", file.display()), "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("script runs");
    assert!(out.status.success(), "{shell}: {out:?}");
}
