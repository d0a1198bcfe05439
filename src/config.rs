//! Where the token, the API URL and the other settings come from.
//!
//! Precedence is the same as `avn`'s, so existing setups just work, and it lives in one
//! function, [`Config::resolve`]:
//!
//! 1. token: `--auth-token` > `AIVEN_AUTH_TOKEN` > the `auth_token` field of the
//!    credentials file;
//! 2. credentials file: `AIVEN_CREDENTIALS_FILE`, else `$AIVEN_CONFIG_DIR/aiven-credentials.json`,
//!    else `~/.config/aiven/aiven-credentials.json` (the file `avn user login` writes);
//! 3. URL: `--url` > `AIVEN_WEB_URL` > `https://api.aiven.io`; CA: `--auth-ca` > `AIVEN_CA_CERT`.
//!
//! Commands never read the environment or these files themselves.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::api::ClientOptions;
use crate::cli::{DEFAULT_API_URL, GlobalArgs};
use crate::diag::Sink;
use crate::env_vars::EnvVars;
use crate::secret::Secret;

/// A credentials file is a token and an email address: anything this big is not one.
const MAX_CREDENTIALS_BYTES: u64 = 64 * 1024;

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

    #[error("cannot write credentials file {}: {reason}", .path.display())]
    WriteCredentials { path: PathBuf, reason: String },

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
    pub auth_ca: Option<PathBuf>,
    pub request_timeout: Option<Duration>,
    pub retry_budget: Duration,
    pub show_http: bool,
    pub allow_insecure_http: bool,
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
        let non_empty = |value: Option<OsString>| value.filter(|v| !v.is_empty());
        // The flag, else the variable (read here rather than by clap: see `GlobalArgs`).
        let url = match (&args.url, non_empty(env(EnvVars::AIVEN_WEB_URL))) {
            (Some(url), _) => url.clone(),
            (None, Some(value)) => value.into_string().map_err(|_| {
                ConfigError::Invalid(format!("{} is not valid UTF-8", EnvVars::AIVEN_WEB_URL))
            })?,
            (None, None) => DEFAULT_API_URL.to_owned(),
        };
        let url = parse_base_url(&url)?;
        let auth_ca = args
            .auth_ca
            .clone()
            .or_else(|| non_empty(env(EnvVars::AIVEN_CA_CERT)).map(PathBuf::from));
        let credentials_file = credentials_file(&env)?;

        let mut warnings = Vec::new();
        let no_credentials = || ConfigError::NoCredentials {
            credentials_file: credentials_file.clone(),
        };
        let token = if let Some(token) = args.auth_token.clone().filter(|t| !t.expose().is_empty())
        {
            Ok(token)
        } else if let Some(value) = non_empty(env(EnvVars::AIVEN_AUTH_TOKEN)) {
            let value = value.into_string().map_err(|_| {
                ConfigError::Invalid(format!("{} is not valid UTF-8", EnvVars::AIVEN_AUTH_TOKEN))
            })?;
            Ok(Secret::new(value.trim()))
        } else {
            match Credentials::read(&credentials_file) {
                Ok(Some(credentials)) => {
                    if let Some(warning) = permission_warning(&credentials_file) {
                        warnings.push(warning);
                    }
                    credentials.auth_token().ok_or_else(no_credentials)
                }
                Ok(None) => Err(no_credentials()),
                Err(error) => Err(error),
            }
        };

        Ok(Config {
            url,
            auth_ca,
            request_timeout: args.request_timeout,
            retry_budget: args.retry_budget,
            show_http: args.show_http,
            allow_insecure_http: args.allow_insecure_http,
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
            request_timeout: self.request_timeout,
            retry_budget: self.retry_budget,
            show_http: self.show_http,
            allow_insecure_http: self.allow_insecure_http,
            sink,
        }
    }
}

fn parse_base_url(text: &str) -> Result<reqwest::Url, ConfigError> {
    let invalid = |why: &str| {
        ConfigError::Invalid(format!(
            "invalid API URL `{text}` (from --url or AIVEN_WEB_URL): {why}"
        ))
    };
    let mut url = reqwest::Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
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

/// `AIVEN_CREDENTIALS_FILE`, else `$AIVEN_CONFIG_DIR/aiven-credentials.json`, else
/// `~/.config/aiven/aiven-credentials.json` (as `avn`, which ignores XDG_CONFIG_HOME).
pub fn credentials_file(env: impl Fn(&str) -> Option<OsString>) -> Result<PathBuf, ConfigError> {
    if let Some(file) = env(EnvVars::AIVEN_CREDENTIALS_FILE).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(file));
    }
    let config_dir = match env(EnvVars::AIVEN_CONFIG_DIR).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let home = env(EnvVars::HOME)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(dirs::home_dir)
                .ok_or(ConfigError::NoHome)?;
            home.join(".config").join("aiven")
        }
    };
    Ok(config_dir.join("aiven-credentials.json"))
}

/// The avn-compatible credentials file: `{"auth_token": "...", "user_email": "..."}`.
/// Unknown fields are kept when it is rewritten.
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
        let value: Value = serde_json::from_slice(&text)
            .map_err(|e| bad(format!("not valid JSON ({e}); fix or remove it")))?;
        let Value::Object(fields) = value else {
            return Err(bad(
                "expected a JSON object with an \"auth_token\" field".into()
            ));
        };
        match fields.get("auth_token") {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(_) => return Err(bad("\"auth_token\" must be a string".into())),
        }
        Ok(Some(Credentials { fields }))
    }

    pub fn auth_token(&self) -> Option<Secret> {
        match self.fields.get("auth_token") {
            Some(Value::String(token)) if !token.trim().is_empty() => {
                Some(Secret::new(token.trim()))
            }
            _ => None,
        }
    }

    /// Write the file atomically (temp file, fsync, rename) with mode 0600, creating its
    /// directory with mode 0700 when missing. A crash leaves the old file or the new one.
    pub fn write(&self, path: &Path) -> Result<(), ConfigError> {
        let fail = |reason: String| ConfigError::WriteCredentials {
            path: path.to_owned(),
            reason,
        };
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

/// Remove the credentials file; a missing file is fine (as `avn user logout`).
pub fn remove_credentials(path: &Path) -> Result<bool, ConfigError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(ConfigError::WriteCredentials {
            path: path.to_owned(),
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
    fn bad_urls_are_rejected() {
        for url in ["ftp://x", "not a url", "http://", "https://h/?q=1"] {
            assert!(resolve(&["--url", url], &[]).is_err(), "{url}");
        }
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
        assert_eq!(config.auth_ca, Some(PathBuf::from("/env/ca.pem")));
        let flags = ["--url", "http://127.0.0.1:2", "--auth-ca", "/flag/ca.pem"];
        let config = resolve(&flags, &env).unwrap();
        assert_eq!(config.url.as_str(), "http://127.0.0.1:2/");
        assert_eq!(config.auth_ca, Some(PathBuf::from("/flag/ca.pem")));
        let config = resolve(&[], &[("AIVEN_WEB_URL", ""), ("AIVEN_CA_CERT", "")]).unwrap();
        assert_eq!(config.url.as_str(), "https://api.aiven.io/");
        assert_eq!(config.auth_ca, None);
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
        assert_eq!(back.auth_token().unwrap().expose(), "tok");
        assert!(permission_warning(&file).is_none());
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(permission_warning(&file).unwrap().contains("chmod 600"));
    }
}
