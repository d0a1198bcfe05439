//! Which proxy, if any, the API is reached through. Decided here, once per client (a client
//! talks to one host), instead of by reqwest's automatic environment lookup, so that the
//! rules that keep the token safe hold whatever the environment says:
//!
//! 1. **Loopback destinations never use a proxy** (`localhost`, `127.0.0.0/8`, `::1`), as
//!    Go's net/http does: a local sandbox or test server is reached directly, so a token
//!    meant for it is never handed to a proxy, in clear or not.
//! 2. **No token in clear off this machine without `--allow-insecure-http`**: an `http://`
//!    URL to another host is refused before anything is sent (see `transport`), whether or
//!    not a proxy is in between; with the flag, a cleartext request may go through the
//!    proxy, as the user asked.
//! 3. **HTTPS through a proxy is a `CONNECT` tunnel only**: reqwest opens a tunnel to the
//!    API host and speaks TLS inside it, so the proxy sees the host name and nothing else;
//!    the certificate is checked as without a proxy.
//!
//! The variables are the usual ones: `https_proxy` for `https://` URLs, `http_proxy` for
//! `http://` URLs, `all_proxy` for either (lower case wins over upper case), and
//! `no_proxy` (a comma-separated list of host names, `.domain` suffixes, IP addresses or
//! CIDR ranges, each optionally with `:port`; `*` means every host). A proxy is
//! `http://` or `https://` (a bare `host:port` means `http://`); any other scheme (such as
//! `socks5://`) is refused with a clear error rather than silently bypassed.
//!
//! A message names the variable as the user set it: on Windows, where names ignore case, a
//! lookup of `https_proxy` finds `HTTPS_PROXY` ([`Environment::spelling`]).

use std::borrow::Cow;
use std::net::IpAddr;

use reqwest::Url;

use super::ApiError;
use crate::env_vars::{EnvVars, Environment};

