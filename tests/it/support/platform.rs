//! What the tests need of the operating system where platforms differ, each decided here
//! once, so that no test names `std::os::unix` and every test compiles everywhere.
//!
//! Symbolic links, file modes and signals are Unix's: a test that needs one is marked
//! `#[cfg_attr(not(unix), ignore = "why")]` (listed as ignored there, with the reason), and
//! the helper it calls says so if it is ever reached on another platform. What has a
//! counterpart elsewhere ([`not_utf8_argument`], [`make_private`]) works everywhere.

use std::ffi::OsString;
use std::path::Path;
use std::process::Child;

/// Why a helper of Unix's was reached on another platform: its test should be ignored there.
#[cfg(not(unix))]
#[track_caller]
fn unix_only(what: &str) -> ! {
    panic!(
        "{what} is Unix's: mark the test #[cfg_attr(not(unix), ignore = \"...\")] (support::platform)"
    )
}

/// A symbolic link at `link` to `target` (relative to the link's directory when relative).
/// Unix only: on Windows a link needs a privilege most accounts lack.
#[track_caller]
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).expect("create a symbolic link");
    #[cfg(not(unix))]
    {
        let _ = (target, link);
        unix_only("a symbolic link")
    }
}

/// Set the permission bits of `path` (`0o600`). Unix only: Windows has access control lists.
#[track_caller]
pub fn set_mode(path: impl AsRef<Path>, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        unix_only("a file mode")
    }
}

/// The permission bits of `path` (`0o600`, without the file type). Unix only.
#[track_caller]
pub fn mode(path: impl AsRef<Path>) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).expect("stat").permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        unix_only("a file mode")
    }
}

/// Make a file private as `login` writes one (mode 0600 on Unix), so that no warning about
/// its mode joins a command's output. On Windows a file has the access rules of its folder,
/// which avn-token neither sets nor checks: nothing to do.
#[track_caller]
pub fn make_private(path: impl AsRef<Path>) {
    #[cfg(unix)]
    set_mode(path, 0o600);
    #[cfg(not(unix))]
    let _ = path;
}

/// Make a script runnable by its name (mode 0755 on Unix). Windows runs a file by its
/// extension, not by a mode: nothing to do.
#[track_caller]
pub fn make_executable(path: impl AsRef<Path>) {
    #[cfg(unix)]
    set_mode(path, 0o755);
    #[cfg(not(unix))]
    let _ = path;
}

/// Send `signal` (`INT`, `TERM`) to a process, as `kill -SIGNAL` does. Unix only: Windows
/// has no signals to send to another process.
#[track_caller]
pub fn send_signal(process: &Child, signal: &str) {
    #[cfg(unix)]
    super::Cmd::new("kill")
        .arg(format!("-{signal}"))
        .arg(process.id().to_string())
        .run()
        .success();
    #[cfg(not(unix))]
    {
        let _ = (process, signal);
        unix_only("a signal")
    }
}

/// A command-line argument that is not valid Unicode, as each platform allows one: bytes
/// that are not UTF-8 on Unix, an unpaired surrogate (UTF-16) on Windows.
pub fn not_utf8_argument() -> OsString {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        OsString::from_vec(b"\xff\xfe".to_vec())
    }
    #[cfg(windows)]
    {
        use std::os::windows::ffi::OsStringExt;
        OsString::from_wide(&[0xD800])
    }
}
