//! The `--state` file: the sandbox's tokens and application users across restarts.
//!
//! Writes are atomic: the new state goes to a temporary file in the same directory, is
//! fsynced, renamed over the old one, and the directory is fsynced, so a crash (even
//! SIGKILL or power loss) leaves either the old or the new state, never a mix. A file that
//! cannot be read or parsed stops startup and is never overwritten.
//!
//! When: every change to the set of tokens (create, revoke, rename, expire) is on disk
//! before its answer goes out; concurrent changes share one write (group commit).
//! Last-used bookkeeping (time, IP, agent, an extended expiry) changes on every request,
//! so it is written at most once per [`USAGE_FLUSH_INTERVAL`] and at shutdown: a crash
//! can lose that last second of it, never a token. A change whose write fails is undone
//! (the store goes back to what the file holds) and its request fails: an answer other
//! than 2xx means nothing changed.
//!
//! The file is taken for one sandbox at a time ([`open`]): symlinks are followed once (the
//! target is written, the link stays), a lock file beside it keeps a second sandbox off
//! (on Unix and Windows alike: std's file lock), and temporary files a killed sandbox left
//! behind are removed, which the lock makes safe: no other sandbox can be writing them.
//! Recognising them ([`is_temporary_of`]) depends on the names `files::write_private`
//! gives its temporaries (`.NAME.PID.N.tmp`): a change there must change it too.

use std::fs::{self, File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use super::model::{AppUser, StoredToken};
use super::store::{Data, Mark, Store};

/// A state file larger than this is refused: thousands of tokens take a few MiB.
const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;
pub(crate) const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(1);
/// Marks the file as ours, so a wrong `--state` path fails loudly instead of being replaced.
const FORMAT: &str = "avn-token-sandbox-state";
/// The version written. 2 added application users (and tokens' `app_user`) and the user's
/// `token_validity_begin`; version 1 files (the user's tokens only) are read as well.
const VERSION: u32 = 2;
const VERSIONS_READ: std::ops::RangeInclusive<u32> = 1..=VERSION;

#[derive(Serialize, Deserialize)]
struct Contents {
    format: String,
    version: u32,
    tokens: Vec<StoredToken>,
    #[serde(default)]
    application_users: Vec<AppUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_validity_begin: Option<DateTime<Utc>>,
}

/// Why a state file cannot be used; startup stops and the file is left as it is. The cause
/// is in the text and is not also the error's `source` (a field so named would be), which
/// the one-line report would repeat.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadError {
    #[error("cannot read the sandbox state file {path}: {cause}")]
    Read { path: PathBuf, cause: io::Error },
    #[error(
        "the sandbox state file {path} is not valid ({why}); it was left untouched: \
         fix or remove it, or pass another --state file"
    )]
    Invalid { path: PathBuf, why: String },
    #[error("cannot lock the sandbox state file {path} (lock file {}): {cause}", lock.display())]
    Lock {
        path: PathBuf,
        lock: PathBuf,
        cause: io::Error,
    },
    #[error(
        "the sandbox state file {path} is in use by another sandbox{}: stop that one, or \
         pass another --state file",
        holder.map(|pid| format!(" (process {pid})")).unwrap_or_default()
    )]
    Locked { path: PathBuf, holder: Option<u32> },
}

impl LoadError {
    /// The same error naming `path` (as the user gave it, not where a symlink led).
    fn shown_as(self, path: &Path) -> LoadError {
        let path = path.to_owned();
        match self {
            LoadError::Read { cause, .. } => LoadError::Read { path, cause },
            LoadError::Invalid { why, .. } => LoadError::Invalid { path, why },
            LoadError::Lock { lock, cause, .. } => LoadError::Lock { path, lock, cause },
            LoadError::Locked { holder, .. } => LoadError::Locked { path, holder },
        }
    }
}

