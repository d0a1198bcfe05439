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
