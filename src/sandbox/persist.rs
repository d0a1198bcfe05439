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
//! can lose that last second of it, never a token.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// Why a state file cannot be used; startup stops and the file is left as it is.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadError {
    #[error("cannot read the sandbox state file {path}: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "the sandbox state file {path} is not valid ({why}); it was left untouched: \
         fix or remove it, or pass another --state file"
    )]
    Invalid { path: PathBuf, why: String },
}

/// The data in `path`, or `None` when there is no such file yet (a first start).
pub(crate) fn load(path: &Path) -> Result<Option<Data>, LoadError> {
    let bytes = match crate::files::read_regular(path, MAX_STATE_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(source) => {
            return Err(LoadError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let invalid = |why: String| LoadError::Invalid {
        path: path.to_owned(),
        why,
    };
    if bytes.is_empty() {
        return Err(invalid("the file is empty".into()));
    }
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

/// The state file of a running sandbox and how far it is known to be written.
pub(crate) struct StateFile {
    path: PathBuf,
    /// What the file on disk holds. The lock is held across each write, on the blocking
    /// thread doing it, so writes never overlap and never go back in time, even when the
    /// request that started one is cancelled half-way.
    durable: Arc<Mutex<Mark>>,
    /// `durable.changes`, readable without waiting for a write in progress: the async
    /// thread checks it and must never block on the disk.
    durable_changes: Arc<AtomicU64>,
}

impl StateFile {
    /// `on_disk`: what the file already holds (the store as loaded from it).
    pub(crate) fn new(path: PathBuf, on_disk: Mark) -> StateFile {
        StateFile {
            path,
            durable: Arc::new(Mutex::new(on_disk)),
            durable_changes: Arc::new(AtomicU64::new(on_disk.changes)),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Return once the store's changes up to `changes` are on disk. Whoever writes takes
    /// the newest state, which covers everyone queued behind (group commit).
    pub(crate) async fn persist_through(
        &self,
        store: &Arc<Mutex<Store>>,
        changes: u64,
    ) -> io::Result<()> {
        if self.durable_changes.load(Ordering::Acquire) >= changes {
            return Ok(());
        }
        self.write(store, move |on_disk, _| on_disk.changes < changes)
            .await
    }

    /// Write the store if anything, uses included, changed since the last write.
    pub(crate) async fn flush(&self, store: &Arc<Mutex<Store>>) -> io::Result<()> {
        self.write(store, |on_disk, now| on_disk != now).await
    }

    /// On a blocking thread: lock the file, snapshot the store, and write the snapshot if
    /// `needed(on disk, snapshot)` still says so.
    async fn write(
        &self,
        store: &Arc<Mutex<Store>>,
        needed: impl FnOnce(Mark, Mark) -> bool + Send + 'static,
    ) -> io::Result<()> {
        let store = store.clone();
        let (durable, durable_changes) = (self.durable.clone(), self.durable_changes.clone());
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut on_disk = super::lock(&durable);
            let (mark, data) = {
                let store = super::lock(&store);
                (store.mark(), store.data().clone())
            };
            if !needed(*on_disk, mark) {
                return Ok(());
            }
            crate::files::write_private(&path, &encode(data)?)?;
            *on_disk = mark;
            durable_changes.store(mark.changes, Ordering::Release);
            Ok(())
        })
        .await
        .map_err(io::Error::other)?
    }
}
