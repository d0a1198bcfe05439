//! Keeping secrets out of everything people see: error messages built from what the server
//! sent, and the `--show-http` trace of each request and response.

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::path::path_segment;
use crate::secret::Secret;

/// The secrets one call must never show: the token it authenticates with, and a whole token
/// given where a prefix was expected.
pub(super) struct Redactor<'a> {
    secrets: [Option<&'a Secret>; 2],
}

impl<'a> Redactor<'a> {
    pub(super) fn new(token: Option<&'a Secret>, in_path: Option<&'a Secret>) -> Redactor<'a> {
        Redactor {
            secrets: [token, in_path],
        }
    }

    /// `text` without any of the secrets, raw or percent-encoded.
    pub(super) fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for secret in self.secrets.iter().flatten() {
            let raw = secret.expose();
            if raw.len() >= 8 {
                text = text
                    .replace(raw, "(redacted)")
                    .replace(&path_segment(raw), "(redacted)");
            }
        }
        text
    }
}

/// The `--show-http` lines for a request about to be sent.
pub(super) fn request_trace(
    request: &reqwest::Request,
    shown_url: &str,
    body: Option<&[u8]>,
    redactor: &Redactor<'_>,
) -> Vec<String> {
    let mut lines = vec![format!("> {} {shown_url}", request.method())];
    for (name, value) in request.headers() {
        lines.push(format!("> {name}: {}", shown_header(name, value)));
    }
    if let Some(body) = body {
        lines.push(">".to_owned());
        lines.push(format!("> {}", redactor.scrub(&shown_body(body))));
    }
    lines
}

/// The `--show-http` lines for a response.
pub(super) fn response_trace(
    status: reqwest::StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    redactor: &Redactor<'_>,
) -> Vec<String> {
    let mut lines = vec![format!("< HTTP {status}")];
    for (name, value) in headers {
        lines.push(format!("< {name}: {}", shown_header(name, value)));
    }
    if !body.is_empty() {
        lines.push("<".to_owned());
        lines.push(format!("< {}", redactor.scrub(&shown_body(body))));
    }
    lines
}

/// Header values as the trace shows them: credentials and cookies never.
fn shown_header(name: &HeaderName, value: &HeaderValue) -> String {
    use reqwest::header::{COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
    if name == AUTHORIZATION {
        "aivenv1 (redacted)".to_owned()
    } else if [PROXY_AUTHORIZATION, COOKIE, SET_COOKIE].contains(name) {
        "(redacted)".to_owned()
    } else {
        String::from_utf8_lossy(value.as_bytes()).into_owned()
    }
}

/// A body for the trace: JSON with `full_token` values (new secrets) redacted, else the
/// start of its text.
fn shown_body(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(json) => redact_full_tokens(json).to_string(),
        Err(_) => String::from_utf8_lossy(&body[..body.len().min(4096)]).into_owned(),
    }
}

fn redact_full_tokens(mut value: Value) -> Value {
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
    walk(&mut value);
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_tokens_raw_and_encoded() {
        let token = Secret::new("abcdefghij+/klmnop=");
        let in_path = Secret::new("XCJ3+bgWywIhFULL/TOKEN==");
        let redactor = Redactor::new(Some(&token), Some(&in_path));
        assert_eq!(
            redactor.scrub("token abcdefghij+/klmnop= (abcdefghij%2B%2Fklmnop%3D) not found"),
            "token (redacted) ((redacted)) not found"
        );
        assert_eq!(
            redactor.scrub("no XCJ3+bgWywIhFULL/TOKEN== here"),
            "no (redacted) here"
        );
    }

    #[test]
    fn full_tokens_are_redacted_in_traces() {
        let body = br#"{"full_token": "secret", "tokens": [{"full_token": "s2"}]}"#;
        let shown = shown_body(body);
        assert!(
            !shown.contains("secret") && !shown.contains("s2"),
            "{shown}"
        );
    }
}
