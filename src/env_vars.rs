//! Every environment variable avn-token reads or sets, by name, in one place (as uv's
//! `EnvVars`): a search for a variable finds its one definition and, from there, every use.
//!
//! Only `main`'s collaborators read the environment: [`crate::config`] (through an
//! [`Environment`], so tests pass a map), [`crate::diag`] and clap's help (through anstream, which
//! reads `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE` and `TERM`; [`crate::cli`] reads `COLUMNS`
//! for its width), and [`crate::output`] for how stdout is shown (`AVN_TOKEN_OUTPUT`,
//! `COLUMNS`, `NO_COLOR`). Commands never do.
//!
//! [`EnvVars::DOCUMENTED`] lists the ones a user sets, with what they do: the man page's
//! ENVIRONMENT section is made from it.

use std::borrow::Cow;
use std::ffi::OsString;

/// The variable `name` read through `env`, unless it is unset or empty: an empty value
/// counts as unset, as the README says (`AIVEN_WEB_URL= avn-token list` uses the default
/// URL). `env` is [`ProcessEnv`] in the binary, a map in tests.
pub(crate) fn non_empty_var(env: &impl Environment, name: &str) -> Option<OsString> {
    env.var(name).filter(|value| !value.is_empty())
}

/// The environment as the configuration reads it: a variable's value by name, and, for a
/// message, the name as the user set it. Any `Fn(&str) -> Option<OsString>` is one (a map
/// in tests, whose names are spelled as asked); [`ProcessEnv`] is this process's.
pub(crate) trait Environment {
    /// The value of `name`, if set.
    fn var(&self, name: &str) -> Option<OsString>;

    /// `name` as it is set, to name it in a message: where names ignore case, the user may
    /// have set `HTTPS_PROXY` that a lookup of `https_proxy` found.
    fn spelling(&self, name: &'static str) -> Cow<'static, str> {
        Cow::Borrowed(name)
    }
}

impl<F: Fn(&str) -> Option<OsString>> Environment for F {
    fn var(&self, name: &str) -> Option<OsString> {
        self(name)
    }
}

/// This process's environment, its names matched as the operating system matches them
/// ([`NameCase::THIS_PLATFORM`]).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<OsString> {
        std::env::var_os(name)
    }

    fn spelling(&self, name: &'static str) -> Cow<'static, str> {
        NameCase::THIS_PLATFORM.spelling(name, std::env::vars_os().map(|(key, _)| key))
    }
}

/// How the operating system matches the name of an environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameCase {
    /// Unix: `https_proxy` and `HTTPS_PROXY` are two variables (both may be set: which one
    /// wins is `api::proxy`'s rule).
    Exact,
    /// Windows: names ignore case, so a lookup of `https_proxy` finds `HTTPS_PROXY`, and
    /// only one of them can be set.
    IgnoreAsciiCase,
}

impl NameCase {
    /// The one platform decision about variable names.
    pub(crate) const THIS_PLATFORM: NameCase = if cfg!(windows) {
        NameCase::IgnoreAsciiCase
    } else {
        NameCase::Exact
    };

    /// `name` as spelled among the names `set`, or as asked when none matches.
    pub(crate) fn spelling(
        self,
        name: &'static str,
        set: impl IntoIterator<Item = OsString>,
    ) -> Cow<'static, str> {
        if self == NameCase::Exact {
            return Cow::Borrowed(name);
        }
        set.into_iter()
            .filter_map(|key| key.into_string().ok())
            .find(|key| key.eq_ignore_ascii_case(name))
            .map_or(Cow::Borrowed(name), Cow::Owned)
    }
}

