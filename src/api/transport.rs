//! The transport under [`super::Client`]: one HTTP exchange with retries, timeouts and
//! error shaping, decoding the answer into the type the call returns. Nothing here knows
//! about tokens' fields; secrets are kept out of everything the server sends by
//! [`super::redact`], before anything else reads it.
//!
//! Everything the server sends is untrusted: a status, a header (`Retry-After: 1e30`), a
//! body of any bytes or length, a body that drips one byte at a time. Each gives a result
//! or an error in bounded time, never a panic.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde::de::IgnoredAny;

use super::path::ApiPath;
use super::proxy::is_loopback;
use super::redact::{self, Redactor};
use super::{ApiError, ClientOptions, Deadline, tls};
use crate::diag::Sink;
use crate::raw_json::{Kind, Raw, unquote};
use crate::secret::Secret;

/// Bodies larger than this are refused: the biggest real answer (a list of 1000 session
/// tokens) is well under 1 MiB.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A server that stops sending for this long is treated as gone (and a GET retried). The
/// whole call is bounded by `--request-timeout` (which has a default) on top of this, so a
/// server that sends one byte just often enough cannot hold a call open either.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// Attempts per call, whatever the budget: a bound on the loop, not the usual limit (the
/// 15-second default budget allows about six).
const MAX_ATTEMPTS: u32 = 10;
/// A server that cannot be connected to at all (refused, unreachable) is most likely down,
/// not busy: retry that for at most this long (within `--retry-budget`), then say so.
const CONNECT_RETRY_BUDGET: Duration = Duration::from_secs(3);
/// Retries that end within this time are silent; a call that retries for longer says once,
/// on stderr, what it is retrying and why, so that a wait does not look like a hang.
const QUIET_RETRIES: Duration = Duration::from_secs(1);
/// A longer `Retry-After` means the same as this one: more than any retry budget allows.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Said of a create (or any call unsafe to repeat) that failed after it may have arrived.
const MAY_HAVE_BEEN_DONE: &str =
    "; the request may have been carried out: check before trying again";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    Get,
    Post,
    Put,
    /// Application users are renamed with PATCH.
    Patch,
    Delete,
}

impl Method {
    fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    /// Safe to send twice. POST is not: a repeated create makes a second token.
    fn idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

/// The HTTP side of one [`super::Client`]: a connection pool, where the API is, and how
/// patient to be.
pub(super) struct Http {
    client: reqwest::Client,
    /// Base URL + `/v1`, no trailing slash.
    api_root: String,
    token: Secret,
    show_http: bool,
    deadline: Deadline,
    /// Secrets this command has received (a token it created), kept out of what later calls
    /// show as the token is.
    also_secret: Mutex<Vec<Secret>>,
    /// When the command's calls must all be done by ([`Deadline::AllCalls`]): set by the
    /// first call, pushed back by [`Http::pause`].
    ends: Mutex<Option<Instant>>,
    retry_budget: Duration,
    sink: Arc<dyn Sink>,
}

impl Http {
    pub(super) fn new(options: &ClientOptions, token: Secret) -> Result<Http, ApiError> {
        let url = &options.base_url;
        if url.scheme() == "http" && !is_loopback(url) && !options.allow_insecure_http {
            return Err(ApiError::Setup(format!(
                "refusing to send your token in clear text to {url}: use https://, \
                 or pass --allow-insecure-http if this is a trusted local proxy"
            )));
        }
        // The proxy is decided here (see `proxy`), never by reqwest from the environment.
        let mut builder = reqwest::Client::builder().no_proxy();
        if let Some(proxy) = options.proxy.proxy_for(url)? {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|e| ApiError::Setup(format!("cannot use the proxy: {e}")))?;
            builder = builder.proxy(proxy);
        }
        let client = builder
            .user_agent(concat!("avn-token/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            // The API never redirects; following one would turn a POST into a GET and could
            // carry the token to another host. A 3xx is reported as the failure it is.
            .redirect(reqwest::redirect::Policy::none())
            .read_timeout(READ_TIMEOUT)
            .tls_backend_preconfigured(tls::client_config(options)?)
            .build()
            .map_err(|e| ApiError::Setup(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Http {
            client,
            api_root: format!("{}/v1", url.as_str().trim_end_matches('/')),
            token,
            show_http: options.show_http,
            deadline: options.deadline,
            also_secret: Mutex::new(Vec::new()),
            ends: Mutex::new(None),
            retry_budget: options.retry_budget,
            sink: options.sink.clone(),
        })
    }

    /// The token this client authenticates with.
    pub(super) fn token(&self) -> &Secret {
        &self.token
    }

    /// One API call, its 2xx answer decoded as `T` (an empty body reads as `{}`); an
    /// [`ApiError`] for everything else. `body` is JSON, already encoded.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        body: Option<Vec<u8>>,
    ) -> Result<T, ApiError> {
        self.call_with(method, path, body, |bytes| {
            let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
                b"{}"
            } else {
                &bytes[..]
            };
            serde_json::from_slice(bytes)
        })
        .await
    }

