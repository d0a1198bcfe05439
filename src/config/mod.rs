//! Where the token, the API URL and the other settings come from.
//!
//! Precedence is the same as `avn`'s, so existing setups just work, and it lives in one
//! function, [`Config::resolve`]:
//!
//! 1. token: `--auth-token` > `AIVEN_AUTH_TOKEN` > the `auth_token` field of the
//!    credentials file;
//! 2. credentials file: `AIVEN_CREDENTIALS_FILE`, else `$AIVEN_CONFIG_DIR/aiven-credentials.json`,
//!    else `~/.config/aiven/aiven-credentials.json` (the file `avn user login` writes);
//! 3. URL: `--url` > `AIVEN_WEB_URL` > `https://api.aiven.io`; CA: `--auth-ca` > `AIVEN_CA_CERT`;
//!    proxies: `https_proxy` and friends (see `api::proxy` for what they mean here).
//!
//! A token, wherever it comes from, is printable ASCII without spaces (surrounding
//! whitespace, such as a file's final newline, is ignored): anything else is a usage error
//! naming where the token came from, never a token sent in some altered form.
//!
//! Commands never read the environment or these files themselves. The credentials file
//! itself (where it is, reading, writing, removing it) is the [`credentials`] store's.

mod credentials;
mod error;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{CaBundle, ClientOptions, Deadline, ProxyEnv};
use crate::cli::{DEFAULT_API_URL, GlobalArgs};
use crate::diag::Sink;
use crate::env_vars::{EnvVars, Environment, non_empty_var};
use crate::secret::Secret;

pub(crate) use credentials::check_token;
pub(crate) use credentials::{
    Credentials, StoredCredentials, remove_credentials, stored_credentials,
};
pub(crate) use error::ConfigError;

/// How long one API call may take, retries included, when `--request-timeout` is not
/// given: every command ends in bounded time even against a server that sends one byte
/// every few seconds (which the read timeout alone would never end).
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Everything a command needs to know about its environment, resolved once in `main`.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// API base URL. Its path never ends in `/`, except the bare root path, which `Url`
    /// always writes as `/`: the client joins `/v1/...` onto it either way.
    pub url: reqwest::Url,
    /// The CA bundle that replaces the compiled-in Mozilla roots, if any.
    pub auth_ca: Option<CaBundle>,
    /// Verify HTTPS with the operating system's certificate store (`--system-ca`,
    /// `AVN_TOKEN_SYSTEM_CA`) instead of the compiled-in roots.
    pub system_ca: bool,
    /// `--request-timeout` for each call, else [`DEFAULT_REQUEST_TIMEOUT`] for all of a
    /// command's calls together.
    pub deadline: Deadline,
    pub retry_budget: Duration,
    pub show_http: bool,
    pub allow_insecure_http: bool,
    /// The proxy variables (`https_proxy`, `no_proxy`, ...).
    pub proxy: ProxyEnv,
    /// The credentials file `login` writes and `logout` removes (it may not exist).
    pub credentials_file: PathBuf,
    /// The token, or why there is none. An unreadable credentials file is an error only for
    /// commands that need the token: `login` may replace it and `logout` remove it.
    token: Result<Secret, ConfigError>,
    /// Warnings found while resolving (e.g. a world-readable credentials file), for stderr.
    pub warnings: Vec<String>,
}