/// An environment whose names are matched as [`NameCase::IgnoreAsciiCase`] matches them,
/// holding `pairs`: Windows' environment, for tests on every platform.
#[cfg(test)]
pub(crate) fn case_insensitive_env(pairs: &[(&str, &str)]) -> impl Environment + use<> {
    struct CaseInsensitive(Vec<(String, OsString)>);
    impl Environment for CaseInsensitive {
        fn var(&self, name: &str) -> Option<OsString> {
            let mut matching = self
                .0
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(name));
            matching.next().map(|(_, value)| value.clone())
        }
        fn spelling(&self, name: &'static str) -> Cow<'static, str> {
            let names = self.0.iter().map(|(key, _)| OsString::from(key));
            NameCase::IgnoreAsciiCase.spelling(name, names)
        }
    }
    CaseInsensitive(
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), OsString::from(value)))
            .collect(),
    )
}

/// Names of environment variables.
pub(crate) struct EnvVars;

impl EnvVars {
    /// API base URL, as `avn` reads it (`--url`).
    pub(crate) const AIVEN_WEB_URL: &'static str = "AIVEN_WEB_URL";
    /// The API token (`--auth-token`), as `avn` reads it.
    pub(crate) const AIVEN_AUTH_TOKEN: &'static str = "AIVEN_AUTH_TOKEN";
    /// A PEM bundle of CA certificates to trust instead of the default roots (`--auth-ca`).
    pub(crate) const AIVEN_CA_CERT: &'static str = "AIVEN_CA_CERT";
    /// The organization of application users (`--organization-id`), for `application-user`,
    /// `--app-user` and `audit`.
    pub(crate) const AIVEN_ORGANIZATION_ID: &'static str = "AIVEN_ORGANIZATION_ID";
    /// Any of `y`, `yes`, `t`, `true`, `1`, `ok`: skip the confirmation question of
    /// `application-user delete` and `application-user token revoke`, as `avn` does.
    pub(crate) const AIVEN_FORCE: &'static str = "AIVEN_FORCE";
    /// `1`: verify HTTPS with the operating system's certificate store (`--system-ca`).
    pub(crate) const AVN_TOKEN_SYSTEM_CA: &'static str = "AVN_TOKEN_SYSTEM_CA";
    /// A CA bundle for HTTPS, as requests reads it (corporate proxies set it up).
    pub(crate) const REQUESTS_CA_BUNDLE: &'static str = "REQUESTS_CA_BUNDLE";
    /// A CA bundle for HTTPS, as curl (and requests, after `REQUESTS_CA_BUNDLE`) reads it.
    pub(crate) const CURL_CA_BUNDLE: &'static str = "CURL_CA_BUNDLE";
    /// A CA bundle for HTTPS, as OpenSSL reads it.
    pub(crate) const SSL_CERT_FILE: &'static str = "SSL_CERT_FILE";
    /// The credentials file itself.
    pub(crate) const AIVEN_CREDENTIALS_FILE: &'static str = "AIVEN_CREDENTIALS_FILE";
    /// The directory holding `aiven-credentials.json` (default `~/.config/aiven`).
    pub(crate) const AIVEN_CONFIG_DIR: &'static str = "AIVEN_CONFIG_DIR";
    /// The home directory, for the default credentials file (not read on Windows, as avn).
    pub(crate) const HOME: &'static str = "HOME";
    /// The home directory on Windows, for the default credentials file (as avn).
    pub(crate) const USERPROFILE: &'static str = "USERPROFILE";
    /// The drive of the home directory on Windows, when `USERPROFILE` is unset.
    pub(crate) const HOMEDRIVE: &'static str = "HOMEDRIVE";
    /// The home directory on Windows, without its drive, when `USERPROFILE` is unset.
    pub(crate) const HOMEPATH: &'static str = "HOMEPATH";
    /// Where `avn`'s own settings are (default `$AIVEN_CONFIG_DIR/aiven-client.json`): set,
    /// with `AIVEN_CONFIG_DIR` and `AIVEN_CREDENTIALS_FILE`, to a private directory for `sandbox --exec`'s command.
    pub(crate) const AIVEN_CLIENT_CONFIG: &'static str = "AIVEN_CLIENT_CONFIG";
    /// Where `sandbox --exec` finds its command (a directory holding only this avn-token is
    /// put first).
    pub(crate) const PATH: &'static str = "PATH";
    /// The extensions a command name may omit on Windows (`.COM;.EXE;.BAT;.CMD`), for
    /// `sandbox --exec`.
    #[cfg_attr(not(windows), allow(dead_code))]
    pub(crate) const PATHEXT: &'static str = "PATHEXT";
    /// The process ID of a serving sandbox, printed with its variables (what to `kill`).
    pub(crate) const AVN_TOKEN_SANDBOX_PID: &'static str = "AVN_TOKEN_SANDBOX_PID";
    /// Any non-empty value turns colour off (<https://no-color.org>).
    pub(crate) const NO_COLOR: &'static str = "NO_COLOR";
    /// The output format to use when stdout is a terminal and no `-o` is given (`pretty`
    /// makes the table for people a person's default; scripts keep avn's layout).
    pub(crate) const AVN_TOKEN_OUTPUT: &'static str = "AVN_TOKEN_OUTPUT";
    /// The terminal's width in columns, for `-o pretty` (else the terminal is asked).
    pub(crate) const COLUMNS: &'static str = "COLUMNS";

