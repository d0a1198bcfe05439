//! Accepting and serving HTTP/1.1 connections within bounds, so that clients that stall or
//! never leave cannot starve the ones that work.
//!
//! Without a timer hyper applies none of its timeouts (and `axum::serve`, used at first,
//! takes no configuration): an idle or stalled connection stayed open forever, and ~1,100
//! of them under `ulimit -n 1024` made every request fail. Here, per [`Limits`]:
//! - a request's headers must arrive within `header_read` (hyper's header read timeout,
//!   which starts as soon as the connection waits for a request, so it also closes idle
//!   keep-alive connections), and hyper buffers at most [`MAX_BUFFER_BYTES`] of them;
//! - a connection must make a request that authenticates (one whose headers carry a live
//!   token, see `handlers`) within `header_read` of opening and of its last such request,
//!   and may make at most 16 refused ones in a row ([`Standing`], kept by `handlers`):
//!   otherwise a client sending a request without a valid token every few seconds held a
//!   connection slot forever;
//! - its body within `body_read` (checked in `handlers`: 408, then the connection closes);
//! - a response write that makes no progress for `write_stall` closes the connection
//!   ([`StallGuard`]: nothing to do while writes go through);
//! - at most `max_connections` are served at once (by default well under the open-file
//!   limit); further ones wait in the listen backlog until a slot frees, which the limits
//!   above guarantee happens.
//!
//! The handler is called directly (no router: `handlers` routes with one `match`, and says
//! why).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, oneshot, watch};
use tokio::time::Sleep;

use super::handlers::{self, Standing};
use super::{SHUTDOWN_GRACE, Shared};

/// How long a connection may take, and how many there may be. `Limits::default()` is what
/// the CLI serves with; tests set short ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request's headers must arrive within this; also how long an idle keep-alive
    /// connection stays open, and how long one may go without a request that
    /// authenticates.
    pub header_read: Duration,
    /// A request's body must arrive within this (408 otherwise).
    pub body_read: Duration,
    /// A response write that makes no progress for this long closes the connection.
    pub write_stall: Duration,
    /// Connections served at once; more wait to be accepted.
    pub max_connections: usize,
}

/// Every time limit of [`Limits::default`] (issue 8: at most 30 s for a stalled client).
const STALL_LIMIT: Duration = Duration::from_secs(30);

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read: STALL_LIMIT,
            body_read: STALL_LIMIT,
            write_stall: STALL_LIMIT,
            max_connections: default_max_connections(),
        }
    }
}

/// What hyper may buffer of a connection's input: a request's headers must fit (431
/// otherwise), and they are a few hundred bytes from any real client (a token is at most
/// 1024 characters). hyper's default, about 400 KiB, let each connection hold that much.
const MAX_BUFFER_BYTES: usize = 16 * 1024;

/// Files kept free for everything but connections: the state file and its temporary, the
/// lock, the runtime's own descriptors, an `--exec` child's pipes.
const RESERVED_FILES: u64 = 128;
/// The most connections by default, however many files may be open.
const MAX_CONNECTIONS: u64 = 1024;

/// Below the open-file limit (with [`RESERVED_FILES`] to spare), at most
/// [`MAX_CONNECTIONS`], at least 16.
fn default_max_connections() -> usize {
    let open_files = open_file_limit().unwrap_or(MAX_CONNECTIONS + RESERVED_FILES);
    let connections = open_files
        .saturating_sub(RESERVED_FILES)
        .clamp(16, MAX_CONNECTIONS);
    usize::try_from(connections).unwrap_or(16)
}

/// The process's open-file limit (the soft one, which is enforced); `None` where there is
/// none to read. One function with the platforms inside, as `config::credentials::mode_of`:
/// a second, compiled-out definition would give cargo-mutants mutants no test here can run.
fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit(2) writes one rlimit into the struct we own, nothing else.
        let status = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        // rlim_t is u64 on Linux and macOS, but not on every Unix.
        #[allow(clippy::useless_conversion)]
        let current = u64::try_from(limit.rlim_cur).unwrap_or(u64::MAX);
        (status == 0).then_some(current)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Accept and serve connections until `stop` fires (or its sender is dropped), then let
