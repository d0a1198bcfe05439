//! Shared test support: [`cmd`] runs the real `avn-token` binary with a sealed-off
//! environment ([`on_a_terminal`] on a pseudo-terminal); `server` is the fake Aiven API that
//! answers from a script, `fakes` the scripts several files share (`org`: an organization
//! with application users), `faults` and `hostile` the broken and hostile answers and the
//! checks that go with them; `proxy` and `tls` are a fake proxy and a TLS server; `sandbox`
//! holds a raw HTTP client, a process handle and a command environment for the sandbox;
//! `snapshot` checks byte-exact output against reviewed snapshot files; `platform` is what
//! differs between operating systems, `skips` how a check this machine cannot run is said,
//! `gnu_time` what measures peak memory.

pub mod fakes;
pub mod faults;
pub mod gnu_time;
pub mod hostile;
pub mod org;
pub mod platform;
pub mod proxy;
#[cfg(unix)]
pub mod releases;
pub mod sandbox;
pub mod server;
pub mod skips;
pub mod snapshot;
pub mod tls;

use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::RecvTimeoutError;

use tempfile::TempDir;

use server::ScriptedServer;

/// `support::send_signal`, as the tests call it (Unix only: see `platform`).
pub use platform::send_signal;

/// The token [`Cmd::api`] sends. It holds `/`, `+` and `=`, like real tokens, so its
/// percent-encoded form differs from it.
pub const TOKEN: &str = "c2VjcmV0LXRva2VuLWZvci10ZXN0cy1vbmx5Cg+/AbC=";

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_avn-token"))
}

/// `avn-token` with a sealed-off environment (see [`Cmd::new`]):
/// `cmd().api(&server).args(["list", "--json"]).run().success()`.
pub fn cmd() -> Cmd {
    Cmd::new(bin())
}

/// A program and its sealed-off environment, built like `std::process::Command`, then
/// [`run`](Cmd::run) to the end or [`spawn`](Cmd::spawn)ed for a test that talks to it.
pub struct Cmd {
    command: Command,
    /// Where stdout goes instead of a pipe the test reads ([`Cmd::stdout`]).
    stdout: Option<Stdio>,
    /// The fresh HOME given by [`Cmd::new`], removed once the program is done with it.
    own_home: Option<TempDir>,
    input: Option<Vec<u8>>,
    /// A Python program ([`Cmd::python`]): its output is read back with this platform's
    /// line ends undone ([`from_python_text`]).
    python: bool,
}

impl Cmd {
    /// `program` (`avn-token`, or `sh`, `script`, the reference `avn`) with a fresh empty
    /// HOME (and USERPROFILE, Windows' HOME), PATH, NO_COLOR and nothing else from this environment: no Aiven variables, no
    /// RUST_BACKTRACE (errors must be one line even with it: `cli` tests that).
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let own_home = tempfile::tempdir().expect("a temporary HOME");
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("HOME", own_home.path())
            // Where avn and avn-token find the home directory on Windows.
            .env("USERPROFILE", own_home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1");
        // Windows needs these to open sockets at all.
        for key in ["SYSTEMROOT", "SystemRoot", "WINDIR"] {
            if let Some(value) = std::env::var_os(key) {
                command.env(key, value);
            }
        }
        Cmd {
            command,
            stdout: None,
            own_home: Some(own_home),
            input: None,
            python: false,
        }
    }

    /// A Python program (the reference `avn`, or a script run by its Python) with the
    /// sealed-off environment of [`Cmd::new`]: its output as UTF-8 (a Windows pipe would
    /// get the ANSI code page), read back as avn-token writes, with LF line ends
    /// ([`from_python_text`]). Every run of `avn` goes through here, so every comparison
    /// with avn-token compares like with like on every platform.
    pub fn python(program: impl AsRef<OsStr>) -> Cmd {
        let mut python = Cmd::new(program).env("PYTHONIOENCODING", "utf-8");
        python.python = true;
        python
    }

    /// This HOME instead of a fresh one: for runs that share a credentials file.
    pub fn home(mut self, home: &Path) -> Cmd {
        self.command.env("HOME", home).env("USERPROFILE", home);
        self.own_home = None;
        self
    }