    /// [`Http::call`] with a decoder of its own for the 2xx body (the token list reads it
    /// in place rather than into a tree).
    pub(super) async fn call_with<T>(
        &self,
        method: Method,
        path: &ApiPath,
        body: Option<Vec<u8>>,
        decode: impl FnOnce(Vec<u8>) -> Result<T, serde_json::Error>,
    ) -> Result<T, ApiError> {
        let call = Call {
            method,
            url: format!("{}{}", self.api_root, path.sent),
            shown_url: format!("{}{}", self.api_root, path.shown),
            redactor: Redactor::new(Some(&self.token), path.secret.as_ref()).and(
                self.also_secret
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .iter(),
            ),
            progress: Mutex::new(Progress::default()),
        };
        let limit = self.time_left();
        let exchange = self.call_with_retries(&call, body.as_deref(), limit);
        let (status, bytes) =
            tokio::time::timeout(limit, exchange)
                .await
                .map_err(|_| ApiError::Timeout {
                    url: call.shown_url.clone(),
                    // Tenths at most: `2s`, `59.9s`.
                    seconds: (limit.as_secs_f64() * 10.0).round() / 10.0,
                    bound: match self.deadline {
                        Deadline::EachCall(_) => "--request-timeout",
                        Deadline::AllCalls(_) => {
                            "the command's deadline: --deadline, 60 s by default"
                        }
                    },
                    detail: call.progress().describe(!call.method.idempotent()),
                })??;
        decode_answer(status, bytes, decode, &call.redactor)
    }

    /// How long the next call may take.
    fn time_left(&self) -> Duration {
        match self.deadline {
            Deadline::EachCall(limit) => limit,
            Deadline::AllCalls(total) => {
                let now = Instant::now();
                let mut ends = self.ends.lock().unwrap_or_else(PoisonError::into_inner);
                ends.get_or_insert(now + total)
                    .saturating_duration_since(now)
            }
        }
    }

    /// Keep `secret` (a token this command created) out of what later calls show, as the
    /// token in use is (see `Client::created`).
    pub(super) fn keep_secret(&self, secret: Secret) {
        self.also_secret
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(secret);
    }

    /// See [`super::Client::pause`].
    pub(super) fn pause(&self, waited: Duration) {
        let mut ends = self.ends.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ends) = ends.as_mut() {
            *ends += waited;
        }
    }

