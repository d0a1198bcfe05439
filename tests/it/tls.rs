//! TLS: an untrusted certificate fails at once with a line that says what to do, trust is
//! the built-in roots unless a CA bundle is configured (in a documented order), and
//! `https://` to a plain-HTTP server says so.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::Instant;

use crate::support::hostile::ended_within;
use crate::support::tls::{TlsServer, tls_data};
use crate::support::{TOKEN, cmd};

/// Issue 8.7: a certificate the client does not trust is final: one handshake, then a
/// one-line error that says what is wrong and what to do, long before the retry budget.
#[test]
fn an_untrusted_certificate_fails_at_once() {
    let tls = TlsServer::start();
    let url = format!("https://127.0.0.1:{}", tls.addr.port());
    // The control: with the CA that signed it, the same server works.
    cmd()
        .url(&url)
        .token(TOKEN)
        .arg("list")
        .arg("--auth-ca")
        .arg(tls_data("ca.pem"))
        .run()
        .success()
        .stdout_contains("over tls");
    let before = tls.handshakes();
    let started = Instant::now();
    let out = cmd()
        .url(&url)
        .token(TOKEN)
        .arg("list")
        .arg("--auth-ca")
        .arg(tls_data("other-ca.pem"))
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("certificate not trusted")
        .stderr_contains("--auth-ca");
    assert_eq!(
        tls.handshakes() - before,
        1,
        "a certificate failure was retried"
    );
    ended_within(started, 5);
}

/// Issue 12.9: trust is Mozilla's roots, compiled in (so a private CA is not trusted by
/// default), unless a CA bundle is configured: `--auth-ca`, `AIVEN_CA_CERT`, then the
/// corporate-proxy variables `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`, `SSL_CERT_FILE`, in that
/// order. The first one set is the one used, and a broken one is named in the error.
#[test]
fn trust_is_the_built_in_roots_unless_a_ca_bundle_is_configured() {
    let tls = TlsServer::start();
    let url = format!("https://127.0.0.1:{}", tls.addr.port());
    let list = || cmd().url(&url).token(TOKEN).arg("list");
    let (ca, other) = (tls_data("ca.pem"), tls_data("other-ca.pem"));
    list()
        .run()
        .code(1)
        .stderr_contains("certificate not trusted");
    for name in [
        "SSL_CERT_FILE",
        "CURL_CA_BUNDLE",
        "REQUESTS_CA_BUNDLE",
        "AIVEN_CA_CERT",
    ] {
        list()
            .env(name, &ca)
            .run()
            .success()
            .stdout_contains("over tls");
    }
    // The earlier setting in the order wins over a later one, whatever the later says.
    list()
        .env("REQUESTS_CA_BUNDLE", &ca)
        .env("CURL_CA_BUNDLE", &other)
        .env("SSL_CERT_FILE", "/nonexistent/bundle.pem")
        .run()
        .success();
    list()
        .env("REQUESTS_CA_BUNDLE", &other)
        .arg("--auth-ca")
        .arg(&ca)
        .run()
        .success();
    let out = list().env("SSL_CERT_FILE", "/nonexistent/bundle.pem").run();
    out.code(2).one_line_error();
    out.stderr_contains("SSL_CERT_FILE");
}

/// Issue 11.5: `https://` against a plain-HTTP server says so, at once.
#[test]
fn https_to_a_plain_http_server_says_so() {
    // What an HTTP server does with a TLS hello: answer 400 in plain text. (The scripted
    // server waits for a request head, which a TLS hello never completes.)
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 512];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let started = Instant::now();
    let out = cmd()
        .url(format!("https://127.0.0.1:{}", addr.port()))
        .token(TOKEN)
        .arg("list")
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("does not speak TLS")
        .stderr_contains("http://");
    ended_within(started, 5);
}

/// `--system-ca` (or `AVN_TOKEN_SYSTEM_CA=1`) trusts the operating system's certificate
/// store instead of the built-in roots, a configured CA bundle too; without it the store
/// is never read. The test CA is put in "the system's store" through `SSL_CERT_DIR`, which
/// the system verifier reads on Linux only (macOS and Windows ask their own stores, where a
/// test cannot add a CA without an administrator).
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "adds a CA to the system's store through SSL_CERT_DIR, as on Linux only"
)]
fn the_system_store_is_trusted_when_asked_and_only_then() {
    let tls = TlsServer::start();
    let url = format!("https://127.0.0.1:{}", tls.addr.port());
    let store = |pem: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(tls_data(pem), dir.path().join(pem)).unwrap();
        dir
    };
    let (with_ca, without_ca) = (store("ca.pem"), store("other-ca.pem"));
    let list = |store: &tempfile::TempDir| {
        cmd()
            .url(&url)
            .token(TOKEN)
            .env("SSL_CERT_DIR", store.path())
            .arg("list")
    };
    // Not asked: the built-in roots, whatever the system holds.
    let out = list(&with_ca).run();
    out.code(1).one_line_error();
    out.stderr_contains("certificate not trusted")
        .stderr_contains("--system-ca");
    // Asked, by the flag or the variable: the system's store.
    list(&with_ca)
        .arg("--system-ca")
        .run()
        .success()
        .stdout_contains("over tls");
    list(&with_ca)
        .env("AVN_TOKEN_SYSTEM_CA", "1")
        .run()
        .success();
    // A store without the CA: not trusted, said as ever.
    let out = list(&without_ca).arg("--system-ca").run();
    out.code(1).one_line_error();
    out.stderr_contains("certificate not trusted");
    // A CA bundle is trusted besides the system's store.
    list(&without_ca)
        .arg("--system-ca")
        .arg("--auth-ca")
        .arg(tls_data("ca.pem"))
        .run()
        .success();
}

/// On every platform: the switch is checked (a value that is neither on nor off is a usage
/// error, naming it), and plain http:// needs no store at all.
#[test]
fn the_system_store_switch_is_checked_and_harmless_without_tls() {
    let server = crate::support::server::ScriptedServer::always(crate::support::faults::list_ok());
    let out = cmd()
        .api(&server)
        .env("AVN_TOKEN_SYSTEM_CA", "maybe")
        .arg("list")
        .run();
    out.code(2).one_line_error();
    out.stderr_contains("AVN_TOKEN_SYSTEM_CA=\"maybe\"");
    for off in ["0", "off", ""] {
        cmd()
            .api(&server)
            .env("AVN_TOKEN_SYSTEM_CA", off)
            .arg("list")
            .run()
            .success();
    }
    cmd()
        .api(&server)
        .arg("--system-ca")
        .arg("list")
        .run()
        .success();
    assert_eq!(server.requests().len(), 4);
}