    /// The API at `url` (`AIVEN_WEB_URL`).
    pub fn url(self, url: impl AsRef<OsStr>) -> Cmd {
        self.env("AIVEN_WEB_URL", url)
    }

    /// Authenticate with `token` (`AIVEN_AUTH_TOKEN`).
    pub fn token(self, token: impl AsRef<OsStr>) -> Cmd {
        self.env("AIVEN_AUTH_TOKEN", token)
    }

    /// The fake API `server`, authenticated with [`TOKEN`].
    pub fn api(self, server: &ScriptedServer) -> Cmd {
        self.url(server.url()).token(TOKEN)
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Send stdout to `stdout` (`/dev/full`, a pipe nobody reads) instead of a pipe the
    /// test reads: [`Run::stdout`] is then empty.
    pub fn stdout(mut self, stdout: impl Into<Stdio>) -> Cmd {
        self.stdout = Some(stdout.into());
        self
    }

    /// Write `input` to stdin once started, then close it.
    pub fn write_stdin(mut self, input: impl Into<Vec<u8>>) -> Cmd {
        self.input = Some(input.into());
        self
    }

    /// Run to the end: its exit code and what it printed. Stdin is at its end from the start,
    /// or after the [`Cmd::write_stdin`] input.
    pub fn run(self) -> Run {
        self.spawn().finish()
    }

    /// Start it with stdin, stdout and stderr piped. With [`Cmd::write_stdin`], stdin is
    /// written and closed here; without, the test may write to it.
    pub fn spawn(mut self) -> Running {
        let input = self.input.take();
        self.command
            .stdin(Stdio::piped())
            .stdout(self.stdout.take().unwrap_or_else(Stdio::piped))
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("the program starts");
        if let Some(input) = input {
            let mut stdin = child.stdin.take().expect("piped stdin");
            // A program may end without reading its input (a refusal before the prompt).
            if let Err(error) = stdin.write_all(&input) {
                assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "write stdin");
            }
        }
        Running {
            child,
            _home: self.own_home,
            python: self.python,
        }
    }
}

/// A started [`Cmd`]: the child process, and the fresh HOME it runs in (kept while this is).
pub struct Running {
    pub child: Child,
    _home: Option<TempDir>,
    python: bool,
}

/// How long any one program run may take before the test fails (killing it): far longer than
/// any test means to wait, so only a hang (a program that should have ended and did not)
/// reaches it, and the suite reports that test instead of never ending.
const RUN_LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

impl Running {
    /// Wait for the end: its exit code and what it printed that the test did not read. A
    /// program still running after [`RUN_LIMIT`] is killed and the test fails.
    pub fn finish(self) -> Run {
        let pid = self.child.id();
        let (ended, watch) = std::sync::mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            let hung = watch.recv_timeout(RUN_LIMIT) == Err(RecvTimeoutError::Timeout);
            if hung {
                kill(pid);
            }
            hung
        });
        let output = self.child.wait_with_output().expect("wait for the program");
        drop(ended);
        let hung = watchdog.join().expect("the watchdog");
        let mut run = Run::of(output);
        if self.python {
            run.stdout = from_python_text(&run.stdout);
            run.stderr = from_python_text(&run.stderr);
        }
        assert!(
            !hung,
            "still running after {RUN_LIMIT:?}, killed; stderr: {}",
            run.stderr
        );
        run
    }
}

#[cfg(unix)]
fn kill(pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
}

#[cfg(not(unix))]
fn kill(pid: u32) {
    let _ = Command::new("taskkill")
        .args(["/F", "/PID", &pid.to_string()])
        .status();
}

/// How Python's text-mode stdout and stderr end a line on this platform: every `\n`
/// written becomes `os.linesep`, `\r\n` on Windows. avn-token writes `\n` everywhere.
const PYTHON_LINE_END: &str = if cfg!(windows) { "\r\n" } else { "\n" };

/// What a Python program wrote, as written before its stream turned each `\n` into this
/// platform's line end ([`PYTHON_LINE_END`]).
pub fn from_python_text(text: &str) -> String {
    undo_line_ends(text, PYTHON_LINE_END)
}

