//! `sandbox --exec` keeps its command away from the user's real Aiven state (issue 18 item
//! 3): with a real-looking HOME (and, in CI, the credentials variables exported), `login`,
//! `logout` and `avn user login` inside the command leave the real files byte-identical and
//! never see the real token; the command's settings live in a private directory removed
//! afterwards; `--env` is the explicit way to give it others; its PATH starts with a
//! directory that holds only this avn-token.
//!
//! Unix only (registered in `main.rs` under `cfg(unix)`): the commands are `sh` scripts.

use std::path::{Path, PathBuf};

use crate::support::{Cmd, Run, avn_binary, bin, cmd};

const REAL_TOKEN: &str = "REAL+token/that=must-never-reach-the-sandbox";
const REAL_CREDENTIALS: &str = r#"{"auth_token": "REAL+token/that=must-never-reach-the-sandbox", "user_email": "me@example.com"}"#;
const REAL_CLIENT_CONFIG: &str = r#"{"default_project": "production"}"#;

/// A HOME with the user's real Aiven files where avn keeps them.
struct RealHome {
    home: tempfile::TempDir,
}

impl RealHome {
    fn new() -> RealHome {
        let home = tempfile::tempdir().expect("a HOME");
        let dir = home.path().join(".config/aiven");
        std::fs::create_dir_all(&dir).expect("the config directory");
        std::fs::write(dir.join("aiven-credentials.json"), REAL_CREDENTIALS).expect("write");
        std::fs::write(dir.join("aiven-client.json"), REAL_CLIENT_CONFIG).expect("write");
        RealHome { home }
    }

    fn config_dir(&self) -> PathBuf {
        self.home.path().join(".config/aiven")
    }

    /// `avn-token sandbox ARGS` in this HOME.
    fn sandbox(&self, args: &[&str]) -> Cmd {
        cmd().home(self.home.path()).arg("sandbox").args(args)
    }

    /// The real files are exactly as they were.
    #[track_caller]
    fn assert_untouched(&self) {
        let read = |name: &str| {
            std::fs::read_to_string(self.config_dir().join(name))
                .unwrap_or_else(|error| panic!("the real {name} is gone: {error}"))
        };
        assert_eq!(read("aiven-credentials.json"), REAL_CREDENTIALS);
        assert_eq!(read("aiven-client.json"), REAL_CLIENT_CONFIG);
        let names = std::fs::read_dir(self.config_dir())
            .expect("the config directory")
            .count();
        assert_eq!(names, 2, "nothing added beside them");
    }
}

