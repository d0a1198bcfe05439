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
//! Commands never read the environment or these files themselves.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::api::{CaBundle, ClientOptions, Deadline, ProxyEnv};
use crate::cli::{DEFAULT_API_URL, GlobalArgs};
use crate::diag::Sink;
use crate::env_vars::EnvVars;
use crate::secret::Secret;

/// A credentials file is a token and an email address: anything this big is not one.
const MAX_CREDENTIALS_BYTES: u64 = 64 * 1024;

/// How long one API call may take, retries included, when `--request-timeout` is not
/// given: every command ends in bounded time even against a server that sends one byte
/// every few seconds (which the read timeout alone would never end).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Why no usable configuration could be built. Each message names the fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
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

/// Everything a command needs to know about its environment, resolved once in `main`.
#[derive(Debug, Clone)]
pub struct Config {
    /// API base URL. Its path never ends in `/`, except the bare root path, which `Url`
    /// always writes as `/`: the client joins `/v1/...` onto it either way.
    pub url: reqwest::Url,
    /// The CA bundle that replaces the compiled-in Mozilla roots, if any.
    pub auth_ca: Option<CaBundle>,
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
    /// Resolve the configuration from the parsed global options and an environment lookup
    /// (`std::env::var_os` in the binary, a map in tests). Reads the credentials file only
    /// when no token was given on the command line or in the environment.
    pub fn resolve(
        args: &GlobalArgs,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Config, ConfigError> {
        // The flag, else the variable (read here rather than by clap: see `GlobalArgs`).
        let url = match (&args.url, set_var(&env, EnvVars::AIVEN_WEB_URL)) {
            (Some(url), _) => url.clone(),
            (None, Some(value)) => value.into_string().map_err(|_| {
                ConfigError::Invalid(format!("{} is not valid UTF-8", EnvVars::AIVEN_WEB_URL))
            })?,
            (None, None) => DEFAULT_API_URL.to_owned(),
        };
        let url = parse_base_url(&url)?;
        let auth_ca = ca_bundle(args, &env);
        let credentials_file = credentials_file(&env)?;

        let mut warnings = Vec::new();
        let no_credentials = || ConfigError::NoCredentials {
            credentials_file: credentials_file.clone(),
        };
        let from_flag = args.auth_token.as_ref().map(|t| t.expose().trim_ascii());
        let from_env = env(EnvVars::AIVEN_AUTH_TOKEN);
        let token = if let Some(token) = from_flag.filter(|t| !t.is_empty()) {
            check_token(token, "--auth-token")
        } else if let Some(value) =
            from_env.filter(|v| !v.to_string_lossy().trim_ascii().is_empty())
        {
            match value.into_string() {
                Ok(value) => check_token(&value, EnvVars::AIVEN_AUTH_TOKEN),
                Err(_) => Err(ConfigError::Invalid(format!(
                    "the API token in {} is not valid UTF-8; a token is printable ASCII",
                    EnvVars::AIVEN_AUTH_TOKEN
                ))),
            }
        } else {
            match Credentials::read(&credentials_file) {
                Ok(Some(credentials)) => {
                    if let Some(warning) = permission_warning(&credentials_file) {
                        warnings.push(warning);
                    }
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
    pub fn token(&self) -> Result<&Secret, ConfigError> {
        self.token.as_ref().map_err(Clone::clone)
    }

    /// What the API client needs of this configuration; it reports to `sink`.
    pub fn client_options(&self, sink: Arc<dyn Sink>) -> ClientOptions {
        ClientOptions {
            base_url: self.url.clone(),
            auth_ca: self.auth_ca.clone(),
            deadline: self.deadline,
            retry_budget: self.retry_budget,
            show_http: self.show_http,
            allow_insecure_http: self.allow_insecure_http,
            proxy: self.proxy.clone(),
            sink,
        }
    }
}

/// A token as given (`source` names where from, for the message): surrounding whitespace
/// is ignored, and what is left must be printable ASCII without spaces, or it is a usage
/// error. The message never shows the token, only where the first bad character is.
pub(crate) fn check_token(text: &str, source: &str) -> Result<Secret, ConfigError> {
    let token = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some((index, bad)) = token
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_graphic())
    {
        return Err(ConfigError::Invalid(format!(
            "the API token from {source} has a character no token has (U+{:04X}, character \
             {} of {}): a token is printable ASCII without spaces",
            u32::from(bad),
            index + 1,
            token.chars().count()
        )));
    }
    Ok(Secret::new(token))
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

/// The CA bundle to trust instead of the compiled-in Mozilla roots: `--auth-ca`, else
/// `AIVEN_CA_CERT` (both `avn`'s), else the variables a corporate proxy set-up usually
/// exports for every tool: `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` (which `avn`, through
/// requests, honours too, in that order), then OpenSSL's `SSL_CERT_FILE`. Empty is unset.
fn ca_bundle(args: &GlobalArgs, env: &impl Fn(&str) -> Option<OsString>) -> Option<CaBundle> {
    if let Some(path) = &args.auth_ca {
        return Some(CaBundle {
            path: path.clone(),
            from: "--auth-ca",
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
            path: PathBuf::from(set_var(env, name)?),
            from: name,
        })
    })
}

/// The variable `name`, unless it is unset or empty: an empty value counts as unset, as the
/// README says (`AIVEN_WEB_URL= avn-token list` uses the default URL).
fn set_var(env: &impl Fn(&str) -> Option<OsString>, name: &str) -> Option<OsString> {
    env(name).filter(|value| !value.is_empty())
}

/// `AIVEN_CREDENTIALS_FILE`, else `$AIVEN_CONFIG_DIR/aiven-credentials.json`, else
/// `~/.config/aiven/aiven-credentials.json` (as `avn`, which ignores XDG_CONFIG_HOME).
pub fn credentials_file(env: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, ConfigError> {
    if let Some(file) = set_var(&env, EnvVars::AIVEN_CREDENTIALS_FILE) {
        return Ok(PathBuf::from(file));
    }
    let config_dir = match set_var(&env, EnvVars::AIVEN_CONFIG_DIR) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = set_var(&env, EnvVars::HOME)
                .map(PathBuf::from)
                // std's home_dir: HOME, else the password database (USERPROFILE on Windows).
                .or_else(std::env::home_dir)
                .ok_or(ConfigError::NoHome)?;
            home.join(".config").join("aiven")
        }
    };
    Ok(config_dir.join("aiven-credentials.json"))
}

/// The avn-compatible credentials file: `{"auth_token": "...", "user_email": "..."}`.
/// `login` writes those two fields only, as `avn user login` does: other fields a file held
/// are not kept.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    fields: Map<String, Value>,
}

impl Credentials {
    pub fn new(token: &Secret, user_email: Option<&str>) -> Self {
        let mut fields = Map::new();
        fields.insert(
            "auth_token".into(),
            Value::String(token.expose().to_owned()),
        );
        fields.insert(
            "user_email".into(),
            user_email.map_or(Value::Null, |email| Value::String(email.to_owned())),
        );
        Credentials { fields }
    }

    /// Read the file; `Ok(None)` when it does not exist. A file that exists but cannot be
    /// read or parsed is an error, never silently ignored.
    pub fn read(path: &Path) -> Result<Option<Credentials>, ConfigError> {
        let bad = |reason: String| ConfigError::BadCredentialsFile {
            path: path.to_owned(),
            reason,
        };
        let text = match crate::files::read_regular(path, MAX_CREDENTIALS_BYTES) {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(None),
            Err(e) => return Err(bad(e.to_string())),
        };
        let fields = json_object(&text).map_err(bad)?;
        Ok(Some(Credentials { fields }))
    }

    /// The token in the file (read from `path`, named in the message when it is unusable):
    /// `None` when there is none, an error when it is not a string or not a token.
    pub fn auth_token(&self, path: &Path) -> Result<Option<Secret>, ConfigError> {
        match self.fields.get("auth_token") {
            Some(Value::String(token)) if !token.trim_ascii().is_empty() => {
                check_token(token, &format!("credentials file {}", path.display())).map(Some)
            }
            None | Some(Value::Null) | Some(Value::String(_)) => Ok(None),
            Some(_) => Err(ConfigError::BadCredentialsFile {
                path: path.to_owned(),
                reason: "\"auth_token\" must be a string".into(),
            }),
        }
    }

    /// Write the file atomically (temp file, fsync, rename) with mode 0600, creating its
    /// directory with mode 0700 when missing. A crash leaves the old file or the new one.
    /// Only replaces what [`stored_credentials`] accepts.
    pub fn write(&self, path: &Path) -> Result<(), ConfigError> {
        let fail = |reason: String| ConfigError::WriteCredentials {
            path: path.to_owned(),
            action: "write",
            reason,
        };
        stored_credentials(path, "replace")?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        if !dir.exists() {
            create_private_dir(&dir).map_err(|e| fail(e.to_string()))?;
        }
        let body = serde_json::to_vec(&self.fields).map_err(|e| fail(e.to_string()))?;
        crate::files::write_private(path, &body).map_err(|e| fail(e.to_string()))
    }
}

/// What sits at the credentials path, when `login` may replace it and `logout` remove it.
#[derive(Debug)]
pub enum StoredCredentials {
    /// Nothing.
    Missing,
    /// An empty (or blank) file: nothing to lose.
    Empty,
    /// A credentials file: a JSON object, whatever its fields hold.
    File(Credentials),
}

/// What is at `path`, if this tool may `action` ("replace", "remove") it.
///
/// Only a regular file that is empty or holds a JSON object is ever replaced or removed:
/// that is what `avn` and this tool write, possibly damaged (an `auth_token` that is not a
/// string), so it is ours to fix. Anything else is refused, and left untouched, because
/// the path may name something precious by mistake (`AIVEN_CREDENTIALS_FILE=~/.bashrc`):
/// a symbolic link (replacing it would leave the token in its target, removing it would
/// leave the target; whoever made the link should decide), a directory, a device, a FIFO,
/// a file too large to be a credentials file, or a file that is not a JSON object. A
/// damaged non-JSON credentials file must therefore be removed by hand, once; the message
/// says so.
pub fn stored_credentials(
    path: &Path,
    action: &'static str,
) -> Result<StoredCredentials, ConfigError> {
    let refuse = |why: String| ConfigError::WriteCredentials {
        path: path.to_owned(),
        action,
        reason: format!(
            "{why}; only a regular file holding a JSON object (a credentials file) is \
             replaced or removed: move it away yourself if it should go, or point {} \
             elsewhere",
            EnvVars::AIVEN_CREDENTIALS_FILE
        ),
    };
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(StoredCredentials::Missing);
        }
        Err(e) => return Err(refuse(e.to_string())),
        Ok(meta) if !meta.is_file() => {
            return Err(refuse(format!("it is {}", crate::files::kind_of(&meta))));
        }
        Ok(_) => {}
    }
    let bytes = match crate::files::read_regular(path, MAX_CREDENTIALS_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(StoredCredentials::Missing),
        Err(e) => return Err(refuse(format!("it cannot be read ({e})"))),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(StoredCredentials::Empty);
    }
    match json_object(&bytes) {
        Ok(fields) => Ok(StoredCredentials::File(Credentials { fields })),
        Err(_) => Err(refuse("it is not a JSON object".into())),
    }
}