/// `text` with each `line_end` turned back into the `\n` it was made from. A `\r` written
/// before a `\n` stays: Python on Windows writes `\r\n` as `\r\r\n`.
fn undo_line_ends(text: &str, line_end: &str) -> String {
    text.replace(line_end, "\n")
}

#[test]
fn python_output_is_read_back_with_its_line_ends_undone() {
    let windows = "Revoked\r\nline\r\r\n\r\n";
    assert_eq!(undo_line_ends(windows, "\r\n"), "Revoked\nline\r\n\n");
    assert_eq!(undo_line_ends(windows, "\n"), windows);
    assert_eq!(
        from_python_text("a\r\nb\n"),
        if cfg!(windows) { "a\nb\n" } else { "a\r\nb\n" }
    );
}

/// `avn-token ARGUMENTS` on a pseudo-terminal, with the API at `server`; `None` (the check
/// is skipped, and said so: [`skips`]) where there is none to have. `ARGUMENTS` is shell
/// text: quote what needs quoting.
///
/// The terminal is util-linux `script`'s, so Linux only: BSD `script` on macOS takes other
/// arguments and forwards input otherwise, and Windows has no pseudo-terminal to drive
/// this way.
pub fn on_a_terminal(server: &ScriptedServer, arguments: &str) -> Option<Cmd> {
    Some(script_terminal(arguments)?.api(server).env("TERM", "dumb"))
}

/// `script` (from [`on_a_terminal`]) run with `answer` typed once `prompt` is on the
/// terminal, as a person answers: typed before, the terminal would echo it wherever the
/// output had got to, in the middle of the program's own lines. The run's stdout is all
/// the terminal showed.
pub fn answer_on_a_terminal(script: Cmd, prompt: &str, answer: &str) -> Run {
    use std::io::Write;
    let mut running = script.spawn();
    let stdout = running.child.stdout.take().expect("stdout");
    let (seen, reader) = wait_for_output(stdout, prompt);
    let mut stdin = running.child.stdin.take().expect("stdin");
    stdin.write_all(answer.as_bytes()).expect("the answer");
    stdin.flush().expect("the answer");
    // Open until the end: `script` may end the session when its input ends.
    let mut run = running.finish();
    drop(stdin);
    reader.join().expect("the reader");
    run.stdout = String::from_utf8_lossy(&seen.lock().unwrap()).into_owned();
    run
}

/// `script` running `avn-token ARGUMENTS` on a pseudo-terminal (see [`on_a_terminal`]),
/// stdout and stderr both going to the terminal, whose output is the run's stdout (lines
/// ending in CRLF); `None` where there is none, said as a skip.
pub fn script_terminal(arguments: &str) -> Option<Cmd> {
    const ABOUT: &str = "a pseudo-terminal (util-linux `script`)";
    if !cfg!(target_os = "linux") {
        let platform = std::env::consts::OS;
        skips::skip(
            ABOUT,
            &format!("Linux only, not {platform}"),
            "run them on Linux",
        );
        return None;
    }
    // A probe, not a test run: whether `script` can be started at all.
    if Command::new("script").arg("--version").output().is_err() {
        skips::skip(ABOUT, "`script` not found", "install util-linux");
        return None;
    }
    let command_line = format!("{} {arguments}", bin().display());
    Some(Cmd::new("script").args(["-qec", &command_line, "/dev/null"]))
}

