//! Every environment variable avn-token reads or sets, by name, in one place (as uv's
//! `EnvVars`): a search for a variable finds its one definition and, from there, every use.
//!
//! Only `main`'s collaborators read the environment: clap (for the options that have an
//! `env` fallback), [`crate::config`] (through a lookup function, so tests pass a map), and
//! [`crate::diag`] for `NO_COLOR`. Commands never do.

/// Names of environment variables.
pub struct EnvVars;

impl EnvVars {
    /// API base URL, as `avn` reads it (`--url`).
    pub const AIVEN_WEB_URL: &'static str = "AIVEN_WEB_URL";
    /// The API token (`--auth-token`), as `avn` reads it.
    pub const AIVEN_AUTH_TOKEN: &'static str = "AIVEN_AUTH_TOKEN";
    /// A PEM bundle of CA certificates to trust instead of the default roots (`--auth-ca`).
    pub const AIVEN_CA_CERT: &'static str = "AIVEN_CA_CERT";
    /// The organization of application users (`--organization-id`), for `application-user`,
    /// `--app-user` and `audit`.
    pub const AIVEN_ORGANIZATION_ID: &'static str = "AIVEN_ORGANIZATION_ID";
    /// Any of `y`, `yes`, `t`, `true`, `1`, `ok`: skip the confirmation question of
    /// `application-user delete` and `application-user token revoke`, as `avn` does.
    pub const AIVEN_FORCE: &'static str = "AIVEN_FORCE";
    /// The credentials file itself.
    pub const AIVEN_CREDENTIALS_FILE: &'static str = "AIVEN_CREDENTIALS_FILE";
    /// The directory holding `aiven-credentials.json` (default `~/.config/aiven`).
    pub const AIVEN_CONFIG_DIR: &'static str = "AIVEN_CONFIG_DIR";
    /// The home directory, for the default credentials file.
    pub const HOME: &'static str = "HOME";
    /// Where `sandbox --exec` finds its command (this binary's directory is put first).
    pub const PATH: &'static str = "PATH";
    /// Any non-empty value turns colour off (<https://no-color.org>).
    pub const NO_COLOR: &'static str = "NO_COLOR";
}