    /// `limit`: how long this call may take, for the retry note.
    async fn call_with_retries(
        &self,
        call: &Call,
        body: Option<&[u8]>,
        limit: Duration,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        let started = Instant::now();
        let mut backoff = FIRST_BACKOFF;
        let mut announced = false;
        // What an earlier attempt may have done although it did not come back as a success.
        let mut maybe_done: Option<String> = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.exchange(call, body).await;
            call.progress().phase = Phase::Done;
            if let (Some(earlier), Ok(answer)) = (&maybe_done, &outcome) {
                // The earlier DELETE did its job, and its answer was lost: the thing is gone,
                // which is what was asked.
                if call.method == Method::Delete && answer.status == 404 {
                    self.sink.note(&format!(
                        "{} answered 404 Not Found on a retry: the earlier attempt ({earlier}) \
                         was carried out",
                        call.shown_url
                    ));
                    return Ok((200, Vec::new()));
                }
            }
            let pause = jitter(backoff);
            let (wait, budget, why) = match &outcome {
                Ok(answer) if call.method.idempotent() && retryable_status(answer.status) => {
                    // Retry-After is a floor, never a reason to hammer: `0` still backs off.
                    let wait = answer.retry_after.map_or(pause, |asked| asked.max(pause));
                    let why = format!("the API answered HTTP {}", status_text(answer.status));
                    (wait, self.retry_budget, why)
                }
                // A refused connection never reached the server: even POST may go again.
                Err(failure)
                    if failure.retryable
                        && (call.method.idempotent() || !failure.reached_server) =>
                {
                    let budget = if failure.reached_server {
                        self.retry_budget
                    } else {
                        self.retry_budget.min(CONNECT_RETRY_BUDGET)
                    };
                    (pause, budget, call.scrub(&failure.detail))
                }
                _ => return call.finish(outcome, retried_for(attempt, started)),
            };
            let elapsed = started.elapsed();
            let waited = elapsed.saturating_add(wait);
            // A wait past the budget (a long Retry-After included) ends it now, not later.
            if attempt >= MAX_ATTEMPTS || waited > budget {
                return call.finish(outcome, retried_for(attempt, started));
            }
            call.progress().retrying(&why);
            // Said once, when the wait becomes noticeable, unless the deadline is about to
            // end the call anyway (its message then says the same).
            if !announced && waited >= QUIET_RETRIES && waited < limit {
                announced = true;
                self.sink.note(&format!(
                    "{} failed ({why}); retrying for up to {}s",
                    call.shown_url,
                    budget.min(limit).as_secs_f64()
                ));
            }
            if self.show_http {
                self.sink
                    .note(&format!("retrying in {:.1}s", wait.as_secs_f64()));
            }
            let reached = match &outcome {
                Ok(answer) => answer.status >= 500,
                Err(failure) => failure.reached_server,
            };
            if reached {
                maybe_done = Some(why);
            }
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Send once and read the whole body, scrubbed of secrets.
    async fn exchange(&self, call: &Call, body: Option<&[u8]>) -> Result<Answer, Failure> {
        let mut request = self
            .client
            .request(call.method.as_reqwest(), &call.url)
            .header(AUTHORIZATION, sensitive(&self.token));
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let request = request.build().map_err(Failure::sending)?;
        if self.show_http {
            self.sink.trace(&redact::request_trace(
                &request,
                &call.shown_url,
                body,
                &call.redactor,
            ));
        }
        call.progress().phase = Phase::Waiting;
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(Failure::sending)?;
        let status = response.status();
        let headers = response.headers().clone();
        let too_large = || Failure {
            status: Some(status.as_u16()),
            detail: format!(
                "the response body is larger than {} MiB",
                MAX_BODY_BYTES / 1024 / 1024
            ),
            reached_server: true,
            retryable: false,
            unsendable: false,
        };
        let declared = response.content_length();
        if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
            return Err(too_large());
        }
        // Sized once when the length is known, rather than grown (and copied) chunk by chunk.
        let capacity = declared.unwrap_or(0).min(MAX_BODY_BYTES as u64);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        call.progress().phase = Phase::Reading {
            status: status.as_u16(),
            received: 0,
            declared,
        };
        loop {
            let chunk = response.chunk().await.map_err(|error| Failure {
                status: Some(status.as_u16()),
                detail: format!(
                    "the response was cut short ({})",
                    error_chain(&error.without_url())
                ),
                reached_server: true,
                retryable: true,
                unsendable: false,
            })?;
            let Some(chunk) = chunk else { break };
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
            if let Phase::Reading { received, .. } = &mut call.progress().phase {
                *received = bytes.len();
            }
        }
        // From here on, nothing sees the body as the server sent it.
        let bytes = match call.redactor.scrub_bytes(&bytes) {
            std::borrow::Cow::Borrowed(_) => bytes,
            std::borrow::Cow::Owned(scrubbed) => scrubbed,
        };
        if self.show_http {
            self.sink.trace(&redact::response_trace(
                status,
                &headers,
                &bytes,
                &call.redactor,
            ));
        }
        Ok(Answer {
            status: status.as_u16(),
            retry_after: retry_after(&headers),
            bytes,
        })
    }
}

