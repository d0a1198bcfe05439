//! The transport under [`super::Client`]: one HTTP exchange with retries, timeouts,
//! `--show-http` tracing and error shaping. Nothing here knows about tokens' fields.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::Value;

use super::ApiError;
use crate::config::Config;
use crate::output;
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
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    /// Safe to send twice. POST is not: a repeated create makes a second token.
    fn idempotent(self) -> bool {
        !matches!(self, Method::Post)
    }
}

/// A path under `/v1`. A token prefix in it may be a whole token (`revoke FULL_TOKEN`
/// works, as with `avn`), so such a path carries that secret aside: traces and error
/// messages show only its first characters, and what the server echoes is scrubbed of it.
pub struct ApiPath {
    sent: String,
    shown: String,
    secret: Option<Secret>,
}

impl ApiPath {
    pub fn new(path: &str) -> ApiPath {
        ApiPath {
            sent: path.to_owned(),
            shown: path.to_owned(),
            secret: None,
        }
    }

    /// `base` followed by `value` percent-encoded as one path segment.
    pub fn with_segment(base: &str, value: &str) -> ApiPath {
        let visible = crate::secret::visible_prefix(value);
        let sent = format!("{base}{}", super::path_segment(value));
        if visible.len() == value.len() {
            return ApiPath::new(&sent);
        }
        ApiPath {
            sent,
            shown: format!("{base}{}…", super::path_segment(visible)),
            secret: Some(Secret::new(value)),
        }
    }
}

pub struct Http {
    client: reqwest::Client,
    /// Base URL + `/v1`, no trailing slash.
    api_root: String,
    /// The same for people: without any `user:password@`.
    shown_root: String,
    token: Secret,
    show_http: bool,
    request_timeout: Option<Duration>,
    retry_budget: Duration,
}

impl Http {
    pub fn new(config: &Config, token: Secret) -> Result<Http, ApiError> {
        let url = &config.url;
        let mut shown = url.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        if url.scheme() == "http" && !is_loopback(url) && !config.allow_insecure_http {
            return Err(ApiError::Setup(format!(
                "refusing to send your token in clear text to {shown}: use https://, \
                 or pass --allow-insecure-http if this is a trusted local proxy"
            )));
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("avn-token/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            // The API never redirects; following one would turn a POST into a GET and could
            // carry the token to another host. A 3xx is reported as the failure it is.
            .redirect(reqwest::redirect::Policy::none())
            .read_timeout(READ_TIMEOUT);
        builder = builder.tls_backend_preconfigured(tls_config(config)?);
        let client = builder
            .build()
            .map_err(|e| ApiError::Setup(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Http {
            client,
            api_root: format!("{}/v1", url.as_str().trim_end_matches('/')),
            shown_root: format!("{}/v1", shown.as_str().trim_end_matches('/')),
            token,
            show_http: config.show_http,
            request_timeout: config.request_timeout,
            retry_budget: config.retry_budget,
        })
    }

    /// One API call: `(status, parsed JSON body)` for a 2xx answer (an empty body reads as
    /// `{}`), an [`ApiError`] for everything else.
    pub async fn call(
        &self,
        method: Method,
        path: &ApiPath,
        body: Option<Value>,
    ) -> Result<(u16, Value), ApiError> {
        let call = Call {
            method,
            url: format!("{}{}", self.api_root, path.sent),
            shown_url: format!("{}{}", self.shown_root, path.shown),
            secrets: [Some(&self.token), path.secret.as_ref()],
        };
        let exchange = self.call_with_retries(&call, body.as_ref());
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
        parse_body(status, &bytes)
    }

    async fn call_with_retries(
        &self,
        call: &Call<'_>,
        body: Option<&Value>,
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
                output::diag::note(&format!("retrying in {:.1}s", wait.as_secs_f64()));
            }
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
        unreachable!("the loop returns by its MAX_ATTEMPTS bound")
    }

    /// Send once and read the whole body.
    async fn exchange(&self, call: &Call<'_>, body: Option<&Value>) -> Result<Answer, Failure> {
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
                .body(body.to_string());
        }
        let request = request.build().map_err(Failure::sending)?;
        if self.show_http {
            trace_request(call, &request, body);
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
            trace_response(call, status, &headers, &bytes);
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
    secrets: [Option<&'a Secret>; 2],
}

impl Call<'_> {
    /// Never let a token through in a message, whatever the server echoes back, raw or
    /// percent-encoded.
    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in self.secrets.iter().flatten() {
            let raw = secret.expose();
            if raw.len() >= 8 {
                text = text
                    .replace(raw, "(redacted)")
                    .replace(&super::path_segment(raw), "(redacted)");
            }
        }
        text
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
        let tls = is_tls_failure(&error);
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

/// A 2xx body as JSON; an empty one reads as `{}`.
pub(super) fn parse_body(status: u16, bytes: &[u8]) -> Result<(u16, Value), ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok((status, Value::Object(Default::default())));
    }
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok((status, value)),
        Err(error) => Err(ApiError::Decode {
            status,
            detail: match not_json(bytes) {
                Some(what) => what,
                None => format!("the body is not valid JSON ({error})"),
            },
        }),
    }
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

/// A TLS failure (bad certificate, failed handshake) somewhere in the error's causes.
/// `io::Error` hides the error it wraps from `source()`, so look inside those too.
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

fn is_tls_failure(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(current) = cause {
        let wrapped = current
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref());
        if current.is::<rustls::Error>() || wrapped.is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return true;
        }
        cause = current.source();
    }
    false
}

