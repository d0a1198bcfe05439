//! Every environment variable avn-token reads or sets, by name, in one place (as uv's
//! `EnvVars`): a search for a variable finds its one definition and, from there, every use.
//!
//! Only `main`'s collaborators read the environment: [`crate::config`] (through a lookup
//! function, so tests pass a map), [`crate::diag`] and clap's help (through anstream, which
//! reads `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` and `TERM`; [`crate::cli`] reads `COLUMNS`
//! for its width), and [`crate::output`] for how stdout is shown (`AVN_TOKEN_OUTPUT`,
//! `COLUMNS`, `NO_COLOR`). Commands never do.
//!
//! [`EnvVars::DOCUMENTED`] lists the ones a user sets, with what they do: the man page's
//! ENVIRONMENT section is made from it.

use std::ffi::OsString;

/// The variable `name` read through `env`, unless it is unset or empty: an empty value
/// counts as unset, as the README says (`AIVEN_WEB_URL= avn-token list` uses the default
/// URL). `env` is `std::env::var_os` in the binary, a map in tests.
pub(crate) fn non_empty_var(
    env: &impl Fn(&str) -> Option<OsString>,
    name: &str,
) -> Option<OsString> {
    env(name).filter(|value| !value.is_empty())
}

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
    /// A CA bundle for HTTPS, as requests reads it (corporate proxies set it up).
    pub const REQUESTS_CA_BUNDLE: &'static str = "REQUESTS_CA_BUNDLE";
    /// A CA bundle for HTTPS, as curl (and requests, after `REQUESTS_CA_BUNDLE`) reads it.
    pub const CURL_CA_BUNDLE: &'static str = "CURL_CA_BUNDLE";
    /// A CA bundle for HTTPS, as OpenSSL reads it.
    pub const SSL_CERT_FILE: &'static str = "SSL_CERT_FILE";
    /// The credentials file itself.
    pub const AIVEN_CREDENTIALS_FILE: &'static str = "AIVEN_CREDENTIALS_FILE";
    /// The directory holding `aiven-credentials.json` (default `~/.config/aiven`).
    pub const AIVEN_CONFIG_DIR: &'static str = "AIVEN_CONFIG_DIR";
    /// The home directory, for the default credentials file (not read on Windows, as avn).
    pub const HOME: &'static str = "HOME";
    /// The home directory on Windows, for the default credentials file (as avn).
    pub const USERPROFILE: &'static str = "USERPROFILE";
    /// The drive of the home directory on Windows, when `USERPROFILE` is unset.
    pub const HOMEDRIVE: &'static str = "HOMEDRIVE";
    /// The home directory on Windows, without its drive, when `USERPROFILE` is unset.
    pub const HOMEPATH: &'static str = "HOMEPATH";
    /// Where `avn`'s own settings are (default `$AIVEN_CONFIG_DIR/aiven-client.json`): set,
    /// with `AIVEN_CONFIG_DIR` and `AIVEN_CREDENTIALS_FILE`, to a private directory for `sandbox --exec`'s command.
    pub const AIVEN_CLIENT_CONFIG: &'static str = "AIVEN_CLIENT_CONFIG";
    /// Where `sandbox --exec` finds its command (a directory holding only this avn-token is
    /// put first).
    pub const PATH: &'static str = "PATH";
    /// The extensions a command name may omit on Windows (`.COM;.EXE;.BAT;.CMD`), for
    /// `sandbox --exec`.
    #[cfg_attr(not(windows), allow(dead_code))]
    pub const PATHEXT: &'static str = "PATHEXT";
    /// The process ID of a serving sandbox, printed with its variables (what to `kill`).
    pub const AVN_TOKEN_SANDBOX_PID: &'static str = "AVN_TOKEN_SANDBOX_PID";
    /// Any non-empty value turns colour off (<https://no-color.org>).
    pub const NO_COLOR: &'static str = "NO_COLOR";
    /// The output format to use when stdout is a terminal and no `-o` is given (`pretty`
    /// makes the table for people a person's default; scripts keep avn's layout).
    pub const AVN_TOKEN_OUTPUT: &'static str = "AVN_TOKEN_OUTPUT";
    /// The terminal's width in columns, for `-o pretty` (else the terminal is asked).
    pub const COLUMNS: &'static str = "COLUMNS";

    /// The variables a user sets, and what each does (for the man page).
    pub const DOCUMENTED: &'static [(&'static str, &'static str)] = &[
        (
            Self::AIVEN_AUTH_TOKEN,
            "The API token, when --auth-token is not given (before the credentials file).",
        ),
        (
            Self::AIVEN_WEB_URL,
            "The API base URL, when --url is not given (default https://api.aiven.io).",
        ),
        (
            Self::AIVEN_CA_CERT,
            "A PEM bundle of CA certificates to verify HTTPS with, when --auth-ca is not given.",
        ),
        (
            Self::REQUESTS_CA_BUNDLE,
            "A CA bundle to verify HTTPS with instead of the built-in Mozilla roots, when neither \
             --auth-ca nor AIVEN_CA_CERT is given; then CURL_CA_BUNDLE, then SSL_CERT_FILE.",
        ),
        (
            Self::AIVEN_CREDENTIALS_FILE,
            "The credentials file to read, and to write on login.",
        ),
        (
            Self::AIVEN_CONFIG_DIR,
            "The directory of aiven-credentials.json (default ~/.config/aiven).",
        ),
        (
            Self::AIVEN_ORGANIZATION_ID,
            "The organization of application users, when --organization-id is not given.",
        ),
        (
            Self::AIVEN_FORCE,
            "y, yes, t, true, 1 or ok: application-user delete and token revoke do not ask.",
        ),
        (
            Self::AVN_TOKEN_OUTPUT,
            "The output format when stdout is a terminal and no -o is given, e.g. pretty.",
        ),
        (
            Self::COLUMNS,
            "The terminal width for -o pretty and for help (which stays within 100 columns).",
        ),
        (
            Self::NO_COLOR,
            "Any non-empty value turns colour off on stdout and stderr (help and messages, \
             coloured on a terminal, also follow TERM=dumb, CLICOLOR and CLICOLOR_FORCE).",
        ),
        (
            Self::HTTPS_PROXY_LOWER,
            "A proxy for https:// API URLs (a CONNECT tunnel; also HTTPS_PROXY, all_proxy).",
        ),
        (
            Self::HTTP_PROXY_LOWER,
            "A proxy for http:// API URLs (also HTTP_PROXY); never used for loopback hosts.",
        ),
        (
            Self::NO_PROXY_LOWER,
            "Hosts reached without a proxy (also NO_PROXY).",
        ),
        (
            Self::HOME,
            "Locates the default credentials file. On Windows USERPROFILE does (else HOMEDRIVE \
             and HOMEPATH) and HOME is not read, as in avn.",
        ),
        (
            Self::PATH,
            "Where sandbox --exec finds its command (after a directory holding only this avn-token).",
        ),
    ];

    // Proxies (read by `config`, applied by `api::proxy`, which documents the rules). The
    // lower-case spelling wins, as in curl and Go.
    /// The proxy for `http://` API URLs.
    pub const HTTP_PROXY_LOWER: &'static str = "http_proxy";
    /// The proxy for `http://` API URLs, when `http_proxy` is unset.
    pub const HTTP_PROXY: &'static str = "HTTP_PROXY";
    /// The proxy for `https://` API URLs (a `CONNECT` tunnel).
    pub const HTTPS_PROXY_LOWER: &'static str = "https_proxy";
    /// The proxy for `https://` API URLs, when `https_proxy` is unset.
    pub const HTTPS_PROXY: &'static str = "HTTPS_PROXY";
    /// The proxy for either scheme, when the scheme's own variable is unset.
    pub const ALL_PROXY_LOWER: &'static str = "all_proxy";
    /// The proxy for either scheme, when `all_proxy` is unset too.
    pub const ALL_PROXY: &'static str = "ALL_PROXY";
    /// Hosts reached without a proxy (comma-separated).
    pub const NO_PROXY_LOWER: &'static str = "no_proxy";
    /// Hosts reached without a proxy, when `no_proxy` is unset.
    pub const NO_PROXY: &'static str = "NO_PROXY";
}