/// How long a call that has made `attempts` attempts has been retrying, if it has.
fn retried_for(attempts: u32, started: Instant) -> Option<Duration> {
    (attempts > 1).then(|| started.elapsed())
}

/// One call in flight: where it goes, how to show that, what to keep out of messages, and
/// how far it got (for the message when `--request-timeout` ends it).
struct Call {
    method: Method,
    url: String,
    shown_url: String,
    redactor: Redactor,
    progress: Mutex<Progress>,
}

impl Call {
    fn progress(&self) -> std::sync::MutexGuard<'_, Progress> {
        // Only this call's own future holds the lock, never across an await: a poisoned
        // lock can only mean a panic already under way, and its data is still good.
        self.progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn scrub(&self, text: &str) -> String {
        self.redactor.scrub(text)
    }

    fn finish(
        &self,
        outcome: Result<Answer, Failure>,
        retried_for: Option<Duration>,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        match outcome {
            Ok(answer) if (200..300).contains(&answer.status) => Ok((answer.status, answer.bytes)),
            Ok(answer) => Err(ApiError::Status {
                status: answer.status,
                message: error_message(answer.status, &answer.bytes),
            }),
            Err(failure) if failure.unsendable => Err(ApiError::Setup(format!(
                "cannot make a request to {}: {} (is an argument far too long?)",
                self.shown_url,
                self.scrub(&failure.detail)
            ))),
            Err(failure) => {
                let mut detail = self.scrub(&failure.detail);
                if let Some(retried) = retried_for {
                    detail.push_str(&format!(" (retried for {:.1}s)", retried.as_secs_f64()));
                }
                if failure.reached_server && !self.method.idempotent() {
                    detail.push_str(MAY_HAVE_BEEN_DONE);
                }
                Err(match failure.status {
                    Some(status) => ApiError::Decode { status, detail },
                    None => ApiError::Network {
                        url: self.shown_url.clone(),
                        detail,
                    },
                })
            }
        }
    }
}

/// How far a call got: what it has been retrying since when, and what it is doing now.
#[derive(Default)]
struct Progress {
    retried: Option<(String, Instant)>,
    phase: Phase,
}

#[derive(Default)]
enum Phase {
    /// Connecting, or sent and waiting for the response head.
    #[default]
    Waiting,
    /// Reading the body.
    Reading {
        status: u16,
        received: usize,
        declared: Option<u64>,
    },
    /// The attempt is over (and about to be retried).
    Done,
}

impl Progress {
    fn retrying(&mut self, why: &str) {
        let since = self
            .retried
            .take()
            .map_or_else(Instant::now, |(_, since)| since);
        self.retried = Some((why.to_owned(), since));
    }

    /// What the call was doing when the time ran out, for the timeout message; for a call
    /// that is `unsafe` to repeat, whether it may have been carried out all the same.
    fn describe(&self, unsafe_to_repeat: bool) -> String {
        let arrived = match self.phase {
            Phase::Reading { .. } => true,
            // Connecting or sent: only retries of a refused connection come before.
            Phase::Waiting => self.retried.is_none(),
            Phase::Done => false,
        };
        let mut text = self.describe_phase();
        if unsafe_to_repeat && arrived {
            text.push_str(MAY_HAVE_BEEN_DONE);
        }
        text
    }

