//! Which outcomes of a call are tried again, how long to wait between attempts, and when
//! to give up. Only what is safe to repeat is repeated: GET/PUT/PATCH/DELETE on a
//! connection error or a "not now" status, POST only when the connection was refused (it
//! never reached the server).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::{Call, Http, Method, Phase};
use crate::api::ApiError;

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

impl Http {
    /// `limit`: how long this call may take, for the retry note.
    pub(super) async fn call_with_retries(
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
}

/// How long a call that has made `attempts` attempts has been retrying, if it has.
fn retried_for(attempts: u32, started: Instant) -> Option<Duration> {
    (attempts > 1).then(|| started.elapsed())
}

/// Statuses that say "not now" rather than "no": request timeout (as the official Go client
/// retries), rate limits, and a gateway or service briefly unavailable.
fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 502 | 503 | 504)
}

/// `503 Service Unavailable`, or just the number for a status without a known name.
pub(super) fn status_text(status: u16) -> String {
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
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

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