impl Config {
    /// Resolve the configuration from the parsed global options and an environment
    /// ([`crate::env_vars::ProcessEnv`] in the binary, a map in tests). Reads the
    /// credentials file only when no token was given on the command line or in the
    /// environment. Messages name a variable as the user set it ([`Environment::spelling`]).
    pub(crate) fn resolve(args: &GlobalArgs, env: impl Environment) -> Result<Config, ConfigError> {
        // The flag, else the variable (read here rather than by clap: see `GlobalArgs`).
        let url = match (&args.url, non_empty_var(&env, EnvVars::AIVEN_WEB_URL)) {
            (Some(url), _) => url.clone(),
            (None, Some(value)) => value.into_string().map_err(|_| {
                let name = env.spelling(EnvVars::AIVEN_WEB_URL);
                ConfigError::Invalid(format!("{name} is not valid UTF-8"))
            })?,
            (None, None) => DEFAULT_API_URL.to_owned(),
        };
        let url = parse_base_url(&url)?;
        let auth_ca = ca_bundle(args, &env);
        let system_ca = args.system_ca || system_ca_from(&env)?;
        let credentials_file = credentials::credentials_file(&env)?;

        let mut warnings = Vec::new();
        let no_credentials = || ConfigError::NoCredentials {
            credentials_file: credentials_file.clone(),
        };
        let from_flag = args.auth_token.as_ref().map(|t| t.expose().trim_ascii());
        let from_env = env.var(EnvVars::AIVEN_AUTH_TOKEN);
        let token = if let Some(token) = from_flag.filter(|t| !t.is_empty()) {
            check_token(token, "--auth-token")
        } else if let Some(value) =
            from_env.filter(|v| !v.to_string_lossy().trim_ascii().is_empty())
        {
            let name = env.spelling(EnvVars::AIVEN_AUTH_TOKEN);
            match value.into_string() {
                Ok(value) => check_token(&value, &name),
                Err(_) => Err(ConfigError::Invalid(format!(
                    "the API token in {name} is not valid UTF-8; a token is printable ASCII"
                ))),
            }
        } else {
            match Credentials::read(&credentials_file) {
                Ok(Some(credentials)) => {
                    warnings.extend(credentials::permission_warnings(&credentials_file));
                    credentials
                        .auth_token(&credentials_file)
                        .and_then(|token| token.ok_or_else(no_credentials))
                }
                Ok(None) => Err(no_credentials()),
                Err(error) => Err(error),
            }
        };

        Ok(Config {
            url,
            auth_ca,
            system_ca,
            deadline: match args.request_timeout {
                Some(limit) => Deadline::EachCall(limit),
                None => Deadline::AllCalls(args.deadline.unwrap_or(DEFAULT_REQUEST_TIMEOUT)),
            },
            retry_budget: args.retry_budget,
            show_http: args.show_http,
            allow_insecure_http: args.allow_insecure_http,
            proxy: ProxyEnv::from_env(&env),
            credentials_file,
            token,
            warnings,
        })
    }

    /// The token to authenticate with, or the "not logged in" error naming every fix.
    pub(crate) fn token(&self) -> Result<&Secret, ConfigError> {
        self.token.as_ref().map_err(Clone::clone)
    }

    /// What the API client needs of this configuration; it reports to `sink`.
    pub(crate) fn client_options(&self, sink: Arc<dyn Sink>) -> ClientOptions {
        ClientOptions {
            base_url: self.url.clone(),
            auth_ca: self.auth_ca.clone(),
            system_ca: self.system_ca,
            deadline: self.deadline,
            retry_budget: self.retry_budget,
            show_http: self.show_http,
            allow_insecure_http: self.allow_insecure_http,
            proxy: self.proxy.clone(),
            sink,
        }
    }
}

fn parse_base_url(text: &str) -> Result<reqwest::Url, ConfigError> {
    let shown = without_userinfo(text);
    let invalid = |why: &str| {
        ConfigError::Invalid(format!(
            "invalid API URL `{shown}` (from --url or AIVEN_WEB_URL): {why}"
        ))
    };
    let mut url = reqwest::Url::parse(text.trim()).map_err(|error| match error {
        url::ParseError::RelativeUrlWithoutBase => invalid(
            "it needs a scheme and a host, such as https://api.aiven.io or \
             http://127.0.0.1:8080 for a local sandbox",
        ),
        other => invalid(&other.to_string()),
    })?;
    // `user:password@` would be sent as a second Authorization header, next to the token.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "it must not contain a user name or password: the token is the only \
             credential; remove the `user:password@` part",
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Ok(url)
}