    fn describe_phase(&self) -> String {
        let now = match &self.phase {
            Phase::Reading {
                status,
                received,
                declared,
            } => Some(format!(
                "the response (HTTP {status}) was still arriving: {received} bytes received{}",
                declared
                    .map(|total| format!(" of {total}"))
                    .unwrap_or_default()
            )),
            Phase::Waiting => Some("no response had arrived".to_owned()),
            Phase::Done => None,
        };
        let before = self.retried.as_ref().map(|(why, since)| {
            format!("{why}, retried for {:.1}s", since.elapsed().as_secs_f64())
        });
        match (now, before) {
            (Some(now), Some(before)) => format!("{now}; before that, {before}"),
            (Some(only), None) | (None, Some(only)) => only,
            (None, None) => "no response had arrived".to_owned(),
        }
    }
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    bytes: Vec<u8>,
}

/// A transport failure, before it becomes an [`ApiError`].
struct Failure {
    /// The status, when the failure came after the response head.
    status: Option<u16>,
    detail: String,
    /// The server may have seen the request (anything but a failed connect).
    reached_server: bool,
    retryable: bool,
    /// The request could not even be made (a URL too long for HTTP): input, not network.
    unsendable: bool,
}

impl Failure {
    /// The request could not be built from what was given (reqwest's builder error).
    fn unsendable(error: reqwest::Error) -> Failure {
        Failure {
            status: None,
            detail: error_chain(&error.without_url()),
            reached_server: false,
            retryable: false,
            unsendable: true,
        }
    }

    /// Sending failed, or no response head came back.
    fn sending(error: reqwest::Error) -> Failure {
        if error.is_builder() {
            return Failure::unsendable(error);
        }
        let connect = error.is_connect();
        let may_retry = connect || error.is_request() || error.is_timeout();
        // A certificate or handshake failure will not fix itself: retrying only delays
        // the message the user needs. Neither will a host name that does not exist (a typo
        // in --url). A resolver that is briefly down ("Temporary failure in name
        // resolution") is retried like any connection error.
        let tls = tls::failure_message(&error);
        let refused = connection_refused(&error);
        // Nor will an answer that is not HTTP (a garbled status line or header).
        let garbled = not_http(&error);
        let chain = error_chain(&error.without_url());
        let permanent = tls.is_some() || is_unknown_host(&chain) || garbled;
        let detail = tls
            .or_else(|| refused.then(|| "connection refused".to_owned()))
            .unwrap_or(chain);
        Failure {
            status: None,
            detail,
            reached_server: !connect,
            retryable: !permanent && may_retry,
            unsendable: false,
        }
    }
}

/// An answer hyper could not read as HTTP somewhere in the error's causes.
fn not_http(error: &(dyn std::error::Error + 'static)) -> bool {
    super::error::causes(error).any(|cause| {
        cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(|hyper| hyper.is_parse() || hyper.is_parse_status())
    })
}

/// A refused connection somewhere in the error's causes: nothing listens there.
fn connection_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    super::error::causes(error).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    })
}

/// A 2xx body that is not what the call returns, as one line: what it looked like (an HTML
/// page, not JSON) or what serde_json expected, scrubbed of secrets.
fn decode_error(
    status: u16,
    start: &[u8],
    error: &serde_json::Error,
    redactor: &Redactor,
) -> ApiError {
    let syntax = error.is_syntax() || error.is_eof();
    ApiError::Decode {
        status,
        detail: match not_json(start) {
            Some(what) if syntax => what,
            _ if syntax => format!("the body is not valid JSON ({error})"),
            _ => one_line(&redactor.scrub(&error.to_string())),
        },
    }
}

