//! What went wrong with a call, and the [`ApiError`] it becomes: a refused connection, an
//! answer that is not HTTP, a TLS failure, a host name that does not exist, a body cut
//! short or too large, and, when the time ran out, how far the call had got.

use std::time::{Duration, Instant};

use super::messages::{error_message, is_api_error, one_line, rejects_token};
use super::{Answer, Call, tls};
use crate::api::ApiError;

/// Said of a create (or any call unsafe to repeat) that failed after it may have arrived.
pub(super) const MAY_HAVE_BEEN_DONE: &str =
    "; the request may have been carried out: check before trying again";

impl Call {
    pub(super) fn finish(
        &self,
        outcome: Result<Answer, Failure>,
        retried_for: Option<Duration>,
    ) -> Result<(u16, Vec<u8>), ApiError> {
        match outcome {
            Ok(answer) if (200..300).contains(&answer.status) => Ok((answer.status, answer.bytes)),
            Ok(answer) => Err(self.refusal(&answer)),
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

    /// A non-2xx answer as the error it means. A 404 says "no such thing" only when the
    /// path names a thing and the answer is the API's own error; anything else is a URL
    /// with no API endpoint behind it (a wrong `--url`, a proxy's page), which must not
    /// read as "no such token" (exit 4). A 401/403 rejects the token itself only when the
    /// API says so; a 403 for another reason (an IP allowlist, a scope) leaves the token
    /// valid, which `logout` must not mistake for "no longer valid".
    fn refusal(&self, answer: &Answer) -> ApiError {
        let status = answer.status;
        let message = error_message(status, &answer.bytes);
        let from_api = is_api_error(&answer.bytes);
        match status {
            404 if !(from_api && self.names_resource) => ApiError::NoEndpoint {
                url: self.shown_url.clone(),
                base: self.base_url.clone(),
                detail: message,
            },
            401 | 403 if from_api && rejects_token(status, &answer.bytes) => {
                ApiError::Rejected { status, message }
            }
            _ => ApiError::Status { status, message },
        }
    }
}

/// How far a call got: what it has been retrying since when, and what it is doing now.
#[derive(Default)]
pub(super) struct Progress {
    pub(super) retried: Option<(String, Instant)>,
    pub(super) phase: Phase,
}

#[derive(Default)]
pub(super) enum Phase {
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
    pub(super) fn retrying(&mut self, why: &str) {
        let since = self
            .retried
            .take()
            .map_or_else(Instant::now, |(_, since)| since);
        self.retried = Some((why.to_owned(), since));
    }

    /// What the call was doing when the time ran out, for the timeout message; for a call
    /// that is `unsafe` to repeat, whether it may have been carried out all the same.
    pub(super) fn describe(&self, unsafe_to_repeat: bool) -> String {
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

/// A transport failure, before it becomes an [`ApiError`].
pub(super) struct Failure {
    /// The status, when the failure came after the response head.
    pub(super) status: Option<u16>,
    pub(super) detail: String,
    /// The server may have seen the request (anything but a failed connect).
    pub(super) reached_server: bool,
    pub(super) retryable: bool,
    /// The request could not even be made (a URL too long for HTTP): input, not network.
    pub(super) unsendable: bool,
}

impl Failure {
    /// The request could not be built from what was given (reqwest's builder error).
    pub(super) fn unsendable(error: reqwest::Error) -> Failure {
        Failure {
            status: None,
            detail: error_chain(&error.without_url()),
            reached_server: false,
            retryable: false,
            unsendable: true,
        }
    }

    /// Sending failed, or no response head came back.
    pub(super) fn sending(error: reqwest::Error) -> Failure {
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
        let host = error
            .url()
            .and_then(|url| url.host_str())
            .unwrap_or("the host")
            .to_owned();
        let chain = error_chain(&error.without_url());
        let permanent = tls.is_some() || is_unknown_host(&chain) || garbled;
        let detail = tls
            .or_else(|| refused.then(|| "connection refused".to_owned()))
            .or_else(|| dns_failure(&chain, &host))
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
    crate::api::error::causes(error).any(|cause| {
        cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(|hyper| hyper.is_parse() || hyper.is_parse_status())
    })
}

/// A refused connection somewhere in the error's causes: nothing listens there.
fn connection_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    crate::api::error::causes(error).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    })
}

pub(super) fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
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

/// A failed name lookup as one line naming the host: the resolver's chain of causes
/// (`client error (Connect): dns error: failed to lookup address information: ...`) says
/// nothing more a person can act on. `None` when `chain` is not a lookup failure.
fn dns_failure(chain: &str, host: &str) -> Option<String> {
    if is_unknown_host(chain) {
        Some(format!(
            "the host name {host} is not known (DNS): is the URL right?"
        ))
    } else {
        chain
            .contains("dns error")
            .then(|| format!("the host name {host} could not be looked up (DNS failed)"))
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
    fn a_failed_lookup_is_one_line_naming_the_host() {
        let unknown = "client error (Connect): dns error: failed to lookup address information: Name or service not known";
        assert_eq!(
            dns_failure(unknown, "api.aivne.io").as_deref(),
            Some("the host name api.aivne.io is not known (DNS): is the URL right?")
        );
        let down = "client error (Connect): dns error: failed to lookup address information: Temporary failure in name resolution";
        assert_eq!(
            dns_failure(down, "api.aiven.io").as_deref(),
            Some("the host name api.aiven.io could not be looked up (DNS failed)")
        );
        let refused =
            "client error (Connect): tcp connect error: Connection refused (os error 111)";
        assert_eq!(dns_failure(refused, "h"), None);
    }
}
