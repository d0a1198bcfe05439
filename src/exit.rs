//! Exit codes, decided here and nowhere else.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (also: stdout closed early, as in `avn-token list \| head -1`) |
//! | 1 | API or network failure, or an aborted confirmation |
//! | 2 | usage error: bad arguments, environment or input |
//! | 3 | not authenticated: no credentials, or the API answered 401/403 |
//! | 4 | not found: the API answered 404, or no token matches the prefix |
//! | 5 | findings: `audit` found tokens that should worry you (those `--fail-on` counts) |
//! | 130 | interrupted (Ctrl-C) |

use crate::api::ApiError;
use crate::config::ConfigError;

pub const SUCCESS: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub(crate) const NOT_AUTHENTICATED: u8 = 3;
pub(crate) const NOT_FOUND: u8 = 4;
/// `audit` ran to the end and found what it was asked to fail on: not an error, a verdict.
pub(crate) const FINDINGS: u8 = 5;
pub(crate) const INTERRUPTED: u8 = 130;

/// Failures decided by a command itself rather than by the API or the configuration.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CommandError {
    /// The input cannot work (ambiguous prefix, empty token on stdin, ...).
    #[error("{0}")]
    Usage(String),
    /// Nothing matches what the user named.
    #[error("{0}")]
    NotFound(String),
    /// The user answered no, or a safety check refused to go on.
    #[error("{0}")]
    Refused(String),
    /// The command did part of its job and has already printed the details.
    #[error("{0}")]
    Partial(String),
}

/// The exit code for an error that ended a command.
pub fn code_for(error: &anyhow::Error) -> u8 {
    if is_broken_pipe(error) {
        return SUCCESS;
    }
    for cause in error.chain() {
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return match api {
                ApiError::Status {
                    status: 401 | 403, ..
                } => NOT_AUTHENTICATED,
                ApiError::Status { status: 404, .. } => NOT_FOUND,
                ApiError::Setup(_) => USAGE,
                _ => FAILURE,
            };
        }
        if let Some(config) = cause.downcast_ref::<ConfigError>() {
            return match config {
                ConfigError::NoCredentials { .. } | ConfigError::BadCredentialsFile { .. } => {
                    NOT_AUTHENTICATED
                }
                ConfigError::WriteCredentials { .. } => FAILURE,
                ConfigError::NoHome | ConfigError::Invalid(_) => USAGE,
            };
        }
        if let Some(command) = cause.downcast_ref::<CommandError>() {
            return match command {
                CommandError::Usage(_) => USAGE,
                CommandError::NotFound(_) => NOT_FOUND,
                CommandError::Refused(_) | CommandError::Partial(_) => FAILURE,
            };
        }
    }
    FAILURE
}

/// stdout was closed by the reader (`| head -1`): not a failure, as for any Unix tool.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