/// A 2xx body decoded by `decode`, as [`Http::call_with`] does it, for the property tests.
pub(super) fn decode_body<T>(
    status: u16,
    bytes: Vec<u8>,
    decode: impl FnOnce(Vec<u8>) -> Result<T, serde_json::Error>,
) -> Result<T, ApiError> {
    decode_answer(status, bytes, decode, &Redactor::new(None, None))
}

/// A 2xx body (already scrubbed) decoded by `decode`, unless it reports an error.
fn decode_answer<T>(
    status: u16,
    bytes: Vec<u8>,
    decode: impl FnOnce(Vec<u8>) -> Result<T, serde_json::Error>,
    redactor: &Redactor,
) -> Result<T, ApiError> {
    if let Some(error) = reported_error(&bytes) {
        return Err(ApiError::Decode {
            status,
            detail: format!("the answer reports an error: {error}"),
        });
    }
    // Kept for the message only when decoding fails: what the body looked like.
    let start: Vec<u8> = bytes[..bytes.len().min(4096)].to_vec();
    decode(bytes).map_err(|error| decode_error(status, &start, &error, redactor))
}

/// The `error` member of a JSON object body, as one line, when it is set: avn fails such an
/// answer whatever its status (`client.py` `_process_response`: `if result.get("error")`),
/// so "set" is Python's truth (anything but null, false, 0, "", [] and {}), and of a name
/// given twice the last counts. Nearly every body has no such name (`"error"` followed by
/// `:`), and is passed over after one quick search.
fn reported_error(bytes: &[u8]) -> Option<String> {
    let named = memchr::memmem::find_iter(bytes, b"rror\"").any(|at| {
        let after = bytes.get(at + 5..).unwrap_or_default();
        after.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':')
    });
    if !named {
        return None;
    }
    let error = json_text(bytes)?.member("error")?;
    let set = match error.kind() {
        Kind::Null => false,
        Kind::Bool(flag) => flag,
        // Zero in any spelling (`-0.0e5`, and `1e-400`, which Python reads as 0.0).
        Kind::Number => !error.text().parse::<f64>().is_ok_and(|n| n == 0.0),
        Kind::String => !unquote(error.text()).is_empty(),
        Kind::Array => error.items().next().is_some(),
        Kind::Object => error.entries().next().is_some(),
    };
    let shown = match error.kind() {
        Kind::String => unquote(error.text()),
        _ => error.text().into(),
    };
    set.then(|| one_line(&shown))
}

/// A body that is valid JSON, to be read where it lies ([`Raw`]), not as a tree: a body of
/// millions of `0`s would take gigabytes as `serde_json::Value`s.
fn json_text(bytes: &[u8]) -> Option<Raw<'_>> {
    serde_json::from_slice::<IgnoredAny>(bytes).ok()?;
    std::str::from_utf8(bytes).ok().map(Raw::new)
}

/// Statuses that say "not now" rather than "no": request timeout (as the official Go client
/// retries), rate limits, and a gateway or service briefly unavailable.
fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// `503 Service Unavailable`, or just the number for a status without a known name.
fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .map(|code| code.to_string())
        .unwrap_or_else(|_| status.to_string())
}

/// Full jitter between half and all of `backoff`, so many clients do not retry in lockstep.
fn jitter(backoff: Duration) -> Duration {
    use ring::rand::SecureRandom;
    let mut byte = [0u8; 1];
    let fraction = match ring::rand::SystemRandom::new().fill(&mut byte) {
        Ok(()) => 0.5 + f64::from(byte[0]) / 510.0,
        Err(_) => 0.75,
    };
    backoff.mul_f64(fraction)
}

/// `Retry-After` as a wait: delay-seconds (any number, as large as the server likes) or an
/// HTTP-date. A value in the past is no wait; a negative, NaN or unreadable one counts as
/// absent (our own backoff applies); anything huge means [`MAX_RETRY_AFTER`]. Never panics
/// and never overflows, whatever the header says.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still just "a very long time".
        let seconds = text.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    if let Ok(seconds) = text.parse::<f64>() {
        if seconds.is_nan() || seconds < 0.0 {
            return None;
        }
        let capped = seconds.min(MAX_RETRY_AFTER.as_secs_f64());
        return Some(Duration::try_from_secs_f64(capped).unwrap_or(MAX_RETRY_AFTER));
    }
    let date = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