/// The data in `path`, or `None` for a first start: no such file yet, or an empty one.
fn load(path: &Path) -> Result<Option<Data>, LoadError> {
    let bytes = match crate::files::read_regular(path, MAX_STATE_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(cause) => {
            return Err(LoadError::Read {
                path: path.to_owned(),
                cause,
            });
        }
    };
    // An empty file is one made for us (`mktemp`, `touch`): every save replaces the file
    // whole, so a state this sandbox wrote is never empty and nothing is lost by starting.
    if bytes.is_empty() {
        return Ok(None);
    }
    let invalid = |why: String| LoadError::Invalid {
        path: path.to_owned(),
        why,
    };
    let state: Contents = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
    if state.format != FORMAT || !VERSIONS_READ.contains(&state.version) {
        return Err(invalid(format!(
            "expected format \"{FORMAT}\" version {} to {VERSION}, found \"{}\" version {}",
            VERSIONS_READ.start(),
            state.format,
            state.version
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for token in &state.tokens {
        if token.full_token.trim().is_empty() || !seen.insert(token.full_token.as_str()) {
            return Err(invalid(format!(
                "empty or duplicate token (prefix '{}')",
                token.prefix()
            )));
        }
    }
    let mut users = std::collections::HashSet::new();
    for user in &state.application_users {
        if !users.insert(user.user_id.as_str()) {
            return Err(invalid(format!(
                "duplicate application user {}",
                user.user_id
            )));
        }
    }
    if let Some(orphan) = state.tokens.iter().find(|t| {
        t.app_user
            .as_ref()
            .is_some_and(|id| !users.contains(id.as_str()))
    }) {
        return Err(invalid(format!(
            "token '{}' belongs to no known application user",
            orphan.prefix()
        )));
    }
    Ok(Some(Data {
        tokens: state.tokens,
        app_users: state.application_users,
        token_validity_begin: state.token_validity_begin,
    }))
}

/// The file's bytes for this data.
fn encode(data: Data) -> Result<Vec<u8>, io::Error> {
    let state = Contents {
        format: FORMAT.to_owned(),
        version: VERSION,
        tokens: data.tokens,
        application_users: data.app_users,
        token_validity_begin: data.token_validity_begin,
    };
    let mut bytes = serde_json::to_vec_pretty(&state).map_err(io::Error::other)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// The state file of a running sandbox (held locked) and how far it is known to be
/// written.
pub(crate) struct StateFile {
    lease: Lease,
    /// What the file on disk holds. The lock is held across each write, on the blocking
    /// thread doing it, so writes never overlap and never go back in time, even when the
    /// request that started one is cancelled half-way.
    durable: Arc<Mutex<Durable>>,
    /// `durable.mark.changes`, readable without waiting for a write in progress: the async
    /// thread checks it and must never block on the disk.
    durable_changes: Arc<AtomicU64>,
}

/// The file's contents as last written, and how far the store they came from had changed.
struct Durable {
    mark: Mark,
    data: Data,
}

impl StateFile {
    /// `on_disk`: what the file already holds (the store as loaded from it).
    pub(crate) fn new(lease: Lease, on_disk: &Store) -> StateFile {
        StateFile {
            lease,
            durable: Arc::new(Mutex::new(Durable {
                mark: on_disk.mark(),
                data: on_disk.data().clone(),
            })),
            durable_changes: Arc::new(AtomicU64::new(on_disk.mark().changes)),
        }
    }

    /// The path as given (`--state`), for messages.
    pub(crate) fn path(&self) -> &Path {
        &self.lease.given
    }

    /// Return once the store's changes up to `changes` (what a request made or saw) are on
    /// disk. Whoever writes takes the newest state, which covers everyone queued behind
    /// (group commit). A failed write rolls the store back to what the file holds, and
    /// fails every request that made or saw a change it undid: an answer other than 2xx
    /// means nothing changed, and no 2xx shows a change that was undone.
    pub(crate) async fn persist_through(
        &self,
        store: &Arc<Mutex<Store>>,
        changes: u64,
    ) -> io::Result<()> {
        // The store lock is held only for a look (never across the disk): a change lost by
        // a rollback must fail even if later changes have been written since.
        if let Some(why) = super::lock(store).lost(changes) {
            return Err(io::Error::other(why.to_owned()));
        }
        if self.durable_changes.load(Ordering::Acquire) >= changes {
            return Ok(());
        }
        self.write(store, Needed::Through(changes)).await
    }

    /// Write the store if anything, uses included, changed since the last write. A failure
    /// changes nothing: the changes it covered are written (or rolled back) by the requests
    /// that made them.
    pub(crate) async fn flush(&self, store: &Arc<Mutex<Store>>) -> io::Result<()> {
        self.write(store, Needed::Anything).await
    }

    /// On a blocking thread: lock the file, snapshot the store, and write the snapshot if
    /// still `needed`.
    async fn write(&self, store: &Arc<Mutex<Store>>, needed: Needed) -> io::Result<()> {
        let store = store.clone();
        let (durable, durable_changes) = (self.durable.clone(), self.durable_changes.clone());
        let path = self.lease.target.clone();
        tokio::task::spawn_blocking(move || {
            let mut on_disk = super::lock(&durable);
            let (mark, data) = {
                let store = super::lock(&store);
                let mark = store.mark();
                let wanted = match needed {
                    Needed::Through(changes) => {
                        if let Some(why) = store.lost(changes) {
                            return Err(io::Error::other(why.to_owned()));
                        }
                        on_disk.mark.changes < changes
                    }
                    Needed::Anything => on_disk.mark != mark,
                };
                if !wanted {
                    return Ok(());
                }
                (mark, store.data().clone())
            };
            let written =
                encode(data.clone()).and_then(|bytes| crate::files::write_private(&path, &bytes));
            match written {
                Ok(()) => {
                    *on_disk = Durable { mark, data };
                    durable_changes.store(mark.changes, Ordering::Release);
                    Ok(())
                }
                Err(error) if matches!(needed, Needed::Through(_)) => {
                    let why = format!("{error}; nothing was changed");
                    let mut store = super::lock(&store);
                    store.roll_back(on_disk.data.clone(), on_disk.mark, &why);
                    // The store holds what the file holds again: what it shows from now on
                    // needs no write (the changes it undid fail on their own).
                    on_disk.mark = store.mark();
                    durable_changes.store(on_disk.mark.changes, Ordering::Release);
                    Err(io::Error::new(error.kind(), why))
                }
                Err(error) => Err(error),
            }
        })
        .await
        .map_err(io::Error::other)?
    }
}

/// When [`StateFile::write`] writes.
#[derive(Clone, Copy)]
enum Needed {
    /// Unless the changes up to this one are on disk already (or were lost).
    Through(u64),
    /// Unless the file holds the store as it is, uses included.
    Anything,
}

/// A `--state` path taken for this sandbox: where it really is, and the lock that keeps
/// other sandboxes off it for as long as this one runs.
pub(crate) struct Lease {
    /// The path as given, for messages.
    given: PathBuf,
    /// Where it leads, symlinks followed once at start: the file written (through the
    /// link, which stays a link).
    target: PathBuf,
    /// The lock file beside the target, locked while this is alive.
    _lock: File,
}

/// Take `given` for this sandbox: follow symlinks, lock it (another sandbox on the same
/// file refuses to start, as they would overwrite each other's acknowledged changes),
/// remove temporary files a killed sandbox left beside it (they hold full tokens), and
/// read what it holds (`None`: no file yet).
pub(crate) fn open(given: &Path) -> Result<(Lease, Option<Data>), LoadError> {
    let unreadable = |cause: io::Error| LoadError::Read {
        path: given.to_owned(),
        cause,
    };
    let target = resolve(given).map_err(unreadable)?;
    // Nothing is created beside a device, a FIFO or a directory (not even the lock file).
    match fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => {
            return Err(unreadable(io::Error::other("not a regular file")));
        }
        _ => {}
    }
    let lock = lock(given, &target)?;
    remove_stale_temporaries(&target);
    let data = load(&target).map_err(|error| error.shown_as(given))?;
    let lease = Lease {
        given: given.to_owned(),
        target,
        _lock: lock,
    };
    Ok((lease, data))
}

/// `path` with symlinks in its last component followed (to where the link points, even
/// when nothing is there yet); other paths as they are.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_owned();
    // As the kernel does: a chain this long is a loop.
    for _ in 0..40 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(path),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(path),
            Err(error) => return Err(error),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// `dir/.NAME.SUFFIX` for the state file `dir/NAME`.
fn beside(target: &Path, suffix: &str) -> Option<PathBuf> {
    let name = target.file_name()?;
    let mut hidden = std::ffi::OsString::from(".");
    hidden.push(name);
    hidden.push(suffix);
    Some(target.with_file_name(hidden))
}

/// Lock `.NAME.lock` beside the state file, for as long as the returned file is open, and
/// write our process ID in it (for the message a second sandbox gives). A lock file rather
/// than the state file itself, as every write replaces the state file by another. It is
/// left in place when we stop: removing it would let two later sandboxes lock two
/// different files.
///
/// std's `File::try_lock` is `flock` on Unix and `LockFileEx` on Windows. A lock held by
/// someone else is waited for a moment ([`LOCK_WAIT`]) before the file is called busy: an
/// `flock` belongs to the open file, which a process forked by ours shares until it execs
/// (a test's or `--exec`'s child, started by another thread just before a sandbox in the
/// same process stopped), so a state file can stay locked a few milliseconds after its
/// sandbox has gone (issue 21: restarts in a process that starts other processes failed
/// three times out of four without the wait).
fn lock(given: &Path, target: &Path) -> Result<File, LoadError> {
    use std::io::{Read, Seek, Write};

    let failed = |lock: &Path, cause: io::Error| LoadError::Lock {
        path: given.to_owned(),
        lock: lock.to_owned(),
        cause,
    };
    let path =
        beside(target, ".lock").ok_or_else(|| failed(target, io::Error::other("no file name")))?;
    let failed = |cause| failed(&path, cause);
    let mut file = open_lock_file(&path).map_err(failed)?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if started.elapsed() < LOCK_WAIT => {
                std::thread::sleep(LOCK_POLL);
            }
            Err(TryLockError::WouldBlock) => {
                // Windows locks are mandatory: the holder's ID cannot be read there, and
                // the message then names no process.
                let mut holder = String::new();
                let _ = (&file).take(32).read_to_string(&mut holder);
                return Err(LoadError::Locked {
                    path: given.to_owned(),
                    holder: holder.trim().parse().ok(),
                });
            }
            Err(TryLockError::Error(error)) => return Err(failed(error)),
        }
    }
    let pid = std::process::id().to_string();
    let written = file
        .set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| file.write_all(pid.as_bytes()));
    written.map_err(failed)?;
    Ok(file)
}

/// How long a lock held elsewhere is waited for (see [`lock`]), and how often it is tried.
const LOCK_WAIT: Duration = Duration::from_secs(2);
const LOCK_POLL: Duration = Duration::from_millis(10);

/// Open (or create) the lock file, refusing a symbolic link planted in its place: the
/// sandbox would otherwise create or truncate whatever the link points at.
fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    let link = || io::Error::other("it is a symbolic link");
    // Unix: O_NOFOLLOW makes opening a link fail (ELOOP), with no window between a check
    // and the open; the file is the owner's alone, like the state file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
        options
            .open(path)
            .map_err(|error| match error.raw_os_error() {
                Some(libc::ELOOP) => link(),
                _ => error,
            })
    }
    // Windows: FILE_FLAG_OPEN_REPARSE_POINT opens a link itself rather than its target,
    // which the opened file's type then shows. (Modes do not exist there.)
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
        options.custom_flags(FILE_FLAG_OPEN_REPARSE_POINT);
        let file = options.open(path)?;
        if file.metadata()?.file_type().is_symlink() {
            return Err(link());
        }
        Ok(file)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = link;
        options.open(path)
    }
}

