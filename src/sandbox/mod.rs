//! The local Aiven-compatible access-token API: `avn-token sandbox`, and the server the
//! end-to-end tests run against.
//!
//! [`Sandbox`] serves on the current tokio runtime (the CLI's current-thread one: one core
//! serves well over the 20,000 list requests a second we aim for, see BENCHMARKS.md);
//! [`BackgroundSandbox`] runs one on its own thread for blocking tests. The rules of the
//! service are in `store`, the JSON in `wire`, requests in `handlers` (authentication
//! before the body; one `match` for routes, and why no router crate), connections (and
//! their limits, including those on clients that never authenticate) in `serve`, the
//! `--state` file in `persist`, and the types they share in `model`. HTTP is hyper's,
//! with its `http` types and `http-body-util`. The command line around it (`--exec`,
//! signals, the printed variables) is `commands/sandbox.rs`.

mod handlers;
mod model;
mod persist;
mod serve;
mod store;
mod wire;

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use anyhow::{Context as _, Result};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::secret::Secret;
use persist::StateFile;
pub use serve::Limits;
use store::Store;

/// How long a stopping sandbox waits for requests in flight before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// A `--token` value must fit in an HTTP header and a shell variable unharmed.
const MAX_BOOTSTRAP_TOKEN_CHARS: usize = 1024;

/// How to start a sandbox. `Options::default()` is what tests want: a free loopback port,
/// a random bootstrap token, no state file.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    /// The bootstrap (login session) token; random when `None`.
    pub token: Option<Secret>,
    /// Keep tokens in this file across restarts.
    pub state: Option<PathBuf>,
    /// Keep every request for [`Sandbox::requests`] (tests); the CLI, which may serve
    /// millions, does not.
    pub record_requests: bool,
    /// Bounds on connections: time limits for slow clients, and how many at once.
    pub limits: Limits,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            token: None,
            state: None,
            record_requests: true,
            limits: Limits::default(),
        }
    }
}

/// One request as the sandbox received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path as it was on the wire: still percent-encoded, without the query.
    pub path: String,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    fn of(parts: &hyper::http::request::Parts, body: &[u8]) -> RecordedRequest {
        RecordedRequest {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_owned(), value)
                })
                .collect(),
            body: body.to_vec(),
        }
    }
}

/// What the handlers share.
struct Shared {
    store: Arc<Mutex<Store>>,
    state: Option<StateFile>,
    /// Every request, for tests; `None` for the CLI, which may serve millions.
    recorded: Option<Mutex<Vec<RecordedRequest>>>,
    /// How long a request's body may take to arrive ([`Limits::body_read`]).
    body_read: Duration,
}

/// Lock a mutex whether or not a panic poisoned it: the data behind ours is consistent at
/// every await point, so a panicked request must not take the whole sandbox down.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running sandbox on the current tokio runtime.
pub struct Sandbox {
    url: String,
    token: Secret,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<()>,
    flusher: Option<JoinHandle<()>>,
}

impl Sandbox {
    /// Load the state (if any), bind, and serve.
    pub async fn start(options: Options) -> Result<Sandbox> {
        let wanted = options.token.as_ref().map(Secret::expose);
        if let Some(value) = wanted {
            check_bootstrap_token(value)?;
        }
        // Load before binding: a bad or busy state file must stop us before anything else
        // happens.
        let (lease, data) = match &options.state {
            Some(path) => {
                let (lease, data) = persist::open(path)?;
                (Some(lease), data.unwrap_or_default())
            }
            None => (None, Default::default()),
        };
        let mut store = Store::new(data);
        let state = lease.map(|lease| StateFile::new(lease, &store));
        let token = Secret::new(store.open_session(wanted, handlers::now()));
        let changes = store.mark().changes;

        let listener = tokio::net::TcpListener::bind(options.listen)
            .await
            .with_context(|| format!("cannot listen on {}", options.listen))?;
        let address = listener
            .local_addr()
            .context("cannot read the bound address")?;

        let shared = Arc::new(Shared {
            store: Arc::new(Mutex::new(store)),
            state,
            recorded: options.record_requests.then(|| Mutex::new(Vec::new())),
            body_read: options.limits.body_read,
        });
        let mut flusher = None;
        if let Some(state) = &shared.state {
            state
                .persist_through(&shared.store, changes)
                .await
                .with_context(|| {
                    format!("cannot write the state file {}", state.path().display())
                })?;
            flusher = Some(tokio::spawn(flush_usage(shared.clone())));
        }

        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve::serve(
            listener,
            shared.clone(),
            options.limits,
            stopped,
        ));
        Ok(Sandbox {
            url: format!("http://{}", reachable(address)),
            token,
            shared,
            stop: Some(stop),
            server,
            flusher,
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: the value for `AIVEN_WEB_URL`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The bootstrap (login session) token: the value for `AIVEN_AUTH_TOKEN`.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        requests_of(&self.shared)
    }

    /// Stop serving (requests in flight get [`SHUTDOWN_GRACE`] to finish) and write the
    /// last usage bookkeeping to the state file.
    pub async fn shutdown(self) {
        if let Err(error) = self.stop().await {
            crate::diag::warn(&format!("{error:#}"));
        }
    }

    /// [`Sandbox::shutdown`], reporting a failed final write.
    pub(crate) async fn stop(mut self) -> Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The server gives requests in flight SHUTDOWN_GRACE itself; this is a backstop.
        let server = &mut self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE * 2, server)
            .await
            .is_err()
        {
            self.server.abort();
        }
        if let Some(flusher) = self.flusher.take() {
            flusher.abort();
        }
        if let Some(state) = &self.shared.state {
            state.flush(&self.shared.store).await.with_context(|| {
                format!("cannot write the state file {}", state.path().display())
            })?;
        }
        Ok(())
    }
}

