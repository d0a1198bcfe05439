//! `sandbox --exec -- CMD ARGS...`: one command run against the sandbox, sealed off from
//! the user's real Aiven state.
//!
//! The command gets the sandbox's URL and token, and a private temporary directory
//! ([`Private`]) removed when it ends: its `bin/` holds only this avn-token and comes first
//! on the command's PATH (the directory this binary lives in came first before, and
//! anything beside it, a `python3` say, shadowed the user's), and its `config/` is where
//! `AIVEN_CONFIG_DIR`, `AIVEN_CREDENTIALS_FILE` and `AIVEN_CLIENT_CONFIG` point, whatever
//! they were, so that `avn-token login`/`logout` or `avn user login` in a test script
//! neither overwrite nor delete the real credentials file, nor send the real token to the
//! sandbox. What the user sets with `--env` comes last and wins: the explicit way to give
//! the command other settings (values inherited from the environment are exactly what is
//! kept out).
//!
//! Platform points, each decided once: how the binary is put in `bin/` ([`place`]), how a
//! command is found ([`locate`]), what a stop is passed on as ([`pass_on_stop`]), and how
//! the command's status becomes ours ([`status_code`], [`exit_with`]).

use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use super::{Heard, Signals};
use crate::diag;
use crate::env_vars::EnvVars;
use crate::exit;
use crate::sandbox::Sandbox;

/// The name the command calls this binary by.
const PROGRAM: &str = "avn-token";
/// Exit codes of a command that could not be started, as shells use them.
const COMMAND_NOT_FOUND: i32 = 127;
const COMMAND_NOT_RUNNABLE: i32 = 126;
const FAILURE: i32 = exit::FAILURE as i32;

/// Run `command` against `sandbox`, with `assignments` (`--env`) set last; its status as a
/// number ([`status_code`]), or ours when it could not run. `signals` are heard meanwhile:
/// Ctrl-C reaches the command directly (it shares our terminal), so we keep serving while
/// it winds down; a stop sent to us alone is passed on to it.
pub(super) async fn run(
    sandbox: &Sandbox,
    command: &[OsString],
    assignments: &[(String, OsString)],
    signals: &mut Signals,
) -> i32 {
    let Some((program, arguments)) = command.split_first() else {
        diag::error("--exec needs a command after `--`");
        return i32::from(exit::USAGE);
    };
    let shown = program.to_string_lossy();
    let private = match Private::create() {
        Ok(private) => private,
        Err(error) => {
            diag::error(&format!(
                "cannot run `{shown}`: cannot make its private directory: {error}"
            ));
            return FAILURE;
        }
    };
    let path = match private.search_path() {
        Ok(path) => path,
        Err(error) => {
            diag::error(&format!(
                "cannot run `{shown}`: cannot put {} first on its PATH: {error}",
                private.bin().display()
            ));
            return FAILURE;
        }
    };
    let config = private.config();
    let mut child = tokio::process::Command::new(locate(program, &path, assignments));
    child
        .args(arguments)
        .env(EnvVars::AIVEN_WEB_URL, sandbox.url())
        .env(EnvVars::AIVEN_AUTH_TOKEN, sandbox.token().expose())
        .env(EnvVars::AIVEN_CONFIG_DIR, &config)
        .env(
            EnvVars::AIVEN_CREDENTIALS_FILE,
            config.join("aiven-credentials.json"),
        )
        .env(
            EnvVars::AIVEN_CLIENT_CONFIG,
            config.join("aiven-client.json"),
        )
        .env(EnvVars::PATH, &path)
        .envs(assignments.iter().map(|(name, value)| (name, value)));
    let code = match child.spawn() {
        Ok(mut running) => match wait(&mut running, signals).await {
            Ok(status) => status_code(status),
            Err(error) => {
                diag::error(&format!("lost track of `{shown}`: {error}"));
                FAILURE
            }
        },
        Err(error) => {
            diag::error(&format!("cannot run `{shown}`: {error}"));
            if error.kind() == io::ErrorKind::NotFound {
                COMMAND_NOT_FOUND
            } else {
                COMMAND_NOT_RUNNABLE
            }
        }
    };
    private.remove();
    code
}

/// The command's private directory: `bin/` (only this avn-token) and `config/` (its Aiven
/// settings), in a new directory of the system's temporary directory that only we may
/// enter (mode 0700 on Unix). Removed with everything in it when the command has ended.
struct Private {
    dir: tempfile::TempDir,
}