/// The JSON object a credentials file holds, or why it holds none.
fn json_object(bytes: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err("expected a JSON object with an \"auth_token\" field".into()),
        Err(e) => Err(format!("not valid JSON ({e}); fix or remove it")),
    }
}

/// Remove the credentials file; a missing file is fine (as `avn user logout`). Only what
/// [`stored_credentials`] accepts is removed.
pub fn remove_credentials(path: &Path) -> Result<bool, ConfigError> {
    if let StoredCredentials::Missing = stored_credentials(path, "remove")? {
        return Ok(false);
    }
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ConfigError::WriteCredentials {
            path: path.to_owned(),
            action: "remove",
            reason: e.to_string(),
        }),
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// A warning when the credentials file can be read by group or others.
fn permission_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            return Some(format!(
                "credentials file {} is accessible by other users (mode {:03o}); run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::collections::HashMap;

    fn resolve(argv: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut full = vec!["avn-token"];
        full.extend_from_slice(argv);
        full.push("list");
        let cli = crate::cli::Cli::try_parse_from(full).unwrap();
        let env: HashMap<String, OsString> = env
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Config::resolve(&cli.global, |key| env.get(key).cloned())
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
    fn credentials_file_location() {
        let get = |pairs: &[(&str, &str)]| {
            let env: HashMap<String, OsString> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), OsString::from(v)))
                .collect();
            credentials_file(|key| env.get(key).cloned()).unwrap()
        };
        assert_eq!(
            get(&[
                ("AIVEN_CREDENTIALS_FILE", "/x/c.json"),
                ("AIVEN_CONFIG_DIR", "/d")
            ]),
            PathBuf::from("/x/c.json")
        );
        assert_eq!(
            get(&[("AIVEN_CONFIG_DIR", "/d"), ("HOME", "/h")]),
            PathBuf::from("/d/aiven-credentials.json")
        );
        assert_eq!(
            get(&[("HOME", "/h")]),
            PathBuf::from("/h/.config/aiven/aiven-credentials.json")
        );
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

    #[test]
    fn only_credentials_files_are_replaced_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("creds.json");
        assert!(matches!(
            stored_credentials(&path, "replace").unwrap(),
            StoredCredentials::Missing
        ));
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            stored_credentials(&path, "replace").unwrap(),
            StoredCredentials::Empty
        ));
        std::fs::write(&path, r#"{"auth_token": 5}"#).unwrap();
        assert!(matches!(
            stored_credentials(&path, "replace").unwrap(),
            StoredCredentials::File(_)
        ));
        for content in ["export PATH=/bin\n", "[1]", "{\"auth_token\": "] {
            std::fs::write(&path, content).unwrap();
            let error = stored_credentials(&path, "remove").unwrap_err().to_string();
            assert!(
                error.contains("cannot remove") && error.contains("JSON object"),
                "{error}"
            );
            assert!(remove_credentials(&path).is_err());
            assert!(
                Credentials::new(&Secret::new("t"), None)
                    .write(&path)
                    .is_err()
            );
            assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
        }
        let error = stored_credentials(dir.path(), "replace")
            .unwrap_err()
            .to_string();
        assert!(error.contains("a directory"), "{error}");
        #[cfg(unix)]
        {
            let target = dir.path().join("target.json");
            std::fs::write(&target, "{}").unwrap();
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&target, &link).unwrap();
            let error = remove_credentials(&link).unwrap_err().to_string();
            assert!(error.contains("symbolic link"), "{error}");
            assert!(link.exists() && target.exists());
        }
    }

    #[cfg(unix)]
    #[test]
    fn written_credentials_are_private_and_readable_back() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("aiven").join("aiven-credentials.json");
        Credentials::new(&Secret::new("tok"), Some("me@example.com"))
            .write(&file)
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(file.parent().unwrap()), 0o700);
        let back = Credentials::read(&file).unwrap().unwrap();
        assert_eq!(back.auth_token(&file).unwrap().unwrap().expose(), "tok");
        assert!(permission_warning(&file).is_none());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(permission_warning(&file).unwrap().contains("chmod 600"));
    }
}
