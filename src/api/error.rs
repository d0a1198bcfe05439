//! The one error type of the API client: what went wrong talking to Aiven, with the HTTP
//! status and the server's own message when there was one.

/// A failed API call. Messages are one line, never contain the token, and say what to do
/// where there is something to do.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The API answered with a non-2xx status.
    #[error("{message} (HTTP {status})")]
    Status { status: u16, message: String },

    /// The API refused the token itself (HTTP 401, or 403 saying the token is invalid,
    /// expired or unknown), as opposed to a 403 for another reason (an IP allowlist or a
    /// scope that excludes this call, where the token is still valid).
    #[error("{message} (HTTP {status})")]
    Rejected { status: u16, message: String },

    /// A 404 that is not the API saying something is missing: the path names nothing that
    /// could be (a fixed endpoint such as `/v1/access_token`), or the answer is not in the
    /// API's error shape (an HTML page, an empty body). The base URL is most likely wrong.
    #[error(
        "{url} answered HTTP 404 ({detail}): there is no such API endpoint there; check the \
         API URL in use, {base} (--url or AIVEN_WEB_URL; the default is https://api.aiven.io)"
    )]
    NoEndpoint {
        url: String,
        base: String,
        detail: String,
    },

    /// The API answered 2xx, but not with what this call returns.
    #[error("unexpected response from the API (HTTP {status}): {detail}")]
    Decode { status: u16, detail: String },

    /// No answer: DNS, connect, TLS or I/O failure.
    #[error("cannot reach {url}: {detail}")]
    Network { url: String, detail: String },

    /// The call (retries included) outlasted its bound: `--request-timeout`, or the
    /// command's deadline (`--deadline`, 60 s by default: every command ends). `detail`
    /// says what was happening.
    #[error("request to {url} timed out after {seconds}s ({bound}): {detail}")]
    Timeout {
        url: String,
        seconds: f64,
        bound: &'static str,
        detail: String,
    },

    /// The client could not be set up (bad CA file, refused cleartext URL, ...).
    #[error("{0}")]
    Setup(String),
}

/// `error` and every error under it. `io::Error` hides the error it wraps from `source()`
/// (hyper wraps a TLS failure in two of them), so look inside those too.
pub(super) fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |current| {
        match current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        }
    })
}