/// The lines a script printed, after checking it succeeded and never printed the real
/// token (on either stream).
#[track_caller]
fn lines(run: &Run) -> Vec<String> {
    assert!(run.succeeded(), "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains(REAL_TOKEN) && !run.stderr.contains(REAL_TOKEN));
    run.stdout.lines().map(str::to_owned).collect()
}

/// What a test script does with credentials: the first three lines name the settings it
/// was given; then logout (with nothing stored yet), login, logout.
const LOGIN_LOGOUT: &str = r#"set -e
printf '%s\n%s\n%s\n' "$AIVEN_CONFIG_DIR" "$AIVEN_CREDENTIALS_FILE" "$AIVEN_CLIENT_CONFIG"
avn-token logout 2>&1
printf '%s' "$AIVEN_AUTH_TOKEN" | avn-token login 2>&1
test -f "$AIVEN_CREDENTIALS_FILE"
avn-token logout 2>&1
"#;

#[test]
fn login_and_logout_in_the_command_leave_the_real_credentials_alone() {
    let real = RealHome::new();
    let credentials = real.config_dir().join("aiven-credentials.json");
    // As a user's shell has them, and as many CI jobs export them.
    let exported = |command: Cmd| {
        command
            .env("AIVEN_CONFIG_DIR", real.config_dir())
            .env("AIVEN_CREDENTIALS_FILE", &credentials)
            .env(
                "AIVEN_CLIENT_CONFIG",
                real.config_dir().join("aiven-client.json"),
            )
    };
    for exports in [false, true] {
        let mut command = real.sandbox(&["--exec", "--", "sh", "-c", LOGIN_LOGOUT]);
        if exports {
            command = exported(command);
        }
        let lines = lines(&command.run());
        let private = Path::new(&lines[0]);
        assert!(!private.starts_with(real.home.path()), "{lines:?}");
        assert_eq!(Path::new(&lines[1]), private.join("aiven-credentials.json"));
        assert_eq!(Path::new(&lines[2]), private.join("aiven-client.json"));
        // Nothing was stored at first: the real token was not read, so never sent.
        assert!(lines[3].contains("not logged in"), "{lines:?}");
        assert!(lines[3].contains(&lines[1]), "{lines:?}");
        assert!(
            lines.iter().any(|line| line.contains("revoked token")),
            "the second logout revoked what login stored: {lines:?}"
        );
        assert!(!private.exists(), "the private directory is removed");
        real.assert_untouched();
    }
}

#[test]
fn avn_user_login_in_the_command_leaves_the_real_files_alone() {
    let Some(avn) = avn_binary() else {
        return;
    };
    let real = RealHome::new();
    // avn reads the token from stdin when it has no terminal.
    let script = r#"set -e
printf '%s\n' "$AIVEN_AUTH_TOKEN" | "$AVN" user login developer@sandbox.invalid --token
test -f "$AIVEN_CREDENTIALS_FILE"
"$AVN" user info --json >/dev/null
printf '%s\n' "$AIVEN_CONFIG_DIR"
"#;
    let run = real
        .sandbox(&["--exec", "--", "sh", "-c", script])
        .env("AVN", &avn)
        .run();
    let lines = lines(&run);
    let private = lines.last().expect("the private directory");
    assert!(!Path::new(private).exists(), "removed afterwards");
    real.assert_untouched();
}

#[test]
fn env_gives_the_command_settings_explicitly() {
    let real = RealHome::new();
    let chosen = tempfile::tempdir().expect("a directory");
    let chosen_dir = chosen.path().to_str().expect("utf-8");
    let run = real
        .sandbox(&[
            "--exec",
            "--env",
            &format!("AIVEN_CONFIG_DIR={chosen_dir}"),
            "--env",
            "AIVEN_CREDENTIALS_FILE=",
            "--env",
            "GREETING=a=b c",
            "--",
            "sh",
            "-c",
            r#"printf '%s\n' "$AIVEN_CONFIG_DIR" "$GREETING"
printf '%s' "$AIVEN_AUTH_TOKEN" | avn-token login 2>&1"#,
        ])
        .run();
    let lines = lines(&run);
    assert_eq!(lines[0], chosen_dir);
    assert_eq!(lines[1], "a=b c", "only the first = splits");
    // An empty AIVEN_CREDENTIALS_FILE counts as unset: the file goes in the chosen place.
    assert!(chosen.path().join("aiven-credentials.json").is_file());
    real.assert_untouched();

    let bad = real.sandbox(&["--exec", "--env", "=x", "--", "true"]).run();
    bad.code(2);
    bad.stderr_contains("NAME=VALUE");
    let without_exec = real.sandbox(&["--env", "A=b"]).run();
    without_exec.code(2);
}

#[test]
fn the_command_path_starts_with_a_directory_holding_only_this_avn_token() {
    let script = r#"first=${PATH%%:*}
printf '%s\n' "$first" "${PATH#*:}"
ls -A "$first"
avn-token --version
"#;
    let run = cmd()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .args(["sandbox", "--exec", "--", "/bin/sh", "-c", script])
        .run();
    let lines = lines(&run);
    let first = Path::new(&lines[0]);
    assert_eq!(
        lines[1], "/usr/local/bin:/usr/bin:/bin",
        "then the PATH as it was"
    );
    assert_eq!(lines[2], "avn-token", "nothing else there");
    let version = cmd().arg("--version").run();
    assert_eq!(lines[3], version.stdout.trim_end(), "this very avn-token");
    assert_ne!(first, bin().parent().expect("a directory"));
    assert!(!first.exists(), "removed afterwards");
}

#[test]
fn the_command_runs_this_binary_through_a_link() {
    let script = r#"readlink "${PATH%%:*}/avn-token""#;
    let run = cmd()
        .args(["sandbox", "--exec", "--", "sh", "-c", script])
        .run();
    let lines = lines(&run);
    assert_eq!(
        std::fs::canonicalize(&lines[0]).expect("the target"),
        std::fs::canonicalize(bin()).expect("the binary")
    );
}