impl Drop for Sandbox {
    /// Dropped without `shutdown`: stop serving all the same (without the final flush).
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(flusher) = self.flusher.take() {
            flusher.abort();
        }
    }
}

fn requests_of(shared: &Shared) -> Vec<RecordedRequest> {
    shared
        .recorded
        .as_ref()
        .map(|recorded| lock(recorded).iter().cloned().collect())
        .unwrap_or_default()
}

/// Writes last-used bookkeeping now and then (see `persist` for why not on every request).
async fn flush_usage(shared: Arc<Shared>) {
    let Some(state) = &shared.state else { return };
    let mut ticks = tokio::time::interval(persist::USAGE_FLUSH_INTERVAL);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(error) = state.flush(&shared.store).await {
            crate::diag::warn(&format!(
                "cannot write the state file {}: {error}",
                state.path().display()
            ));
        }
    }
}

/// The address clients should use: a wildcard listen address is reached via loopback.
fn reachable(address: SocketAddr) -> SocketAddr {
    match address {
        SocketAddr::V4(v4) if v4.ip().is_unspecified() => {
            SocketAddr::from((Ipv4Addr::LOCALHOST, v4.port()))
        }
        SocketAddr::V6(v6) if v6.ip().is_unspecified() => {
            SocketAddr::from((Ipv6Addr::LOCALHOST, v6.port()))
        }
        other => other,
    }
}

/// Whether `value` can be the bootstrap token (also checked by the CLI's `--token` parser,
/// so that a bad one is a usage error).
pub(crate) fn check_bootstrap_token(value: &str) -> Result<()> {
    let printable = value.bytes().all(|b| b.is_ascii_graphic());
    if value.is_empty() || value.len() > MAX_BOOTSTRAP_TOKEN_CHARS || !printable {
        anyhow::bail!(
            "--token must be 1 to {MAX_BOOTSTRAP_TOKEN_CHARS} printable ASCII characters \
             without spaces"
        );
    }
    Ok(())
}

/// A [`Sandbox`] on its own thread and runtime, for tests that block (`std::process`).
/// Stops when dropped.
pub struct BackgroundSandbox {
    url: String,
    token: Secret,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundSandbox {
    pub fn start(options: Options) -> Result<BackgroundSandbox> {
        let (started, starting) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("sandbox".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = started.send(Err(anyhow::Error::new(error)));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match Sandbox::start(options).await {
                        Ok(sandbox) => {
                            let view =
                                (sandbox.url(), sandbox.token.clone(), sandbox.shared.clone());
                            let _ = started.send(Ok(view));
                            let _ = stopped.await;
                            sandbox.shutdown().await;
                        }
                        Err(error) => {
                            let _ = started.send(Err(error));
                        }
                    }
                });
            })
            .context("cannot start the sandbox thread")?;
        let (url, token, shared) = starting
            .recv()
            .context("the sandbox thread ended before starting")??;
        Ok(BackgroundSandbox {
            url,
            token,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn token(&self) -> Secret {
        self.token.clone()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        requests_of(&self.shared)
    }
}

impl Drop for BackgroundSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