impl Private {
    fn create() -> io::Result<Private> {
        let dir = tempfile::Builder::new()
            .prefix("avn-token-exec-")
            .tempdir()?;
        let private = Private { dir };
        std::fs::create_dir(private.bin())?;
        std::fs::create_dir(private.config())?;
        let name = format!("{PROGRAM}{}", std::env::consts::EXE_SUFFIX);
        place(&std::env::current_exe()?, &private.bin().join(name))?;
        Ok(private)
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// Our PATH with `bin/` first.
    fn search_path(&self) -> Result<OsString, std::env::JoinPathsError> {
        let rest = std::env::var_os(EnvVars::PATH);
        let dirs = std::iter::once(self.bin()).chain(rest.iter().flat_map(std::env::split_paths));
        std::env::join_paths(dirs)
    }

    /// Remove it, saying so if that fails (Windows keeps a file a process still has open:
    /// something the command left running in the background).
    fn remove(self) {
        let path = self.dir.path().to_owned();
        if let Err(error) = self.dir.close() {
            diag::warn(&format!(
                "cannot remove --exec's private directory {}: {error}",
                path.display()
            ));
        }
    }
}

/// Put this binary at `at`. Unix: a symbolic link (nothing copied; the command runs this
/// very file). Windows: a hard link, else a copy, as a symbolic link needs a privilege
/// there (Developer Mode or an administrator); `at` carries the `.exe` PATH lookup wants.
fn place(exe: &Path, at: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(exe, at)
    }
    #[cfg(not(unix))]
    {
        std::fs::hard_link(exe, at).or_else(|_| std::fs::copy(exe, at).map(drop))
    }
}

/// What to start for `program`. Windows: a name without directory or extension is looked
/// up as cmd.exe does, with each extension of PATHEXT in each directory of the command's
/// PATH (`find_with_extensions`), since std's `Command` tries `.exe` only (`npm`, which
/// is `npm.cmd`, was not found). A `.bat` or `.cmd` is then run by std through cmd.exe with
/// its arguments escaped for it, or refused when they cannot be passed safely (Rust
/// 1.77.2's fix of BatBadBut, CVE-2024-24576): never `cmd /C` by hand. Unlike cmd.exe, the
/// current directory is not searched, as std does not. Elsewhere the system's own search
/// (execvp's, on the command's PATH) is left to do it.
fn locate(program: &OsStr, path: &OsStr, assignments: &[(String, OsString)]) -> PathBuf {
    #[cfg(windows)]
    {
        // The PATH the command gets: ours, unless `--env` set one (names are
        // case-insensitive on Windows).
        let path = assignments
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case(EnvVars::PATH))
            .map_or(path, |(_, value)| value.as_os_str());
        let extensions =
            std::env::var_os(EnvVars::PATHEXT).unwrap_or_else(|| OsString::from(DEFAULT_PATHEXT));
        if let Some(found) = find_with_extensions(program, path, &extensions, Path::is_file) {
            return found;
        }
    }
    let _ = (path, assignments);
    PathBuf::from(program)
}

/// What cmd.exe uses when PATHEXT is not set.
#[cfg(any(windows, test))]
const DEFAULT_PATHEXT: &str = ".COM;.EXE;.BAT;.CMD";

