//! Why no usable configuration could be built: one error type for the settings and the
//! credentials store alike, so `exit` maps each case to its exit code in one place.

use std::path::PathBuf;

/// Why no usable configuration could be built. Each message names the fix.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum ConfigError {
    #[error(
        "not authenticated: no API token found. Pass --auth-token, set AIVEN_AUTH_TOKEN, \
         or run `avn-token login` (or `avn user login`) to store one in {}",
        .credentials_file.display()
    )]
    NoCredentials { credentials_file: PathBuf },

    #[error("cannot read credentials file {}: {reason}", .path.display())]
    BadCredentialsFile { path: PathBuf, reason: String },

    /// `action` is what was refused or failed: "write", "replace" or "remove".
    #[error("cannot {action} credentials file {}: {reason}", .path.display())]
    WriteCredentials {
        path: PathBuf,
        action: &'static str,
        reason: String,
    },

    #[error(
        "cannot find your home directory to locate the credentials file; \
         set AIVEN_CREDENTIALS_FILE or AIVEN_CONFIG_DIR"
    )]
    NoHome,

    #[error("{0}")]
    Invalid(String),
}