    /// The variables a user sets, and what each does (for the man page).
    pub(crate) const DOCUMENTED: &'static [(&'static str, &'static str)] = &[
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
            Self::AVN_TOKEN_SYSTEM_CA,
            "1 (or true, yes, on): verify HTTPS with the operating system's certificate store \
             (the macOS Keychain, the Windows certificate store, the system bundle on Linux) \
             instead of the built-in Mozilla roots, as --system-ca; a CA bundle named by the \
             variables above is trusted too.",
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
    pub(crate) const HTTP_PROXY_LOWER: &'static str = "http_proxy";
    /// The proxy for `http://` API URLs, when `http_proxy` is unset.
    pub(crate) const HTTP_PROXY: &'static str = "HTTP_PROXY";
    /// The proxy for `https://` API URLs (a `CONNECT` tunnel).
    pub(crate) const HTTPS_PROXY_LOWER: &'static str = "https_proxy";
    /// The proxy for `https://` API URLs, when `https_proxy` is unset.
    pub(crate) const HTTPS_PROXY: &'static str = "HTTPS_PROXY";
    /// The proxy for either scheme, when the scheme's own variable is unset.
    pub(crate) const ALL_PROXY_LOWER: &'static str = "all_proxy";
    /// The proxy for either scheme, when `all_proxy` is unset too.
    pub(crate) const ALL_PROXY: &'static str = "ALL_PROXY";
    /// Hosts reached without a proxy (comma-separated).
    pub(crate) const NO_PROXY_LOWER: &'static str = "no_proxy";
    /// Hosts reached without a proxy, when `no_proxy` is unset.
    pub(crate) const NO_PROXY: &'static str = "NO_PROXY";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_spelled_as_set_where_names_ignore_case() {
        let set = || ["Path".into(), "HTTPS_PROXY".into(), "no_proxy".into()];
        let spelled = |case: NameCase, name| case.spelling(name, set()).into_owned();
        assert_eq!(
            spelled(NameCase::IgnoreAsciiCase, "https_proxy"),
            "HTTPS_PROXY"
        );
        assert_eq!(spelled(NameCase::IgnoreAsciiCase, "NO_PROXY"), "no_proxy");
        assert_eq!(spelled(NameCase::IgnoreAsciiCase, "all_proxy"), "all_proxy");
        assert_eq!(spelled(NameCase::Exact, "https_proxy"), "https_proxy");
        assert_eq!(
            NameCase::THIS_PLATFORM == NameCase::IgnoreAsciiCase,
            cfg!(windows)
        );

        let windows = case_insensitive_env(&[("HTTPS_PROXY", "http://p:1")]);
        assert_eq!(windows.var("https_proxy"), Some("http://p:1".into()));
        assert_eq!(windows.spelling("https_proxy"), "HTTPS_PROXY");
    }
}