/// A URL as typed, for a message, with any `user:password@` shown as `***@`. The scheme's
/// slashes may be any mix of `/` and `\\` (`http:\\user:pw@host`), as URL parsers read them.
fn without_userinfo(text: &str) -> String {
    let Some(colon) = text.find(':') else {
        return text.to_owned();
    };
    let after = &text[colon + 1..];
    let slashes = after.len() - after.trim_start_matches(['/', '\\']).len();
    let rest = &after[slashes..];
    let authority_end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &text[..colon + 1 + slashes], &rest[at..]),
        None => text.to_owned(),
    }
}

/// `AVN_TOKEN_SYSTEM_CA`: `1`, `true`, `yes` or `on` turn the system's certificate store on,
/// `0`, `false`, `no`, `off` or empty leave it off; anything else is a usage error rather
/// than a guess either way.
fn system_ca_from(env: &impl Environment) -> Result<bool, ConfigError> {
    let Some(value) = env.var(EnvVars::AVN_TOKEN_SYSTEM_CA) else {
        return Ok(false);
    };
    let text = value.to_string_lossy();
    match text.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid(format!(
            "{}={:?} is neither on nor off: set it to 1 to verify HTTPS with the system's \
             certificate store, or 0 (or unset it) for the built-in roots",
            env.spelling(EnvVars::AVN_TOKEN_SYSTEM_CA),
            text
        ))),
    }
}