/// TLS settings: rustls on ring. `--auth-ca` replaces the system roots, as `avn`'s does
/// (requests' `verify=FILE`); plain-http URLs skip loading any roots at all, so a machine
/// without a CA store still reaches a local sandbox.
fn tls_config(config: &Config) -> Result<rustls::ClientConfig, ApiError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ApiError::Setup(format!("TLS setup failed: {e}")))?;
    let builder = if let Some(ca) = &config.auth_ca {
        builder.with_root_certificates(read_ca(ca)?)
    } else if config.url.scheme() == "https" {
        use rustls_platform_verifier::BuilderVerifierExt;
        builder.with_platform_verifier().map_err(|e| {
            ApiError::Setup(format!(
                "cannot load the system's CA certificates ({e}); pass --auth-ca FILE"
            ))
        })?
    } else {
        builder.with_root_certificates(rustls::RootCertStore::empty())
    };
    Ok(builder.with_no_client_auth())
}

fn read_ca(path: &std::path::Path) -> Result<rustls::RootCertStore, ApiError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let fail = |why: String| ApiError::Setup(format!("CA file {}: {why}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| fail(format!("not a PEM certificate file ({e})")))?;
        roots
            .add(cert)
            .map_err(|e| fail(format!("unusable certificate ({e})")))?;
    }
    if roots.is_empty() {
        return Err(fail("no PEM certificates found".into()));
    }
    Ok(roots)
}

fn trace_request(call: &Call<'_>, request: &reqwest::Request, body: Option<&Value>) {
    let mut lines = vec![format!("> {} {}", request.method(), call.shown_url)];
    for (name, value) in request.headers() {
        lines.push(format!("> {name}: {}", shown_header(name, value)));
    }
    if let Some(body) = body {
        lines.push(">".to_owned());
        lines.push(format!("> {}", call.scrub(&redact_body(body))));
    }
    output::diag::trace(&lines);
}

fn trace_response(call: &Call<'_>, status: reqwest::StatusCode, headers: &HeaderMap, bytes: &[u8]) {
    let mut lines = vec![format!("< HTTP {status}")];
    for (name, value) in headers {
        lines.push(format!("< {name}: {}", shown_header(name, value)));
    }
    if !bytes.is_empty() {
        let text = match serde_json::from_slice::<Value>(bytes) {
            Ok(body) => redact_body(&body),
            Err(_) => String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned(),
        };
        lines.push("<".to_owned());
        lines.push(format!("< {}", call.scrub(&text)));
    }
    output::diag::trace(&lines);
}

/// Header values as the trace shows them: credentials and cookies never.
fn shown_header(name: &reqwest::header::HeaderName, value: &HeaderValue) -> String {
    use reqwest::header::{COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
    if name == AUTHORIZATION {
        "aivenv1 (redacted)".to_owned()
    } else if [PROXY_AUTHORIZATION, COOKIE, SET_COOKIE].contains(name) {
        "(redacted)".to_owned()
    } else {
        String::from_utf8_lossy(value.as_bytes()).into_owned()
    }
}

/// A JSON body for the trace, with `full_token` values (new secrets) redacted.
fn redact_body(body: &Value) -> String {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                for (key, field) in fields.iter_mut() {
                    if key == "full_token" && field.is_string() {
                        *field = Value::String("(redacted)".into());
                    } else {
                        walk(field);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut copy = body.clone();
    walk(&mut copy);
    copy.to_string()
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
    fn scrub_removes_tokens_raw_and_encoded() {
        let token = Secret::new("abcdefghij+/klmnop=");
        let path = ApiPath::with_segment("/access_token/", "XCJ3+bgWywIhFULL/TOKEN==");
        let call = Call {
            method: Method::Get,
            url: String::new(),
            shown_url: String::new(),
            secrets: [Some(&token), path.secret.as_ref()],
        };
        assert_eq!(
            call.scrub("token abcdefghij+/klmnop= (abcdefghij%2B%2Fklmnop%3D) not found"),
            "token (redacted) ((redacted)) not found"
        );
        assert_eq!(
            call.scrub("no XCJ3+bgWywIhFULL/TOKEN== here"),
            "no (redacted) here"
        );
        assert_eq!(path.shown, "/access_token/XCJ3%2BbgWywIh…");
        assert_eq!(ApiPath::with_segment("/t/", "XCJ3+bgWywIh").secret, None);
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
    fn full_tokens_are_redacted_in_traces() {
        let body = serde_json::json!({"full_token": "secret", "tokens": [{"full_token": "s2"}]});
        let shown = redact_body(&body);
        assert!(
            !shown.contains("secret") && !shown.contains("s2"),
            "{shown}"
        );
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