/// The server's own words for a failed call, else a description of what it sent.
fn error_message(status: u16, bytes: &[u8]) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error");
    if let Some(body) = json_text(bytes) {
        let message = body
            .member("message")
            .and_then(Raw::as_str)
            .filter(|m| !m.trim().is_empty())
            .or_else(|| {
                body.member("errors")?
                    .items()
                    .next()?
                    .member("message")?
                    .as_str()
            });
        if let Some(message) = message {
            return one_line(&message);
        }
        return reason.to_owned();
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return format!("{reason} (empty response)");
    }
    format!(
        "{reason} ({})",
        not_json(bytes).unwrap_or_else(|| "not JSON".to_owned())
    )
}

/// What a body that is not JSON looks like, for a message: an HTML page (a proxy, an
/// outage) or the start of its text. `None` when it looks like JSON cut short.
fn not_json(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let start = text.trim_start();
    let lowered = start.get(..14).unwrap_or(start).to_ascii_lowercase();
    if lowered.starts_with("<!doctype html") || lowered.starts_with("<html") {
        Some("the server sent an HTML page, not JSON: a proxy or an outage?".to_owned())
    } else if start.starts_with(['{', '[']) {
        None
    } else {
        Some(format!("not JSON: {}", one_line(&text)))
    }
}

/// One line of at most 300 characters: messages must not break the one-line error rule.
/// Line breaks and other whitespace become single spaces; other control characters stay,
/// for `diag` to show escaped (`\u001b`), as everything from the server reaches people.
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 300 {
        let cut: String = flat.chars().take(300).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    one_line(&text)
}

/// The `Authorization` header, marked sensitive. The token was checked to be printable
/// ASCII when it was read (`config`), so building the header cannot fail; if it ever did,
/// a placeholder goes instead of a silently changed token.
fn sensitive(token: &Secret) -> HeaderValue {
    let mut header = HeaderValue::from_str(&format!("aivenv1 {}", token.expose()))
        .unwrap_or_else(|_| HeaderValue::from_static("aivenv1 invalid-token"));
    header.set_sensitive(true);
    header
}