/// The CA bundle to trust instead of the compiled-in Mozilla roots: `--auth-ca`, else
/// `AIVEN_CA_CERT` (both `avn`'s), else the variables a corporate proxy set-up usually
/// exports for every tool: `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` (which `avn`, through
/// requests, honours too, in that order), then OpenSSL's `SSL_CERT_FILE`. Empty is unset.
fn ca_bundle(args: &GlobalArgs, env: &impl Environment) -> Option<CaBundle> {
    if let Some(path) = &args.auth_ca {
        return Some(CaBundle {
            path: path.clone(),
            from: "--auth-ca".into(),
        });
    }
    [
        EnvVars::AIVEN_CA_CERT,
        EnvVars::REQUESTS_CA_BUNDLE,
        EnvVars::CURL_CA_BUNDLE,
        EnvVars::SSL_CERT_FILE,
    ]
    .into_iter()
    .find_map(|name| {
        Some(CaBundle {
            path: PathBuf::from(non_empty_var(env, name)?),
            from: env.spelling(name),
        })
    })
}
#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn resolve(argv: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut full = vec!["avn-token"];
        full.extend_from_slice(argv);
        full.push("list");
        let cli = crate::cli::Cli::try_parse_from(full).unwrap();
        let env: HashMap<String, OsString> = env
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Config::resolve(&cli.global, |key: &str| env.get(key).cloned())
    }

    #[test]
    fn credentials_in_a_url_are_masked_in_messages_however_spelled() {
        for (typed, shown) in [
            ("http://user:pw@host/x", "http://***@host/x"),
            ("http:\\\\user:pw@host", "http:\\\\***@host"),
            ("https:/\\user:pw@host", "https:/\\***@host"),
            ("HTTP:user:pw@host", "HTTP:***@host"),
            ("http://host/a@b", "http://host/a@b"),
            ("notaurl", "notaurl"),
        ] {
            assert_eq!(without_userinfo(typed), shown, "{typed}");
        }
    }

    #[test]
    fn flag_beats_environment_beats_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("creds.json");
        std::fs::write(&file, r#"{"auth_token": "from-file", "user_email": "a@b"}"#).unwrap();
        let file = file.to_str().unwrap();

        let config = resolve(
            &["--auth-token", "from-flag"],
            &[
                ("AIVEN_AUTH_TOKEN", "from-env"),
                ("AIVEN_CREDENTIALS_FILE", file),
            ],
        )
        .unwrap();
        assert_eq!(config.token().unwrap().expose(), "from-flag");

        let config = resolve(
            &[],
            &[
                ("AIVEN_AUTH_TOKEN", "from-env"),
                ("AIVEN_CREDENTIALS_FILE", file),
            ],
        )
        .unwrap();
        assert_eq!(config.token().unwrap().expose(), "from-env");

        let config = resolve(&[], &[("AIVEN_CREDENTIALS_FILE", file)]).unwrap();
        assert_eq!(config.token().unwrap().expose(), "from-file");
    }
    #[test]
    fn missing_token_names_the_fixes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("none.json");
        let config = resolve(&[], &[("AIVEN_CREDENTIALS_FILE", file.to_str().unwrap())]).unwrap();
        let message = config.token().unwrap_err().to_string();
        assert!(message.contains("--auth-token"), "{message}");
        assert!(message.contains("AIVEN_AUTH_TOKEN"), "{message}");
        assert!(message.contains("login"), "{message}");
    }

    #[test]
    fn corrupt_credentials_file_is_an_error_when_the_token_is_needed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("creds.json");
        for content in ["{not json", r#"{"auth_token": 12}"#] {
            std::fs::write(&file, content).unwrap();
            // Resolving succeeds (login may replace the file, logout remove it) ...
            let config =
                resolve(&[], &[("AIVEN_CREDENTIALS_FILE", file.to_str().unwrap())]).unwrap();
            // ... but a command that needs the token gets the file's error.
            let error = config.token().unwrap_err();
            assert!(
                matches!(error, ConfigError::BadCredentialsFile { .. }),
                "{error}"
            );
        }
    }

    #[test]
    fn every_command_has_a_deadline_by_default() {
        // By default all of a command's calls share one minute; `--request-timeout` bounds
        // each call instead.
        let config = resolve(&[], &[]).unwrap();
        assert_eq!(config.deadline, Deadline::AllCalls(DEFAULT_REQUEST_TIMEOUT));
        assert!(DEFAULT_REQUEST_TIMEOUT <= Duration::from_secs(60));
        let config = resolve(&["--request-timeout", "2.5"], &[]).unwrap();
        assert_eq!(
            config.deadline,
            Deadline::EachCall(Duration::from_millis(2500))
        );
        let config = resolve(&["--deadline", "3"], &[]).unwrap();
        assert_eq!(config.deadline, Deadline::AllCalls(Duration::from_secs(3)));
    }

    #[test]
    fn a_token_is_printable_ascii_from_every_source() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("creds.json");
        let file_env = ("AIVEN_CREDENTIALS_FILE", file.to_str().unwrap());
        for bad in [
            "a\u{1b}[2Jb",
            "tok en",
            "tök",
            "a\u{9b}b",
            "a\u{202e}b",
            "a\u{7f}",
        ] {
            let flag = resolve(&["--auth-token", bad], &[]).unwrap();
            let env = resolve(&[], &[("AIVEN_AUTH_TOKEN", bad)]).unwrap();
            std::fs::write(&file, serde_json::json!({ "auth_token": bad }).to_string()).unwrap();
            let stored = resolve(&[], &[file_env]).unwrap();
            for (source, config) in [
                ("--auth-token", flag),
                ("AIVEN_AUTH_TOKEN", env),
                ("creds.json", stored),
            ] {
                let error = config.token().unwrap_err();
                assert!(matches!(error, ConfigError::Invalid(_)), "{bad:?}: {error}");
                let message = error.to_string();
                assert!(message.contains(source), "{message}");
                assert!(!message.contains(bad), "the token is shown: {message}");
            }
        }
        // Surrounding whitespace (a file's final newline) is not part of a token.
        let config = resolve(&[], &[("AIVEN_AUTH_TOKEN", " ok/+= \n")]).unwrap();
        assert_eq!(config.token().unwrap().expose(), "ok/+=");
        let config = resolve(&["--auth-token", "ok\n"], &[]).unwrap();
        assert_eq!(config.token().unwrap().expose(), "ok");
    }

    #[test]
    fn proxy_variables_are_read_into_the_client_options() {
        let config = resolve(&[], &[("https_proxy", "socks5://p:1")]).unwrap();
        let options = config.client_options(Arc::new(crate::diag::Stderr));
        assert!(
            crate::api::Client::new(&options, &Secret::new("token-value")).is_err(),
            "an unusable proxy is an error, not ignored"
        );
    }

    #[test]
    fn bad_urls_are_rejected() {
        for url in [
            "ftp://x",
            "not a url",
            "notaurl",
            "http://",
            "https://h/?q=1",
            "http://user:pass@127.0.0.1:1",
            "https://user@api.aiven.io",
            "ftp://user:pass@x",
            "http://user:pa ss@x/",
        ] {
            let error = resolve(&["--url", url], &[]).unwrap_err();
            assert!(matches!(error, ConfigError::Invalid(_)), "{url}: {error}");
            assert!(!error.to_string().contains("pass@"), "{error}");
        }
        let error = resolve(&["--url", "notaurl"], &[]).unwrap_err().to_string();
        assert!(error.contains("https://api.aiven.io"), "{error}");
        let config = resolve(&["--url", "http://127.0.0.1:8080/"], &[]).unwrap();
        assert_eq!(config.url.as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn url_and_ca_come_from_flag_then_environment() {
        let env = [
            ("AIVEN_WEB_URL", "http://127.0.0.1:1/"),
            ("AIVEN_CA_CERT", "/env/ca.pem"),
        ];
        let config = resolve(&[], &env).unwrap();
        assert_eq!(config.url.as_str(), "http://127.0.0.1:1/");
        assert_eq!(
            config.auth_ca.map(|ca| ca.path),
            Some(PathBuf::from("/env/ca.pem"))
        );
        let flags = ["--url", "http://127.0.0.1:2", "--auth-ca", "/flag/ca.pem"];
        let config = resolve(&flags, &env).unwrap();
        assert_eq!(config.url.as_str(), "http://127.0.0.1:2/");
        assert_eq!(
            config.auth_ca.map(|ca| ca.path),
            Some(PathBuf::from("/flag/ca.pem"))
        );
        let config = resolve(&[], &[("AIVEN_WEB_URL", ""), ("AIVEN_CA_CERT", "")]).unwrap();
        assert_eq!(config.url.as_str(), "https://api.aiven.io/");
        assert_eq!(config.auth_ca, None);
    }

    /// Windows: names ignore case, so what the user set (`requests_ca_bundle`,
    /// `Aiven_Auth_Token`) is found, and named as set in what is said about it.
    #[test]
    fn a_variable_is_named_as_set_where_names_ignore_case() {
        let cli = crate::cli::Cli::try_parse_from(["avn-token", "list"]).unwrap();
        let windows = crate::env_vars::case_insensitive_env(&[
            ("requests_ca_bundle", "/corp/ca.pem"),
            ("Aiven_Auth_Token", "bad token"),
            ("https_PROXY", "http://proxy:3128"),
        ]);
        let config = Config::resolve(&cli.global, windows).unwrap();
        let ca = config.auth_ca.clone().expect("the CA bundle");
        assert_eq!(
            ca,
            CaBundle {
                path: PathBuf::from("/corp/ca.pem"),
                from: "requests_ca_bundle".into(),
            }
        );
        let error = config.token().unwrap_err().to_string();
        assert!(
            error.contains("the API token from Aiven_Auth_Token has"),
            "{error}"
        );
        assert!(format!("{:?}", config.proxy).contains(r#"set: ["https_PROXY"]"#));
    }

    #[test]
    fn the_system_store_is_opt_in() {
        let system_ca = |argv: &[&str], env: &[(&str, &str)]| resolve(argv, env).unwrap().system_ca;
        assert!(!system_ca(&[], &[]));
        assert!(system_ca(&["--system-ca"], &[]));
        for on in ["1", "true", "YES", " on "] {
            assert!(system_ca(&[], &[("AVN_TOKEN_SYSTEM_CA", on)]), "{on:?}");
        }
        for off in ["", "0", "false", "No", "off"] {
            assert!(!system_ca(&[], &[("AVN_TOKEN_SYSTEM_CA", off)]), "{off:?}");
        }
        let error = resolve(&[], &[("AVN_TOKEN_SYSTEM_CA", "maybe")]).unwrap_err();
        assert!(matches!(error, ConfigError::Invalid(_)), "{error}");
        assert!(
            error.to_string().contains("AVN_TOKEN_SYSTEM_CA=\"maybe\""),
            "{error}"
        );
    }
}
