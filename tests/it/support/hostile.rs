//! What a hostile server sends, and the checks every run against one must pass: a token
//! listed with every field used, raw HTTP answers, no panic, no raw control character.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::Run;
use super::server::Canned;

/// The prefix of the token the hostile answers list.
pub const PREFIX: &str = "XCJ3+bgWywIh";

/// A token as the API lists it, every field used.
pub fn token_json(prefix: &str, description: &str) -> Value {
    json!({
        "create_time": "2021-08-16T15:29:14Z", "created_manually": true,
        "currently_active": false, "description": description,
        "expiry_time": "2031-08-16T15:29:14Z", "extend_when_used": false,
        "last_ip": "192.0.2.1", "last_used_time": "2021-08-17T15:29:14Z",
        "last_user_agent": "curl", "max_age_seconds": 3600, "token_prefix": prefix
    })
}

/// A list of one token ([`PREFIX`], "ci").
pub fn list_ok() -> Canned {
    Canned::json(200, json!({ "tokens": [token_json(PREFIX, "ci")] }))
}

/// A sanity bound on how long a run took (the machine is noisy: bounds are generous).
#[track_caller]
pub fn ended_within(started: Instant, seconds: u64) {
    let took = started.elapsed();
    assert!(took < Duration::from_secs(seconds), "took {took:?}");
}

/// A failure that came to an end the way every failure must: a status (no signal), not
/// Rust's panic status 101, no panic message.
#[track_caller]
pub fn no_panic(out: &Run) {
    assert!(out.status.is_some(), "killed by a signal: {out:?}");
    assert_ne!(out.status, Some(101), "panicked: {out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");
}

/// An HTTP/1.1 answer as raw bytes: status, `headers` (whole lines), body with its length.
pub fn raw_response(status: u16, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 {status} Whatever\r\n").into_bytes();
    for header in headers {
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(body);
    bytes
}

/// No raw C0/C1 control or bidi override anywhere in the output (newlines end lines).
#[track_caller]
pub fn assert_no_raw_controls(out: &Run) {
    // CSV ends its records with CRLF (RFC 4180): that line break is the format's own.
    let stdout = out.stdout.replace("\r\n", "\n");
    for (stream, text) in [("stdout", &stdout), ("stderr", &out.stderr)] {
        if let Some(bad) = text.chars().find(|&c| {
            c != '\n'
                && (c < ' '
                    || ('\u{80}'..='\u{9f}').contains(&c)
                    || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        }) {
            panic!("raw U+{:04X} on {stream}: {out:?}", u32::from(bad));
        }
    }
}

/// Terminal hazards: an OSC title change, BEL, a C1 CSI clearing the screen, a bidi
/// override, NEL.
pub const HAZARDS: &str = "\u{1b}]0;owned\u{7}\u{9b}2J\u{202e}dlrow\u{85}";
