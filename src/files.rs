//! The local files this tool reads and writes.
//!
//! [`read_regular`] is the one way a file is read (the credentials file, `--auth-ca`, the
//! sandbox's `--state` file): only regular files, of bounded size, so a path pointing at
//! `/dev/zero`, a FIFO or a huge file gives a clear error instead of exhausting memory or
//! hanging.
//!
//! Both files this tool writes hold live tokens (the credentials file that `login` writes
//! and the sandbox's `--state` file), so there is one writer for them: [`write_private`] replaces a file atomically and durably, readable by its owner only. The bytes go to a new temporary file in the same directory (created exclusively, mode
//! 0600 before anything is written, so a planted symlink or a loose mode cannot expose
//! them), are fsynced, renamed over the target, and the directory is fsynced: a crash,
//! even SIGKILL or power loss, leaves the old file or the new one, never a mix.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The contents of the regular file at `path` (symlinks followed), or `Ok(None)` when
/// nothing is there. Anything else (a directory, a FIFO, a device) and any file larger
/// than `limit` bytes is an error that says so; nothing is read from them.
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
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
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
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the path names no file"))?;
    let (temp, mut file) = create_temp(dir, name)?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file); // closed before the rename, which Windows requires
        fs::rename(&temp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// `.NAME.PID.N.tmp` next to the target, created exclusively with mode 0600.
fn create_temp(dir: &Path, name: &OsStr) -> io::Result<(PathBuf, File)> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{pid}.{attempt}.tmp"));
        let candidate = dir.join(temp_name);
        match options.open(&candidate) {
            Ok(file) => return Ok((candidate, file)),
            // Left over by a killed process that had the same pid: try the next name.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("could not create a temporary file"))
}

/// Make the rename durable (Linux needs the directory fsynced); not possible on Windows.
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

    #[test]
    fn a_failed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a directory: the rename fails, and nothing else changes.
        let path = dir.path().join("occupied");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("keep"), b"x").unwrap();
        assert!(write_private(&path, b"new").is_err());
        assert_eq!(fs::read(path.join("keep")).unwrap(), b"x");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "the temporary was removed"
        );
    }
}