/// The proxy variables as found in the environment (empty ones count as unset). Its
/// `Debug` names the variables that are set, never their values (which may hold a proxy
/// password).
#[derive(Clone, Default)]
pub(crate) struct ProxyEnv {
    /// For `http://` URLs: `(variable name as set, value)`.
    http: Option<(Cow<'static, str>, String)>,
    /// For `https://` URLs.
    https: Option<(Cow<'static, str>, String)>,
    /// For either, when the scheme's own variable is unset.
    all: Option<(Cow<'static, str>, String)>,
    /// Hosts reached directly.
    no_proxy: Option<String>,
}

impl std::fmt::Debug for ProxyEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set: Vec<&str> = [&self.http, &self.https, &self.all]
            .into_iter()
            .flatten()
            .map(|(name, _)| name.as_ref())
            .collect();
        f.debug_struct("ProxyEnv")
            .field("set", &set)
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxyEnv {
    /// Read the proxy variables through `env` (the process's in the binary). A value that is
    /// not UTF-8 is treated as unset: it cannot name a usable proxy.
    pub(crate) fn from_env(env: &impl Environment) -> ProxyEnv {
        let first = |names: [&'static str; 2]| {
            names.into_iter().find_map(|name| {
                let value = env.var(name)?.into_string().ok()?;
                let value = value.trim();
                (!value.is_empty()).then(|| (env.spelling(name), value.to_owned()))
            })
        };
        ProxyEnv {
            http: first([EnvVars::HTTP_PROXY_LOWER, EnvVars::HTTP_PROXY]),
            https: first([EnvVars::HTTPS_PROXY_LOWER, EnvVars::HTTPS_PROXY]),
            all: first([EnvVars::ALL_PROXY_LOWER, EnvVars::ALL_PROXY]),
            no_proxy: first([EnvVars::NO_PROXY_LOWER, EnvVars::NO_PROXY]).map(|(_, value)| value),
        }
    }

    /// The proxy requests to `destination` go through, or `None` to connect directly.
    pub(super) fn proxy_for(&self, destination: &Url) -> Result<Option<Url>, ApiError> {
        if is_loopback(destination) || self.bypassed(destination) {
            return Ok(None);
        }
        let chosen = match destination.scheme() {
            "https" => self.https.as_ref(),
            _ => self.http.as_ref(),
        }
        .or(self.all.as_ref());
        let Some((variable, value)) = chosen else {
            return Ok(None);
        };
        let bad = |why: &str| {
            ApiError::Setup(format!(
                "the proxy in {variable} {why}; fix or unset {variable}, or list the API host \
                 in {}",
                EnvVars::NO_PROXY
            ))
        };
        let with_scheme = if value.contains("://") {
            value.clone()
        } else {
            format!("http://{value}")
        };
        let proxy = Url::parse(&with_scheme).map_err(|e| bad(&format!("is not a URL ({e})")))?;
        match proxy.scheme() {
            "http" | "https" if proxy.host_str().is_some_and(|h| !h.is_empty()) => Ok(Some(proxy)),
            "http" | "https" => Err(bad("has no host")),
            other => Err(bad(&format!(
                "uses {other}://, which avn-token does not support (only http:// and https:// \
                 proxies)"
            ))),
        }
    }

    /// Whether `no_proxy` says to reach `destination` directly.
    fn bypassed(&self, destination: &Url) -> bool {
        let Some(list) = &self.no_proxy else {
            return false;
        };
        let Some(host) = destination.host() else {
            return false;
        };
        let port = destination.port_or_known_default();
        list.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .any(|entry| no_proxy_matches(entry, &host, port))
    }
}

/// One `no_proxy` entry against a destination, as Go's `httpproxy` reads them: `*`; an IP
/// address or CIDR range; a host name, which also matches its subdomains; `.domain` or
/// `*.domain`, which matches only subdomains; any of these with `:port`.
fn no_proxy_matches(entry: &str, host: &url::Host<&str>, port: Option<u16>) -> bool {
    if entry == "*" {
        return true;
    }
    let host_ip: Option<IpAddr> = match host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(*ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(*ip)),
        url::Host::Domain(_) => None,
    };
    if let Ok(network) = entry.parse::<ipnet::IpNet>() {
        return host_ip.is_some_and(|ip| network.contains(&ip));
    }
    let (name, wanted_port) = split_port(entry);
    if wanted_port.is_some() && wanted_port != port {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = name.parse::<IpAddr>() {
        return host_ip == Some(ip);
    }
    let url::Host::Domain(domain) = host else {
        return false;
    };
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    match name.strip_prefix("*.").or_else(|| name.strip_prefix('.')) {
        Some(suffix) => domain.ends_with(&format!(".{suffix}")),
        None => domain == name || domain.ends_with(&format!(".{name}")),
    }
}

/// `host:port` split at the port, if there is one (`[::1]:80` too; a bare IPv6 address has
/// no port).
fn split_port(entry: &str) -> (&str, Option<u16>) {
    match entry.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') || name.ends_with(']') => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// `localhost`, `127.0.0.0/8`, `::1` (or `::ffff:127.x.y.z`): this machine.
pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            name.eq_ignore_ascii_case("localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    fn env(pairs: &[(&str, &str)]) -> ProxyEnv {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        ProxyEnv::from_env(&|key: &str| map.get(key).cloned())
    }

    fn proxy(env: &ProxyEnv, url: &str) -> Option<String> {
        env.proxy_for(&url.parse().unwrap())
            .unwrap()
            .map(|u| u.to_string())
    }

    #[test]
    fn loopback_hosts() {
        for url in [
            "http://localhost:8080",
            "http://LOCALHOST.",
            "http://127.0.0.1",
            "http://127.1.2.3",
            "http://[::1]:1",
            "http://[::ffff:127.0.0.1]",
        ] {
            assert!(is_loopback(&url.parse().unwrap()), "{url}");
        }
        for url in [
            "http://example.invalid",
            "http://0.0.0.0",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://[::ffff:10.0.0.1]",
        ] {
            assert!(!is_loopback(&url.parse().unwrap()), "{url}");
        }
    }

    #[test]
    fn each_scheme_has_its_variable_and_loopback_never_has_one() {
        let all = env(&[
            ("http_proxy", "http://plain.proxy:3128"),
            ("HTTPS_PROXY", "tls.proxy:8080"),
            ("ALL_PROXY", "http://fallback:1"),
        ]);
        assert_eq!(
            proxy(&all, "http://api.example.com").as_deref(),
            Some("http://plain.proxy:3128/")
        );
        assert_eq!(
            proxy(&all, "https://api.aiven.io").as_deref(),
            Some("http://tls.proxy:8080/")
        );
        for local in [
            "http://127.0.0.1:8080",
            "https://localhost",
            "http://[::1]:9",
        ] {
            assert_eq!(proxy(&all, local), None, "{local}");
        }
        let fallback = env(&[("all_proxy", "http://fallback:1"), ("ALL_PROXY", "x")]);
        assert_eq!(
            proxy(&fallback, "https://api.aiven.io").as_deref(),
            Some("http://fallback:1/")
        );
        assert_eq!(proxy(&env(&[("HTTP_PROXY", "")]), "http://h.example"), None);
    }

    #[test]
    fn no_proxy_entries() {
        let bypass = |list: &str, url: &str| {
            let settings = env(&[("https_proxy", "http://p:1"), ("NO_PROXY", list)]);
            proxy(&settings, url).is_none()
        };
        assert!(bypass("*", "https://api.aiven.io"));
        assert!(bypass("aiven.io", "https://api.aiven.io"));
        assert!(bypass("aiven.io", "https://aiven.io"));
        assert!(bypass(" other, API.Aiven.io ", "https://api.aiven.io"));
        assert!(bypass(".aiven.io", "https://api.aiven.io"));
        assert!(!bypass(".aiven.io", "https://aiven.io"));
        assert!(bypass("*.aiven.io", "https://api.aiven.io"));
        assert!(!bypass("io.aiven", "https://api.aiven.io"));
        assert!(!bypass("notaiven.io", "https://aiven.io"));
        assert!(!bypass("ven.io", "https://api.aiven.io"));
        assert!(bypass("api.aiven.io:443", "https://api.aiven.io"));
        assert!(!bypass("api.aiven.io:8443", "https://api.aiven.io"));
        assert!(bypass("10.0.0.0/8", "https://10.1.2.3"));
        assert!(!bypass("10.0.0.0/8", "https://11.1.2.3"));
        assert!(bypass("192.0.2.7", "https://192.0.2.7:8443"));
        assert!(bypass("[2001:db8::1]:443", "https://[2001:db8::1]"));
        assert!(bypass("2001:db8::1", "https://[2001:db8::1]"));
        assert!(!bypass("", "https://api.aiven.io"));
    }

    #[test]
    fn unusable_proxies_are_clear_errors() {
        for value in ["socks5://user:pw@127.0.0.1:1080", "http://", "http://[oops"] {
            let settings = env(&[("https_proxy", value)]);
            let error = settings
                .proxy_for(&"https://api.aiven.io".parse().unwrap())
                .unwrap_err()
                .to_string();
            assert!(error.contains("https_proxy"), "{value}: {error}");
            assert!(!error.contains("pw"), "proxy credentials shown: {error}");
        }
    }

    /// Windows: names ignore case, so `https_proxy` finds `HTTPS_PROXY`; the message names
    /// the variable the user set, and which one wins no longer matters (only one is set).
    #[test]
    fn a_message_names_the_variable_as_set_where_names_ignore_case() {
        let windows = crate::env_vars::case_insensitive_env(&[
            ("HTTPS_PROXY", "socks5://127.0.0.1:1080"),
            ("No_Proxy", "example.com"),
        ]);
        let settings = ProxyEnv::from_env(&windows);
        assert_eq!(
            format!("{settings:?}"),
            r#"ProxyEnv { set: ["HTTPS_PROXY"], no_proxy: Some("example.com") }"#
        );
        let error = settings
            .proxy_for(&"https://api.aiven.io".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("the proxy in HTTPS_PROXY uses socks5://"),
            "{error}"
        );
        assert!(error.contains("fix or unset HTTPS_PROXY"), "{error}");
        assert!(!error.contains("https_proxy"), "{error}");
        assert!(
            settings
                .proxy_for(&"https://example.com".parse().unwrap())
                .unwrap()
                .is_none()
        );
    }
}