/// Whether `shell` (`bash`, `zsh`, `fish`) is here to run the completion scripts in; if
/// not, the check is skipped and said so. On Windows never: a `bash` found there is Git
/// Bash (or WSL's), whose paths and `PATH` are not the native ones avn-token and these
/// tests use.
pub fn have_shell(shell: &str) -> bool {
    let about = format!("completion in {shell}");
    if cfg!(windows) {
        skips::skip(
            &about,
            "POSIX shells are not run on Windows",
            "run them on Linux or macOS",
        );
        return false;
    }
    let found = Command::new(shell)
        .args(["-c", "exit 0"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        skips::skip(
            &about,
            &format!("`{shell}` not found"),
            &format!("install {shell}"),
        );
    }
    found
}

/// A personal token as the API lists it, with every field set.
pub fn token(prefix: &str, description: &str) -> serde_json::Value {
    serde_json::json!({
        "token_prefix": prefix, "description": description, "created_manually": true,
        "currently_active": false, "expiry_time": "2030-01-01T00:00:00.123456Z",
        "create_time": "2026-01-01T00:00:00Z", "max_age_seconds": 7200,
        "extend_when_used": true, "last_used_time": null, "last_ip": null,
        "last_user_agent": null, "scopes": ["user:read", "projects"],
        "ip_allowlist": ["10.0.0.0/8"]
    })
}

/// Where `avn` and `avn-token` keep the token, for this HOME, as avn-token names it (one
/// component at a time: on Windows its messages show `\` between them).
pub fn credentials_file(home: &Path) -> PathBuf {
    home.join(".config")
        .join("aiven")
        .join("aiven-credentials.json")
}

/// Write `contents` as the [`credentials_file`] (with the default mode, not made private);
/// its path.
pub fn write_credentials(home: &Path, contents: &str) -> PathBuf {
    let file = credentials_file(home);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, contents).unwrap();
    file
}

/// How a run ended, output as text, with a readable panic message when a test's expectation
/// fails.
#[derive(Debug)]
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(output: Output) -> Run {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(
            self.status,
            Some(0),
            "expected success; stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Run {
        assert_eq!(
            self.status,
            Some(code),
            "expected exit {code}; stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Run {
        assert!(
            !self.succeeded(),
            "expected failure; stderr: {}\nstdout: {}",
            self.stderr,
            self.stdout
        );
        self
    }

    pub fn succeeded(&self) -> bool {
        self.status == Some(0)
    }

    #[track_caller]
    pub fn stdout_contains(&self, wanted: &str) -> &Run {
        assert!(
            self.stdout.contains(wanted),
            "no {wanted:?} on stdout: {}",
            self.stdout
        );
        self
    }

    #[track_caller]
    pub fn stderr_contains(&self, wanted: &str) -> &Run {
        assert!(
            self.stderr.contains(wanted),
            "no {wanted:?} on stderr: {}",
            self.stderr
        );
        self
    }

    /// A failure prints exactly one line on stderr and nothing on stdout.
    #[track_caller]
    pub fn one_line_error(&self) -> &Run {
        assert_eq!(self.stdout, "", "stdout must be empty on failure");
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "expected one error line, got: {:?}",
            self.stderr
        );
        assert!(self.stderr.starts_with("error: "), "{:?}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{:?}", self.stderr);
        self
    }
}

/// Locate the reference `avn` (aiven-client 4.18.0): `$AVN_BIN`, else `avn` in `.venv`.
/// Missing: a failure in CI (where `.ci/run` installs it); elsewhere the check is skipped,
/// and said so when the test binary exits ([`skips`]). Run it with [`Cmd::python`].
pub fn avn_binary() -> Option<PathBuf> {
    let candidate = std::env::var_os("AVN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            venv_program(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv"), "avn")
        });
    if candidate.exists() {
        return Some(candidate);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "the reference `avn` was not found at {}, and CI is set: {}",
            candidate.display(),
            HOW_TO_RUN_THE_COMPATIBILITY_CHECKS
        );
    }
    skips::skip(
        "compatibility with the reference `avn`",
        &format!("no avn at {}", candidate.display()),
        HOW_TO_RUN_THE_COMPATIBILITY_CHECKS,
    );
    None
}

/// A program installed in the Python virtual environment `venv`, where Python's `venv`
/// puts programs on this platform: `Scripts\NAME.exe` on Windows, `bin/NAME` elsewhere.
pub fn venv_program(venv: &Path, name: &str) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts").join(format!("{name}.exe"))
    } else {
        venv.join("bin").join(name)
    }
}

/// What a person does to run the checks that need the reference `avn`.
const HOW_TO_RUN_THE_COMPATIBILITY_CHECKS: &str = "install it with `python3 -m venv .venv && \
    .venv/bin/pip install aiven-client==4.18.0`, then run `cargo test` again (or point \
    AVN_BIN at an avn 4.18.0)";

/// Read a child's stdout on a thread; wait until it shows `wanted` (or fail after a while).
pub fn wait_for_output(
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