/// A DNS answer that the name does not exist, as hyper reports it (its resolver error has
/// no kind to match on, only text: `dns error: ... Name or service not known`, or
/// `nodename nor servname provided` on macOS, `No such host is known` on Windows).
fn is_unknown_host(detail: &str) -> bool {
    detail.contains("dns error")
        && [
            "not known",
            "nor servname",
            "No such host",
            "NXDOMAIN",
            "no record",
        ]
        .iter()
        .any(|permanent| detail.contains(permanent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_all_of_a_commands_calls_share_one_deadline() {
        let options = |deadline| ClientOptions {
            base_url: "http://127.0.0.1:1".parse().unwrap(),
            auth_ca: None,
            deadline,
            retry_budget: Duration::ZERO,
            show_http: false,
            allow_insecure_http: false,
            proxy: super::super::ProxyEnv::default(),
            sink: Arc::new(crate::diag::Stderr),
        };
        let token = Secret::new("t");
        let each = Http::new(
            &options(Deadline::EachCall(Duration::from_secs(5))),
            token.clone(),
        );
        assert_eq!(each.unwrap().time_left(), Duration::from_secs(5));

        let all = Http::new(&options(Deadline::AllCalls(Duration::from_secs(60))), token).unwrap();
        let first = all.time_left();
        std::thread::sleep(Duration::from_millis(50));
        let second = all.time_left();
        assert!(first <= Duration::from_secs(60) && second + Duration::from_millis(40) <= first);
        // Time at a prompt is given back.
        all.pause(Duration::from_secs(30));
        assert!(all.time_left() > second + Duration::from_secs(29));
    }

    #[test]
    fn error_messages_from_every_kind_of_body() {
        let json =
            br#"{"message": "Token not found", "errors": [{"message": "x", "status": 404}]}"#;
        assert_eq!(error_message(404, json), "Token not found");
        let only_errors = br#"{"errors": [{"message": "Invalid description", "status": 400}]}"#;
        assert_eq!(error_message(400, only_errors), "Invalid description");
        assert_eq!(error_message(502, b""), "Bad Gateway (empty response)");
        assert!(error_message(503, b"<html><body>down</body></html>").contains("HTML page"));
        assert_eq!(
            error_message(500, b"oops\nline two"),
            "Internal Server Error (not JSON: oops line two)"
        );
        assert_eq!(error_message(418, b"[1, 2]"), "I'm a teapot");
    }

    /// What avn takes for an error in a 2xx answer: an `error` member that Python finds
    /// true.
    #[test]
    fn an_error_member_that_python_finds_true() {
        for (body, reported) in [
            (
                r#"{"tokens": [], "error": "boom\nagain"}"#,
                Some("boom again"),
            ),
            (r#"{"error": true}"#, Some("true")),
            (r#"{"error": -1e-3}"#, Some("-1e-3")),
            (r#"{"error": 1E400}"#, Some("1E400")),
            (r#"{"error": [0]}"#, Some("[0]")),
            (r#"{"error": {"a": 1}}"#, Some(r#"{"a": 1}"#)),
            (r#"{"error": "x", "\u0065rror": ""}"#, None),
            (r#"{"error": "", "error": "late"}"#, Some("late")),
            (r#"{"error": ""}"#, None),
            (r#"{"error": false}"#, None),
            (r#"{"error": null}"#, None),
            (r#"{"error": -0.0e5}"#, None),
            (r#"{"error": []}"#, None),
            (r#"{"error": {}}"#, None),
            (
                r#"{"message": "no error here", "errors": [{"error": 1}]}"#,
                None,
            ),
            (r#"["error", "boom"]"#, None),
            (r#"{"error": "cut short"#, None),
            (
                r#"{"tokens": [{"description": "error"}], "error" : "spaced"}"#,
                Some("spaced"),
            ),
        ] {
            assert_eq!(
                reported_error(body.as_bytes()).as_deref(),
                reported,
                "{body}"
            );
        }
    }

    #[test]
    fn unknown_hosts_are_permanent_and_resolver_hiccups_are_not() {
        for permanent in [
            "error sending request: client error (Connect): dns error: failed to lookup address information: Name or service not known",
            "client error (Connect): dns error: failed to lookup address information: nodename nor servname provided, or not known",
            "client error (Connect): dns error: No such host is known. (os error 11001)",
        ] {
            assert!(is_unknown_host(permanent), "{permanent}");
        }
        for transient in [
            "client error (Connect): dns error: failed to lookup address information: Temporary failure in name resolution",
            "client error (Connect): tcp connect error: Connection refused (os error 111)",
        ] {
            assert!(!is_unknown_host(transient), "{transient}");
        }
    }

    #[test]
    fn retry_after_of_any_kind() {
        let parse = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            retry_after(&headers)
        };
        assert_eq!(parse("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse(" 1.5 "), Some(Duration::from_millis(1500)));
        assert_eq!(parse("soon"), None);
        assert_eq!(parse("-1"), None);
        assert_eq!(parse("NaN"), None);
        assert_eq!(parse(""), None);
        for huge in [
            "1e30",
            "18446744073709551615",
            "99999999999999999999999",
            "inf",
        ] {
            assert_eq!(parse(huge), Some(MAX_RETRY_AFTER), "{huge}");
        }
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        let later = (chrono::Utc::now() + chrono::TimeDelta::seconds(30)).to_rfc2822();
        let wait = parse(&later).unwrap();
        assert!(
            wait > Duration::from_secs(20) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }
}
