//! The local files this tool reads and writes.
//!
//! [`read_regular`] is the one way a file is read (the credentials file, `--auth-ca`, the
//! sandbox's `--state` file): only regular files, of bounded size, so a path pointing at
//! `/dev/zero`, a FIFO or a huge file gives a clear error instead of exhausting memory or
//! hanging.
//!
//! Both files this tool writes hold live tokens (the credentials file that `login` writes
//! and the sandbox's `--state` file), so there is one writer for them: [`write_private`]
//! replaces a file atomically and durably, readable by its owner only. The bytes go to a
//! new temporary file in the same directory (a `tempfile::NamedTempFile`, created
//! exclusively, mode 0600 before anything is written, so a planted symlink or a loose mode
//! cannot expose them), are fsynced, renamed over the target (retried briefly on Windows
//! while another process has the target open), and the directory is fsynced: a crash, even
//! SIGKILL or power loss, leaves the old file or the new one, never a mix.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::Duration;

use tempfile::NamedTempFile;

/// The contents of the regular file at `path` (symlinks followed), or `Ok(None)` when
/// nothing is there ([`truly_missing`]). Anything else (a directory, a FIFO, a device) and
/// any file larger than `limit` bytes is an error that says so; nothing is read from them.
pub(crate) fn read_regular(path: &Path, limit: u64) -> io::Result<Option<Vec<u8>>> {
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => {
            return Err(io::Error::other(format!(
                "not a regular file (it is {})",
                kind_of(&meta)
            )));
        }
        Ok(meta) if meta.len() > limit => return Err(too_large(limit)),
        Ok(_) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return truly_missing(path).map(|()| None);
        }
        Err(error) => return Err(error),
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Should the path be swapped for a FIFO after the check above, opening it must
        // not wait for a writer.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(Some(bytes))
}

/// For a `path` the system did not find: `Ok` when nothing is there, an error when the
/// path runs through a file (`plain-file/aiven-credentials.json`, a mistaken
/// `AIVEN_CONFIG_DIR`), which must not read as "not logged in".
///
/// Unix reports such a path as ENOTDIR ("Not a directory") by itself; Windows reports it as
/// not found (ERROR_PATH_NOT_FOUND, which Rust maps to `NotFound`). Checked here on every
/// platform, so both say the same: the nearest part of the path that exists must be a
/// directory.
pub(crate) fn truly_missing(path: &Path) -> io::Result<()> {
    let parents = path
        .ancestors()
        .skip(1)
        .take_while(|ancestor| !ancestor.as_os_str().is_empty());
    for parent in parents {
        match fs::metadata(parent) {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    format!("Not a directory: {} is a file", parent.display()),
                ));
            }
            Err(_) => continue,
        }
    }
    Ok(())
}

fn too_large(limit: u64) -> io::Error {
    io::Error::other(format!("larger than {} KiB", limit / 1024))
}

/// What a file that is not a regular file is, for a message: "a directory", "a FIFO"...
/// (`meta` from `symlink_metadata` may also say "a symbolic link").
pub(crate) fn kind_of(meta: &fs::Metadata) -> &'static str {
    if meta.is_dir() {
        return "a directory";
    }
    if meta.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = meta.file_type();
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() || kind.is_block_device() {
            return "a device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    "not a plain file"
}

/// Replace `path` with `bytes` (see the module comment). On failure the temporary file is
/// removed and the old file is untouched.
///
/// A symbolic link at `path` itself is replaced by the new file, never written through:
/// callers that must not do that decide first (the credentials store refuses a link, the
/// sandbox writes to where its state file's link leads).
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the path names no file"))?;
    // Removed when dropped, so every early return below leaves nothing behind.
    let mut temp = create_temp(dir, name)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    persist(temp, path, rename_may_succeed_later, &RENAME_RETRY_DELAYS)?;
    sync_dir(dir)
}

/// `.NAME.PID.N.tmp` next to the target, created exclusively (a symlink planted at that
/// name is not followed: the name is taken and the next one tried) with mode 0600, tempfile's
/// mode for a new file, before a byte is written. The name's shape is what the sandbox
/// (`sandbox::persist`) recognises to remove what a killed sandbox left behind.
fn create_temp(dir: &Path, name: &OsStr) -> io::Result<NamedTempFile> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let mut prefix = OsString::from(".");
        prefix.push(name);
        prefix.push(format!(".{pid}.{attempt}"));
        let created = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .rand_bytes(0)
            .tempfile_in(dir);
        match created {
            Ok(temp) => return Ok(temp),
            // Left over by a killed process that had the same pid: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("could not create a temporary file"))
}

/// How long to wait before each new try of a rename that may succeed later: about a second
/// in all, then the error is reported.
const RENAME_RETRY_DELAYS: [Duration; 7] = [
    Duration::from_millis(10),
    Duration::from_millis(20),
    Duration::from_millis(40),
    Duration::from_millis(80),
    Duration::from_millis(160),
    Duration::from_millis(320),
    Duration::from_millis(640),
];