/// the connections in flight finish their requests (idle ones close at once) for at most
/// [`SHUTDOWN_GRACE`].
pub(super) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (closing, closed) = watch::channel(false);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = &mut stop => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    pause_after(&error).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let (shared, closed) = (shared.clone(), closed.clone());
        tokio::spawn(async move {
            connection(stream, peer, shared, limits, closed).await;
            drop(slot);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a slot until it ends: all slots back means all ended.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await;
}

/// After a failed accept: go on at once when only that connection failed; else (out of
/// file descriptors, say) wait a little rather than spin.
async fn pause_after(error: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if !matches!(
        error.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    ) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Serve one connection until the client closes it, a limit is hit, or the sandbox stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    limits: Limits,
    mut closed: watch::Receiver<bool>,
) {
    // Answers are one write each; Nagle's algorithm would only delay them.
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(StallGuard::new(stream, limits.write_stall));
    let standing = Arc::new(Standing::new(limits.header_read));
    let conduct = standing.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let (shared, standing) = (shared.clone(), standing.clone());
        async move {
            let response = handlers::handle(&shared, &standing, peer, request).await;
            Ok::<_, Infallible>(response)
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .max_buf_size(MAX_BUFFER_BYTES);
    let mut served = pin!(builder.serve_connection(io, service));
    tokio::select! {
        _ = served.as_mut() => return,
        _ = closed.wait_for(|closing| *closing) => {}
        () = conduct.lapsed() => {}
    }
    served.as_mut().graceful_shutdown();
    let _ = served.await;
}

/// A stream (a TCP connection) whose writes fail with `TimedOut` once one has made no
/// progress for `limit` (a client that stopped reading its answer). Reads are bounded
/// elsewhere (hyper's header timeout, the handler's body timeout). Costs nothing while
/// writes go through.
struct StallGuard<S> {
    stream: S,
    limit: Duration,
    /// Armed when a write first cannot proceed; disarmed by any progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> StallGuard<S> {
    fn new(stream: S, limit: Duration) -> StallGuard<S> {
        StallGuard {
            stream,
            limit,
            stalled: None,
        }
    }

    /// `outcome` of a write-side call; a pending one counts against the limit.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        outcome: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if outcome.is_ready() {
            self.stalled = None;
            return outcome;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(stalled.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client stopped reading its answer",
        )))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for StallGuard<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallGuard<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let outcome = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.watch(cx, outcome)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let outcome = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.watch(cx, outcome)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let outcome = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, outcome)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let outcome = Pin::new(&mut self.stream).poll_shutdown(cx);
        self.watch(cx, outcome)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn a_write_nobody_reads_fails_after_the_limit_and_progress_resets_it() {
        let limit = Duration::from_millis(300);
        let (mut client, server) = tokio::io::duplex(1024);
        let mut guarded = StallGuard::new(server, limit);
        // A slow reader: every write waits, but never as long as the limit at a stretch.
        let reader = tokio::spawn(async move {
            let mut buffer = vec![0; 1024];
            for _ in 0..6 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                client.read_exact(&mut buffer).await.unwrap();
            }
            client
        });
        let started = tokio::time::Instant::now();
        guarded.write_all(&[7; 6 * 1024]).await.unwrap();
        assert!(started.elapsed() > limit, "the writes did wait");
        let _client = reader.await.unwrap();
        // Nobody reads any more: the buffer fills, and the write fails once stalled.
        let started = tokio::time::Instant::now();
        let error = guarded.write_all(&[7; 4096]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let waited = started.elapsed();
        assert!(
            waited >= limit && waited < Duration::from_secs(10),
            "{waited:?}"
        );
    }

    #[test]
    fn connections_stay_under_the_open_file_limit() {
        let connections = default_max_connections() as u64;
        assert!((16..=MAX_CONNECTIONS).contains(&connections));
        if let Some(open_files) = open_file_limit() {
            assert!(
                connections < open_files.max(17),
                "{connections} of {open_files}"
            );
        }
    }
}
