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
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(4);

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

pub struct Http {
    client: reqwest::Client,
    /// Base URL + `/v1`, no trailing slash.
    api_root: String,
    token: Secret,
    show_http: bool,
    request_timeout: Option<Duration>,
    retry_budget: Duration,
}

impl Http {
    pub fn new(config: &Config, token: Secret) -> Result<Http, ApiError> {
        let url = &config.url;
        if url.scheme() == "http" && !is_loopback(url) && !config.allow_insecure_http {
            return Err(ApiError::Setup(format!(
                "refusing to send your token in clear text to {url}: use https://, \
                 or pass --allow-insecure-http if this is a trusted local proxy"
            )));
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("avn-token/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT);
        builder = builder.tls_backend_preconfigured(tls_config(config)?);
        let client = builder
            .build()
            .map_err(|e| ApiError::Setup(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Http {
            client,
            api_root: format!("{}/v1", url.as_str().trim_end_matches('/')),
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
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), ApiError> {
        let url = format!("{}{}", self.api_root, path);
        let exchange = self.call_with_retries(method, &url, body.as_ref());
        let (status, bytes) =
            match self.request_timeout {
                Some(limit) => tokio::time::timeout(limit, exchange).await.map_err(|_| {
                    ApiError::Timeout {
                        url: url.clone(),
                        seconds: limit.as_secs_f64(),
                    }
                })??,
                None => exchange.await?,
            };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok((status, Value::Object(Default::default())));
        }
        let value = serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode {
            status,
            detail: format!("the body is not valid JSON ({e})"),
        })?;
        Ok((status, value))
    }

    async fn call_with_retries(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        let give_up_at = Instant::now() + self.retry_budget;
        let mut backoff = FIRST_BACKOFF;
        loop {
            let outcome = self.exchange(method, url, body).await;
            let wait = match &outcome {
                Ok(answer) if method.idempotent() && retryable_status(answer.status) => {
                    answer.retry_after.unwrap_or_else(|| jitter(backoff))
                }
                // A refused connection never reached the server: even POST may go again.
                Err(failure) if failure.connect || method.idempotent() && failure.retryable => {
                    jitter(backoff)
                }
                _ => return finish(outcome, url, &self.token),
            };
            if Instant::now() + wait > give_up_at {
                return finish(outcome, url, &self.token);
            }
            if self.show_http {
                output::diag::note(&format!("retrying in {:.1}s", wait.as_secs_f64()));
            }
            tokio::time::sleep(wait).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }

    /// Send once and read the whole body.
    async fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Answer, Failure> {
        let mut request = self.client.request(method.as_reqwest(), url).header(
            AUTHORIZATION,
            sensitive(&format!("aivenv1 {}", self.token.expose())),
        );
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let request = request.build().map_err(Failure::from_reqwest)?;
        if self.show_http {
            trace_request(&request, body, &self.token);
        }
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(Failure::from_reqwest)?;
        let status = response.status();
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Failure::from_reqwest)? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Failure {
                    detail: format!(
                        "the response body is larger than {} MiB (HTTP {})",
                        MAX_BODY_BYTES / 1024 / 1024,
                        status.as_u16()
                    ),
                    connect: false,
                    retryable: false,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if self.show_http {
            trace_response(status, &headers, &bytes, &self.token);
        }
        Ok(Answer {
            status: status.as_u16(),
            retry_after: retry_after(&headers),
            bytes,
        })
    }
}

struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    bytes: Vec<u8>,
}

/// A transport failure, before it becomes an [`ApiError`].
struct Failure {
    detail: String,
    /// The connection was never made: the server cannot have seen the request.
    connect: bool,
    retryable: bool,
}

impl Failure {
    fn from_reqwest(error: reqwest::Error) -> Failure {
        Failure {
            detail: error_chain(&error),
            connect: error.is_connect(),
            retryable: error.is_connect() || error.is_request() || error.is_body(),
        }
    }
}

fn finish(
    outcome: Result<Answer, Failure>,
    url: &str,
    token: &Secret,
) -> Result<(u16, Vec<u8>), ApiError> {
    match outcome {
        Ok(answer) if (200..300).contains(&answer.status) => Ok((answer.status, answer.bytes)),
        Ok(answer) => Err(ApiError::Status {
            status: answer.status,
            message: scrub(&error_message(answer.status, &answer.bytes), token),
        }),
        Err(failure) => Err(ApiError::Network {
            url: url.to_owned(),
            detail: scrub(&failure.detail, token),
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
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let lowered = text.trim_start().to_ascii_lowercase();
    if lowered.starts_with("<!doctype html") || lowered.starts_with("<html") {
        format!("{reason} (the server sent an HTML page, not JSON: a proxy or an outage?)")
    } else {
        format!("{reason} (not JSON: {})", one_line(&text))
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

/// Never let the token through in a message, whatever the server echoes back.
fn scrub(text: &str, token: &Secret) -> String {
    if token.expose().len() >= 8 {
        text.replace(token.expose(), "(redacted)")
    } else {
        text.to_owned()
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
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
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

fn trace_request(request: &reqwest::Request, body: Option<&Value>, token: &Secret) {
    let mut lines = vec![format!("> {} {}", request.method(), request.url())];
    for (name, value) in request.headers() {
        lines.push(format!("> {name}: {}", shown_header(name, value)));
    }
    if let Some(body) = body {
        lines.push(">".to_owned());
        lines.push(format!("> {}", scrub(&redact_body(body), token)));
    }
    output::diag::trace(&lines);
}

fn trace_response(status: reqwest::StatusCode, headers: &HeaderMap, bytes: &[u8], token: &Secret) {
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
        lines.push(format!("< {}", scrub(&text, token)));
    }
    output::diag::trace(&lines);
}

fn shown_header(name: &reqwest::header::HeaderName, value: &HeaderValue) -> String {
    if name == AUTHORIZATION {
        "aivenv1 (redacted)".to_owned()
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
    fn scrub_removes_the_token() {
        let token = Secret::new("abcdefghijklmnop");
        assert_eq!(
            scrub("token abcdefghijklmnop not found", &token),
            "token (redacted) not found"
        );
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
    fn retry_after_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers), None);
    }
}
