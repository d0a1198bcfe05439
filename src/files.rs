//! The local files this tool writes: both hold live tokens (the credentials file that
//! `login` writes and the sandbox's `--state` file), so there is one writer for them.
//!
//! [`write_private`] replaces a file atomically and durably, readable by its owner only. The bytes go to a new temporary file in the same directory (created exclusively, mode
//! 0600 before anything is written, so a planted symlink or a loose mode cannot expose
//! them), are fsynced, renamed over the target, and the directory is fsynced: a crash,
//! even SIGKILL or power loss, leaves the old file or the new one, never a mix.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