/// Rename `temp` over `path`, trying again after each of `delays` while the failure is one
/// that `may_succeed_later`. The temporary is removed if it never succeeds.
fn persist(
    mut temp: NamedTempFile,
    path: &Path,
    may_succeed_later: impl Fn(&io::Error) -> bool,
    delays: &[Duration],
) -> io::Result<()> {
    let mut delays = delays.iter();
    loop {
        match temp.persist(path) {
            Ok(_) => return Ok(()),
            Err(failed) => match delays.next() {
                Some(delay) if may_succeed_later(&failed.error) => {
                    temp = failed.file;
                    std::thread::sleep(*delay);
                }
                _ => return Err(failed.error),
            },
        }
    }
}

/// Windows refuses to rename over a file that another process holds open (an editor, a
/// virus scanner, a backup or search indexer), with ERROR_ACCESS_DENIED or
/// ERROR_SHARING_VIOLATION, until that process lets go, usually within milliseconds. On
/// Unix a rename never depends on who has the file open, and these numbers mean other
/// things (EIO, EPIPE): nothing is retried there.
fn rename_may_succeed_later(error: &io::Error) -> bool {
    const ERROR_ACCESS_DENIED: i32 = 5;
    const ERROR_SHARING_VIOLATION: i32 = 32;
    cfg!(windows)
        && matches!(
            error.raw_os_error(),
            Some(ERROR_ACCESS_DENIED | ERROR_SHARING_VIOLATION)
        )
}

/// Make the rename durable (Linux needs the directory fsynced). Windows has no such call
/// for a directory (std cannot open one as a file there): the rename is as durable as the
/// file system's metadata journal makes it.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_bounded_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert_eq!(read_regular(&path, 10).unwrap(), None);
        fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular(&path, 10).unwrap().unwrap(), b"0123456789");
        let error = read_regular(&path, 9).unwrap_err().to_string();
        assert!(error.contains("larger than"), "{error}");
        let error = read_regular(dir.path(), 10).unwrap_err().to_string();
        assert!(error.contains("directory"), "{error}");
        #[cfg(unix)]
        {
            let error = read_regular(Path::new("/dev/zero"), 10)
                .unwrap_err()
                .to_string();
            assert!(error.contains("device"), "{error}");
        }
    }

    /// A path through a file is an error on every platform (Windows calls it not found),
    /// a path under a missing directory is nothing there.
    #[test]
    fn a_path_through_a_file_is_not_missing() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        fs::write(&plain, b"x").unwrap();
        let through = plain.join("deeper").join("f");
        let error = truly_missing(&through).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotADirectory);
        assert!(
            error.to_string().contains(&plain.display().to_string()),
            "{error}"
        );
        let error = read_regular(&through, 10).unwrap_err().to_string();
        assert!(error.contains("Not a directory"), "{error}");
        let missing = dir.path().join("none").join("deeper").join("f");
        truly_missing(&missing).unwrap();
        assert_eq!(read_regular(&missing, 10).unwrap(), None);
        truly_missing(Path::new("relative-and-missing")).unwrap();
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_private(&path, b"old").unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn a_stale_temporary_does_not_block_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let stale = dir
            .path()
            .join(format!(".state.json.{}.0.tmp", std::process::id()));
        fs::write(&stale, b"left by a killed process").unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    /// A target no rename can replace (a directory holding a file), in `dir`.
    fn occupied(dir: &Path) -> std::path::PathBuf {
        let path = dir.join("occupied");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), b"x").unwrap();
        path
    }

    /// The [`occupied`] target is as it was, and nothing else is left in `dir`.
    #[track_caller]
    fn left_as_it_was(dir: &Path, path: &Path) {
        assert_eq!(fs::read(path.join("keep")).unwrap(), b"x");
        assert_eq!(
            fs::read_dir(dir).unwrap().count(),
            1,
            "the temporary was removed"
        );
    }

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: the rename fails, and nothing else changes.
        let path = occupied(dir.path());
        assert!(write_private(&path, b"new").is_err());
        left_as_it_was(dir.path(), &path);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_planted_at_the_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let outside = dir.path().join("outside");
        fs::write(&outside, b"precious").unwrap();
        let planted = dir
            .path()
            .join(format!(".state.json.{}.0.tmp", std::process::id()));
        std::os::unix::fs::symlink(&outside, &planted).unwrap();
        write_private(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read(&outside).unwrap(), b"precious");
        assert!(fs::symlink_metadata(&planted).unwrap().is_symlink());
    }

    #[test]
    fn a_rename_that_may_succeed_later_is_tried_a_bounded_number_of_times() {
        let dir = tempfile::tempdir().unwrap();
        let path = occupied(dir.path());
        let tries = std::cell::Cell::new(0);
        let may_succeed_later = |_: &io::Error| {
            tries.set(tries.get() + 1);
            true
        };
        let delays = [Duration::ZERO; 3];
        let temp = create_temp(dir.path(), OsStr::new("occupied")).unwrap();
        assert!(persist(temp, &path, may_succeed_later, &delays).is_err());
        // Four tries: asked after each of the first three failures; the fourth is reported.
        assert_eq!(tries.get(), 3);
        left_as_it_was(dir.path(), &path);
        // Elsewhere than on Windows, no failure is worth a second try.
        let error = io::Error::from_raw_os_error(32);
        assert_eq!(rename_may_succeed_later(&error), cfg!(windows));
    }
}