/// Remove `.NAME.PID.N.tmp` files beside the state file `NAME`: the temporaries
/// `files::write_private` makes, left behind when a sandbox was killed mid-write (with
/// the lock held, no other sandbox can be writing them). Anything else is left alone.
fn remove_stale_temporaries(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Some(name) = name.to_str() else { return };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let is_ours = file_name
            .to_str()
            .is_some_and(|candidate| is_temporary_of(name, candidate));
        if is_ours && entry.file_type().is_ok_and(|kind| kind.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether `candidate` is `.NAME.PID.N.tmp` for `name` (PID and N decimal digits).
fn is_temporary_of(name: &str, candidate: &str) -> bool {
    let numbers = candidate
        .strip_prefix('.')
        .and_then(|rest| rest.strip_prefix(name))
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".tmp"));
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    numbers
        .and_then(|numbers| numbers.split_once('.'))
        .is_some_and(|(pid, n)| digits(pid) && digits(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_temporaries_are_recognised() {
        assert!(is_temporary_of("state.json", ".state.json.1234.0.tmp"));
        assert!(is_temporary_of("state.json", ".state.json.1.99.tmp"));
        for other in [
            "state.json",
            ".state.json.lock",
            ".state.json.1234.tmp",
            ".state.json.x.0.tmp",
            ".state.json.1.2.3.tmp",
            ".state.json..0.tmp",
            ".other.json.1.0.tmp",
            "state.json.1.0.tmp",
            ".state.json.1.0.tmp.bak",
        ] {
            assert!(!is_temporary_of("state.json", other), "{other}");
        }
    }
}
