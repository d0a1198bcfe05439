//! The transport under [`super::Client`]: one HTTP exchange with retries, timeouts and
//! error shaping, decoding the answer into the type the call returns. Nothing here knows
//! about tokens' fields; secrets are kept out of messages by [`super::redact`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::path::ApiPath;
use super::redact::{self, Redactor};
use super::{ApiError, ClientOptions, tls};
use crate::diag::Sink;
use crate::secret::Secret;

/// Bodies larger than this are refused: the biggest real answer (a list of 1000 session
/// tokens) is well under 1 MiB.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A server that stops sending for this long is treated as gone (and a GET retried), so a
/// stalled proxy cannot hang a CI job even without `--request-timeout`.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// Attempts per call, whatever the budget: a bound on the loop, not the usual limit (the
/// 15-second default budget allows about six).
const MAX_ATTEMPTS: u32 = 10;

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
    /// The same for people: without any `user:password@`.
    shown_root: String,
    token: Secret,
    show_http: bool,
    request_timeout: Option<Duration>,
    retry_budget: Duration,
    sink: Arc<dyn Sink>,
}

impl Http {
    pub(super) fn new(options: &ClientOptions, token: Secret) -> Result<Http, ApiError> {
        let url = &options.base_url;
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        if url.scheme() == "http" && !is_loopback(url) && !options.allow_insecure_http {
            return Err(ApiError::Setup(format!(
                "refusing to send your token in clear text to {shown}: use https://, \
                 or pass --allow-insecure-http if this is a trusted local proxy"
            )));
        }
        let client = reqwest::Client::builder()
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
            shown_root: format!("{}/v1", shown.as_str().trim_end_matches('/')),
            token,
            show_http: options.show_http,
            request_timeout: options.request_timeout,
            retry_budget: options.retry_budget,
            sink: options.sink.clone(),
        })
    }

    /// One API call, its 2xx answer decoded as `T` (an empty body reads as `{}`); an
    /// [`ApiError`] for everything else. `body` is JSON, already encoded.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &ApiPath,
        body: Option<Vec<u8>>,
    ) -> Result<T, ApiError> {
        let call = Call {
            method,
            url: format!("{}{}", self.api_root, path.sent),
            shown_url: format!("{}{}", self.shown_root, path.shown),
            redactor: Redactor::new(Some(&self.token), path.secret.as_ref()),
        };
        let exchange = self.call_with_retries(&call, body.as_deref());
        let (status, bytes) =
            match self.request_timeout {
                Some(limit) => tokio::time::timeout(limit, exchange).await.map_err(|_| {
                    ApiError::Timeout {
                        url: call.shown_url.clone(),
                        seconds: limit.as_secs_f64(),
                    }
                })??,
                None => exchange.await?,
            };
        decode(status, &bytes, &call.redactor)
    }

    async fn call_with_retries(
        &self,
        call: &Call<'_>,
        body: Option<&[u8]>,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        let give_up_at = Instant::now() + self.retry_budget;
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1.. {
            let outcome = self.exchange(call, body).await;
            let pause = jitter(backoff);
            let wait = match &outcome {
                // Retry-After is a floor, never a reason to hammer: `0` still backs off.
                Ok(answer) if call.method.idempotent() && retryable_status(answer.status) => {
                    answer.retry_after.map_or(pause, |asked| asked.max(pause))
                }
                // A refused connection never reached the server: even POST may go again.
                Err(failure)
                    if failure.retryable
                        && (call.method.idempotent() || !failure.reached_server) =>
                {
                    pause
                }
                _ => return call.finish(outcome),
            };
            // A wait past the budget (a long Retry-After included) ends it now, not later.
            if attempt >= MAX_ATTEMPTS || Instant::now() + wait > give_up_at {
                return call.finish(outcome);
            }
            if self.show_http {
                self.sink
                    .note(&format!("retrying in {:.1}s", wait.as_secs_f64()));
            }
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        unreachable!("the loop returns by its MAX_ATTEMPTS bound")
    }

    /// Send once and read the whole body.
    async fn exchange(&self, call: &Call<'_>, body: Option<&[u8]>) -> Result<Answer, Failure> {
        let mut request = self
            .client
            .request(call.method.as_reqwest(), &call.url)
            .header(
                AUTHORIZATION,
                sensitive(&format!("aivenv1 {}", self.token.expose())),
            );
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
        };
        if response
            .content_length()
            .is_some_and(|length| length > MAX_BODY_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        loop {
            let chunk = response.chunk().await.map_err(|error| Failure {
                status: Some(status.as_u16()),
                detail: format!(
                    "the response was cut short ({})",
                    error_chain(&error.without_url())
                ),
                reached_server: true,
                retryable: true,
            })?;
            let Some(chunk) = chunk else { break };
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
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

/// One call in flight: where it goes, how to show that, and what to keep out of messages.
struct Call<'a> {
    method: Method,
    url: String,
    shown_url: String,
    redactor: Redactor<'a>,
}

impl Call<'_> {
    fn scrub(&self, text: &str) -> String {
        self.redactor.scrub(text)
    }

    fn finish(&self, outcome: Result<Answer, Failure>) -> Result<(u16, Vec<u8>), ApiError> {
        match outcome {
            Ok(answer) if (200..300).contains(&answer.status) => Ok((answer.status, answer.bytes)),
            Ok(answer) => Err(ApiError::Status {
                status: answer.status,
                message: self.scrub(&error_message(answer.status, &answer.bytes)),
            }),
            Err(failure) => {
                let mut detail = self.scrub(&failure.detail);
                if failure.reached_server && !self.method.idempotent() {
                    detail.push_str(
                        "; the request may have been carried out: check before trying again",
                    );
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
}

impl Failure {
    /// Sending failed, or no response head came back.
    fn sending(error: reqwest::Error) -> Failure {
        // A certificate or handshake failure will not fix itself: retrying only delays
        // the message the user needs.
        let tls = tls::is_tls_failure(&error);
        let connect = error.is_connect();
        let may_retry = connect || error.is_request() || error.is_timeout();
        let detail = error_chain(&error.without_url());
        // Neither will a host name that does not exist (a typo in --url): fail at once
        // instead of retrying for the whole budget. A resolver that is briefly down
        // ("Temporary failure in name resolution") is retried like any connection error.
        let permanent = tls || is_unknown_host(&detail);
        let retryable = !permanent && may_retry;
        Failure {
            status: None,
            detail,
            reached_server: !connect,
            retryable,
        }
    }
}

/// A 2xx body decoded as `T`; an empty one reads as `{}`. Any bytes give a value or an
/// error, never a panic; what the error quotes of the body is scrubbed of secrets.
pub(super) fn decode<T: DeserializeOwned>(
    status: u16,
    bytes: &[u8],
    redactor: &Redactor<'_>,
) -> Result<T, ApiError> {
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|error| ApiError::Decode {
        status,
        detail: match not_json(bytes) {
            Some(what) if error.is_syntax() || error.is_eof() => what,
            _ if error.is_syntax() || error.is_eof() => {
                format!("the body is not valid JSON ({error})")
            }
            _ => one_line(&redactor.scrub(&error.to_string())),
        },
    })
}

fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
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

/// `Retry-After` in seconds (the HTTP-date form is rare for APIs and treated as absent).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// The server's own words for a failed call, else a description of what it sent.
fn error_message(status: u16, bytes: &[u8]) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error");
    if let Ok(body) = serde_json::from_slice::<Value>(bytes) {
        let message = body
            .get("message")
            .and_then(Value::as_str)
            .filter(|m| !m.trim().is_empty())
            .or_else(|| {
                body.get("errors")?
                    .as_array()?
                    .first()?
                    .get("message")?
                    .as_str()
            });
        if let Some(message) = message {
            return one_line(message);
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
fn one_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
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

fn sensitive(value: &str) -> HeaderValue {
    let mut header = HeaderValue::from_str(value)
        .unwrap_or_else(|_| HeaderValue::from_static("aivenv1 invalid-token"));
    header.set_sensitive(true);
    header
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
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

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://localhost:8080",
            "http://127.0.0.1",
            "http://127.1.2.3",
            "http://[::1]:1",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback(&url.parse().unwrap()), "{url}");
        }
        for url in [
            "http://example.invalid",
            "http://0.0.0.0",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://[::ffff:10.0.0.1]",
        ] {
            assert!(!is_loopback(&url.parse().unwrap()), "{url}");
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
    fn retry_after_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}
