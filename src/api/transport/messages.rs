//! What the server's answer says, as one line for people: its own error message, an error
//! reported inside a 2xx answer (as avn reads it), or what a body that is not what the call
//! returns looked like (an HTML page from a proxy, JSON of another shape).

use serde::de::IgnoredAny;

use super::super::redact::Redactor;
use crate::api::ApiError;
use crate::raw_json::{Kind, Raw, unquote};

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

/// A 2xx body decoded by `decode`, as [`super::Http::call_with`] does it, for the property tests.
pub(in crate::api) fn decode_body<T>(
    status: u16,
    bytes: Vec<u8>,
    decode: impl FnOnce(Vec<u8>) -> Result<T, serde_json::Error>,
) -> Result<T, ApiError> {
    decode_answer(status, bytes, decode, &Redactor::new(None, None))
}

/// A 2xx body (already scrubbed) decoded by `decode`, unless it reports an error.
pub(super) fn decode_answer<T>(
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

/// The server's own words for a failed call, else a description of what it sent.
pub(super) fn error_message(status: u16, bytes: &[u8]) -> String {
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
pub(super) fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 300 {
        let cut: String = flat.chars().take(300).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

/// A body in the API's error shape: a JSON object with a `message` string or an `errors`
/// list. What proxies, load balancers and other servers send (HTML, plain text, nothing,
/// JSON of another shape) is not.
pub(super) fn is_api_error(bytes: &[u8]) -> bool {
    json_text(bytes).is_some_and(|body| {
        body.member("message").and_then(Raw::as_str).is_some()
            || body
                .member("errors")
                .is_some_and(|errors| errors.kind() == Kind::Array)
    })
}

/// What the API says when it refuses a token as such (unknown, revoked, expired,
/// malformed), in its `error_code`s and messages. The real API documents no codes for
/// this; these are the words it and the sandbox use. Unknown wording reads as "refused
/// for another reason", the safe side: nothing is then taken for dead that may be alive.
const TOKEN_REFUSED: &[&str] = &[
    "authentication_failed",
    "invalid_token",
    "token_expired",
    "token_revoked",
    "invalid token",
    "invalid or expired token",
    "token is invalid",
    "token has expired",
    "token expired",
    "expired token",
    "token has been revoked",
    "revoked token",
    "authentication failed",
];

/// A 401 in the API's error shape, or a 403 whose message or `error_code` says the token
/// itself is refused (see [`TOKEN_REFUSED`]).
pub(super) fn rejects_token(status: u16, bytes: &[u8]) -> bool {
    let Some(body) = json_text(bytes) else {
        return false;
    };
    if status == 401 {
        return true;
    }
    let errors = body.member("errors");
    let texts = [body.member("message"), body.member("error_code")]
        .into_iter()
        .chain(
            errors
                .iter()
                .flat_map(|errors| errors.items())
                .flat_map(|error| [error.member("message"), error.member("error_code")]),
        )
        .flatten()
        .filter_map(Raw::as_str);
    texts.into_iter().any(|text| {
        let text = text.to_lowercase();
        TOKEN_REFUSED.iter().any(|words| text.contains(words))
    })
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
}
