//! The transport under [`super::Client`]: one HTTP exchange with retries, timeouts and
//! error shaping, decoding the answer into the type the call returns. Nothing here knows
//! about tokens' fields; secrets are kept out of everything the server sends by
//! [`super::redact`], before anything else reads it.
//!
//! Everything the server sends is untrusted: a status, a header (`Retry-After: 1e30`), a
//! body of any bytes or length, a body that drips one byte at a time. Each gives a result
//! or an error in bounded time, never a panic.
//!
//! One file per reason to change:
//! - here, the exchange: the HTTP client, one request sent and its body read within bounds,
//!   scrubbed and traced, and the command's deadline over all of its calls;
//! - [`retry`]: which outcomes are tried again, how long to wait, and when to give up;
//! - [`failure`]: what went wrong (refused, not HTTP, TLS, unknown host, cut short, timed
//!   out and how far it got) and the [`ApiError`] each becomes;
//! - [`messages`]: what the server's answer says, as one line: its error message, an error
//!   reported in a 2xx answer, a body that is not what the call returns.

mod failure;
mod messages;
mod retry;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::de::DeserializeOwned;

use super::path::ApiPath;
use super::proxy::is_loopback;
use super::redact::{self, Redactor};
use super::{ApiError, ClientOptions, Deadline, tls};
use crate::diag::Sink;
use crate::secret::Secret;
use failure::{Failure, Phase, Progress, error_chain};
use messages::decode_answer;
pub(super) use messages::decode_body;
use retry::retry_after;

/// Bodies larger than this are refused: the biggest real answer (a list of 1000 session
/// tokens) is well under 1 MiB.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A server that stops sending for this long is treated as gone (and a GET retried). The
/// whole call is bounded by `--request-timeout` (which has a default) on top of this, so a
/// server that sends one byte just often enough cannot hold a call open either.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

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
    /// The base URL as given, for messages that question it.
    base_url: String,
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
            base_url: url.as_str().trim_end_matches('/').to_owned(),
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
        // A whole token typed where a prefix goes is a secret of the command, not only of
        // this call: the lists read to explain a failure must keep it out too.
        if let Some(secret) = &path.secret {
            self.keep_secret(secret.clone());
        }
        let call = Call {
            method,
            url: format!("{}{}", self.api_root, path.sent),
            shown_url: format!("{}{}", self.api_root, path.shown),
            base_url: self.base_url.clone(),
            names_resource: path.names_resource,
            redactor: Mutex::new(
                Redactor::new(Some(&self.token), path.secret.as_ref()).and(
                    self.also_secret
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .iter(),
                ),
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
        decode_answer(status, bytes, decode, &call.redactor())
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
        let mut kept = self
            .also_secret
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !kept.iter().any(|known| known.expose() == secret.expose()) {
            kept.push(secret);
        }
    }

    /// See [`super::Client::pause`].
    pub(super) fn pause(&self, waited: Duration) {
        let mut ends = self.ends.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ends) = ends.as_mut() {
            *ends += waited;
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
                &call.redactor(),
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
        let mut bytes = match call.redactor().scrub_bytes(&bytes) {
            std::borrow::Cow::Borrowed(_) => bytes,
            std::borrow::Cow::Owned(scrubbed) => scrubbed,
        };
        // A token the server has just made (`full_token`) is a secret from the moment it
        // arrives, whatever the body parses as: this call's trace and messages, and every
        // later call of the command, keep it out. A 2xx answer keeps it in its body (it is
        // the result); a failure has no use for it.
        let fresh = redact::full_tokens(&bytes);
        for secret in &fresh {
            call.redactor().add(secret);
            self.keep_secret(secret.clone());
        }
        if !fresh.is_empty() && !status.is_success() {
            bytes = call.redactor().scrub_bytes(&bytes).into_owned();
        }
        if self.show_http {
            self.sink.trace(&redact::response_trace(
                status,
                &headers,
                &bytes,
                &call.redactor(),
            ));
        }
        Ok(Answer {
            status: status.as_u16(),
            retry_after: retry_after(&headers),
            bytes,
        })
    }
}

/// One call in flight: where it goes, how to show that, what to keep out of messages, and
/// how far it got (for the message when `--request-timeout` ends it).
struct Call {
    method: Method,
    url: String,
    shown_url: String,
    /// The base URL in use, for a 404 that questions it.
    base_url: String,
    /// See [`ApiPath::names_resource`].
    names_resource: bool,
    redactor: Mutex<Redactor>,
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

    /// What this call keeps out of everything it shows; it learns the tokens an answer
    /// brings (see [`redact::full_tokens`]).
    fn redactor(&self) -> std::sync::MutexGuard<'_, Redactor> {
        // Never held across an await, as for `progress`.
        self.redactor
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn scrub(&self, text: &str) -> String {
        self.redactor().scrub(text)
    }
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    bytes: Vec<u8>,
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
}