/// The first `DIR/PROGRAM.EXT` that `is_file`, for each directory of `path` in order and
/// each extension of `extensions` (PATHEXT's `;`-separated list) in order; `None` when
/// `program` has a directory or an extension of its own, or nothing is found.
#[cfg(any(windows, test))]
fn find_with_extensions(
    program: &OsStr,
    path: &OsStr,
    extensions: &OsStr,
    is_file: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let name = Path::new(program);
    if name.components().count() != 1 || name.extension().is_some() {
        return None;
    }
    let extensions = extensions.to_string_lossy();
    let extensions: Vec<&str> = extensions
        .split(';')
        .filter(|extension| extension.len() > 1 && extension.starts_with('.'))
        .collect();
    std::env::split_paths(path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .flat_map(|dir| {
            extensions.iter().map(move |extension| {
                let mut file = program.to_owned();
                file.push(extension);
                dir.join(file)
            })
        })
        .find(|candidate| is_file(candidate))
}

/// Wait for the command, hearing `signals` meanwhile.
async fn wait(child: &mut tokio::process::Child, signals: &mut Signals) -> io::Result<ExitStatus> {
    loop {
        tokio::select! {
            status = child.wait() => return status,
            heard = signals.next() => match heard {
                // The command got it too, from the terminal: it decides, and may well go
                // on (an interactive shell does); we keep serving until it has ended.
                Heard::Interrupt => {}
                Heard::Terminate => pass_on_stop(child),
            },
        }
    }
}

/// A stop meant for us alone, passed on to the command. Unix: SIGTERM, which it may
/// handle. Windows: no such signal exists, and the session is ending (the console closed,
/// logoff, shutdown) with seconds left: the command is ended at once (TerminateProcess),
/// so that the final save fits in them.
fn pass_on_stop(child: &mut tokio::process::Child) {
    #[cfg(unix)]
    {
        if let Some(pid) = child.id().and_then(|id| libc::pid_t::try_from(id).ok()) {
            // SAFETY: kill(2) takes plain integers and touches no memory of ours; the pid
            // is our own child's, not yet reaped (we are still waiting for it).
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
    #[cfg(not(unix))]
    {
        let _ = child.start_kill();
    }
}

/// The command's status as a number: its exit code, or 128 + N when signal N ended it, as
/// shells report it (Unix). A Windows exit code is 32 bits (`0xC000013A`, a console closed
/// under the command, reads as a negative number) and is kept whole.
fn status_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    FAILURE
}

/// `code` as this process's exit status: the `u8` every command returns, which holds every
/// Unix status. Windows exit codes are 32 bits, so a wider one ends the process here with
/// the code whole (everything is stopped, saved and removed by now; stdout is flushed
/// first, as `exit` does not).
pub(super) fn exit_with(code: i32) -> u8 {
    if let Ok(code) = u8::try_from(code) {
        return code;
    }
    #[cfg(windows)]
    {
        let _ = io::Write::flush(&mut io::stdout());
        std::process::exit(code);
    }
    #[cfg(not(windows))]
    exit::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_name_is_found_with_each_extension_in_each_directory_in_order() {
        let dirs = ["first", "second"].map(PathBuf::from);
        let path = std::env::join_paths(&dirs).expect("a PATH");
        // File names compare without case, as on Windows.
        let present = |files: &[&'static str]| {
            let files = files.to_vec();
            move |candidate: &Path| {
                let candidate = candidate.to_string_lossy().to_lowercase();
                files.iter().any(|file| candidate == *file)
            }
        };
        let extensions = OsStr::new(DEFAULT_PATHEXT);
        let find = |program: &str, files: &[&'static str]| {
            find_with_extensions(OsStr::new(program), &path, extensions, present(files))
        };
        assert_eq!(
            find("npm", &["second/npm.cmd"]),
            Some(PathBuf::from("second/npm.CMD"))
        );
        let npm = ["second/npm.cmd", "second/npm.bat"];
        assert_eq!(
            find("npm", &npm),
            Some(PathBuf::from("second/npm.BAT")),
            "PATHEXT's order within a directory"
        );
        let both = ["first/npm.bat", "second/npm.exe"];
        assert_eq!(
            find("npm", &both),
            Some(PathBuf::from("first/npm.BAT")),
            "the first directory wins over a better extension later"
        );
        let exe_first = ["first/npm.exe", "first/npm.cmd"];
        assert_eq!(
            find("npm", &exe_first),
            Some(PathBuf::from("first/npm.EXE"))
        );
        assert_eq!(find("npm", &["third/npm.cmd"]), None);
        // A name with a directory or an extension of its own is run as it is, even where
        // adding an extension would find a file.
        let decoys = [
            "first/npm.cmd",
            "first/npm.cmd.cmd",
            "first/dir/npm.cmd",
            "first/./npm.cmd",
        ];
        for named in ["npm.cmd", "dir/npm", "./npm"] {
            assert_eq!(find(named, &decoys), None, "{named}");
        }
        // Only `.EXT` entries count: not an empty one, a lone `.`, or one without its dot.
        let odd = find_with_extensions(
            OsStr::new("npm"),
            &path,
            OsStr::new(";;.;CMD;.ps1;.X"),
            present(&["first/npm.ps1", "first/npmcmd", "first/npm."]),
        );
        assert_eq!(
            odd,
            Some(PathBuf::from("first/npm.ps1")),
            "only .EXT entries"
        );
    }

    #[test]
    fn a_status_fits_or_is_told_apart() {
        assert_eq!(exit_with(0), 0);
        assert_eq!(exit_with(7), 7);
        assert_eq!(exit_with(255), 255);
        #[cfg(not(windows))]
        {
            assert_eq!(exit_with(256), exit::FAILURE);
            assert_eq!(exit_with(-1), exit::FAILURE);
        }
    }
}
