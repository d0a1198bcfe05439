//! Proxies (issue 8.3): loopback never goes through one, cleartext to another host only
//! with `--allow-insecure-http` (and `NO_PROXY` honoured), HTTPS only as a CONNECT tunnel
//! that shows the proxy nothing of the token, and unsupported proxies are clear errors.
//! Nothing leaves loopback: "remote" hosts are `.invalid` names only the fake proxy sees.

use crate::support::hostile::{self, PREFIX};
use crate::support::proxy::FakeProxy;
use crate::support::server::ScriptedServer;
use crate::support::tls::{TlsServer, tls_data};
use crate::support::{Cmd, TOKEN, cmd};

/// `avn-token` with every proxy variable pointing at `proxy`.
fn with_proxy_env(command: Cmd, proxy: &str) -> Cmd {
    [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ]
    .into_iter()
    .fold(command, |command, name| command.env(name, proxy))
}

/// Issue 8.3: loopback destinations never use a proxy (as Go's net/http), so a token meant
/// for a local server is never handed to one.
#[test]
fn loopback_destinations_never_use_a_proxy() {
    let proxy = FakeProxy::start(None);
    let server = ScriptedServer::always(hostile::list_ok());
    let out = with_proxy_env(cmd().api(&server), &proxy.url())
        .arg("list")
        .run();
    out.success().stdout_contains(PREFIX);
    assert_eq!(server.requests().len(), 1);
    assert!(!proxy.used(), "the proxy was used: {}", proxy.seen());
}

/// Issue 8.3: a cleartext request to another host never goes to a proxy unless
/// `--allow-insecure-http` (refused before anything is sent); with it, it does.
#[test]
fn cleartext_through_a_proxy_needs_allow_insecure_http() {
    let proxy = FakeProxy::start(None);
    let remote = "http://api.test.invalid";
    let refused = with_proxy_env(cmd().url(remote).token(TOKEN), &proxy.url())
        .arg("list")
        .run();
    refused.code(2).one_line_error();
    refused.stderr_contains("--allow-insecure-http");
    assert!(!proxy.used(), "sent to the proxy: {}", proxy.seen());

    let allowed = with_proxy_env(cmd().url(remote).token(TOKEN), &proxy.url())
        .args(["list", "--allow-insecure-http"])
        .run();
    allowed.success().stdout_contains("via proxy");
    assert!(
        proxy
            .seen()
            .starts_with("GET http://api.test.invalid/v1/access_token HTTP/1.1"),
        "{}",
        proxy.seen()
    );

    // NO_PROXY names the host: straight to it (a name that does not resolve), not the proxy.
    let direct = with_proxy_env(
        cmd().url("http://direct.test.invalid").token(TOKEN),
        &proxy.url(),
    )
    .env("NO_PROXY", "localhost,.test.invalid")
    .args(["list", "--allow-insecure-http", "--retry-budget", "0"])
    .run();
    direct.code(1).one_line_error();
    assert!(
        !proxy.seen().contains("direct.test.invalid"),
        "{}",
        proxy.seen()
    );
}

/// Issue 8.3: HTTPS through a proxy is a CONNECT tunnel only: the proxy sees the host name,
/// never the token, and the certificate is checked as without a proxy.
#[test]
fn https_through_a_proxy_is_a_connect_tunnel() {
    let tls = TlsServer::start();
    let proxy = FakeProxy::start(Some(tls.addr));
    let out = cmd()
        .url("https://api.test.invalid")
        .token(TOKEN)
        .env("https_proxy", proxy.url())
        .args(["list", "--auth-ca"])
        .arg(tls_data("ca.pem"))
        .run();
    out.success().stdout_contains(PREFIX);
    let seen = proxy.seen();
    assert!(
        seen.starts_with("CONNECT api.test.invalid:443 HTTP/1.1\r\n"),
        "{seen}"
    );
    for secret in ["aivenv1", TOKEN, "access_token"] {
        assert!(
            !seen.contains(secret),
            "the proxy saw {secret} in clear: {seen}"
        );
    }
    assert_eq!(tls.handshakes(), 1);
}

#[test]
fn unsupported_proxies_are_clear_errors() {
    let out = cmd()
        .url("https://api.test.invalid")
        .token(TOKEN)
        .env("HTTPS_PROXY", "socks5://user:secret@127.0.0.1:1080")
        .arg("list")
        .run();
    out.code(2).one_line_error();
    out.stderr_contains("HTTPS_PROXY").stderr_contains("socks5");
    assert!(!out.stderr.contains("secret"), "{}", out.stderr);
}
