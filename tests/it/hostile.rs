//! A hostile server, proxy, terminal payload or filesystem (issue 8), and the transport
//! promises of issues 9 and 11: the real binary against scripted servers on 127.0.0.1.
//!
//! Each test names the promise it backs. Nothing here leaves loopback: "remote" hosts are
//! `.invalid` names that only a fake proxy on 127.0.0.1 ever sees.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::server::{Canned, ScriptedServer, unused_address};
use crate::support::{Cmd, Run, TOKEN, cmd, credentials_file, write_credentials};

const PREFIX: &str = "XCJ3+bgWywIh";

fn token_json(prefix: &str, description: &str) -> Value {
    json!({
        "create_time": "2021-08-16T15:29:14Z", "created_manually": true,
        "currently_active": false, "description": description,
        "expiry_time": "2031-08-16T15:29:14Z", "extend_when_used": false,
        "last_ip": "192.0.2.1", "last_used_time": "2021-08-17T15:29:14Z",
        "last_user_agent": "curl", "max_age_seconds": 3600, "token_prefix": prefix
    })
}

fn list_ok() -> Canned {
    Canned::json(200, json!({ "tokens": [token_json(PREFIX, "ci")] }))
}

/// A sanity bound on how long a run took (the machine is noisy: bounds are generous).
#[track_caller]
fn ended_within(started: Instant, seconds: u64) {
    let took = started.elapsed();
    assert!(took < Duration::from_secs(seconds), "took {took:?}");
}

/// A failure that came to an end the way every failure must: a status (no signal), not
/// Rust's panic status 101, no panic message.
#[track_caller]
fn no_panic(out: &Run) {
    assert!(out.status.is_some(), "killed by a signal: {out:?}");
    assert_ne!(out.status, Some(101), "panicked: {out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");
}

fn raw_response(status: u16, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("HTTP/1.1 {status} Whatever\r\n").into_bytes();
    for header in headers {
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(format!("content-length: {}\r\n\r\n", body.len()).as_bytes());
    bytes.extend_from_slice(body);
    bytes
}

// ---- 1. no response makes it panic ---------------------------------------------------

/// Issue 8.1: `Retry-After: 1e30` on any response, or `18446744073709551615` on a 429,
/// made the binary panic (exit 101). Every value ends in bounded time, without a panic.
#[test]
fn no_retry_after_value_makes_it_panic() {
    let values = [
        "1e30",
        "18446744073709551615",
        "99999999999999999999999999999",
        "-1",
        "NaN",
        "inf",
        "1e-30",
        "0x10",
        "",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ];
    for value in values {
        for (status, command) in [
            (200, vec!["list"]),
            (200, vec!["create", "--description", "ci"]),
            (429, vec!["list"]),
            (503, vec!["list"]),
        ] {
            let body = if status == 200 && command[0] == "create" {
                let mut token = token_json(PREFIX, "ci");
                token["full_token"] = json!("Zm9vYmFyYmF6cXV4");
                token
            } else if status == 200 {
                json!({"tokens": []})
            } else {
                json!({"message": "slow down"})
            };
            let server = ScriptedServer::always(
                Canned::json(status, body).with_header("Retry-After", value),
            );
            let started = Instant::now();
            let out = cmd()
                .api(&server)
                .args(&command)
                .args(["--retry-budget", "0.3", "--request-timeout", "10"])
                .run();
            no_panic(&out);
            assert!(
                started.elapsed() < Duration::from_secs(9),
                "{value} on {status}: not bounded by the retry budget"
            );
            if status == 200 {
                out.success();
            } else {
                out.code(1).one_line_error();
            }
        }
    }
}

/// Hostile pieces of a response: status lines, headers and bodies a server can send.
const STATUSES: &[u16] = &[
    0, 100, 101, 103, 199, 200, 201, 204, 206, 299, 301, 304, 399, 400, 401, 403, 404, 408, 409,
    418, 429, 500, 502, 503, 504, 599, 600, 999,
];

fn hostile_header() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::sample::select(vec![
            "Retry-After: 1e30",
            "Retry-After: 18446744073709551615",
            "Retry-After: -5",
            "Retry-After: NaN",
            "Retry-After: Fri, 31 Dec 9999 23:59:59 GMT",
            "Retry-After: 0",
            "Content-Length: 18446744073709551615",
            "Content-Length: -1",
            "Content-Length: 3",
            "Content-Length: abc",
            "Transfer-Encoding: chunked",
            "Content-Encoding: gzip",
            "Content-Type: text/html",
            "Location: http://127.0.0.1:1/v1/access_token",
            "Connection: keep-alive",
            "garbage without a colon",
            "X-Echo: \u{1b}]0;owned\u{7}\u{9b}2J\u{202e}",
        ])
        .prop_map(|h| h.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..24).prop_map(|mut bytes| {
            bytes.retain(|b| *b != b'\r' && *b != b'\n');
            let mut header = b"X-Raw: ".to_vec();
            header.extend(bytes);
            header
        }),
    ]
}

fn hostile_body() -> impl Strategy<Value = Vec<u8>> {
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    prop_oneof![
        prop::sample::select(vec![
            String::new(),
            json!({"tokens": [token_json(PREFIX, "ci")]}).to_string(),
            r#"{"tokens": [{}, {"max_age_seconds": 1e400}, {"token_prefix": 5}]}"#.to_owned(),
            r#"{"tokens": 5}"#.to_owned(),
            r#"{"full_token": "\u001b[2J", "token_prefix": "XCJ3+bgWywIh"}"#.to_owned(),
            r#"{"message": "\u001b]0;owned\u0007\u009b2J\u202e"}"#.to_owned(),
            r#"{"user": {"user": "\u001b[31m"}}"#.to_owned(),
            "<!DOCTYPE html><html>\u{1b}[2J</html>".to_owned(),
            nested,
            "0\r\n\r\n".to_owned(),
            "zz\r\nnot chunked".to_owned(),
        ])
        .prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn some_command() -> impl Strategy<Value = Vec<&'static str>> {
    prop::sample::select(vec![
        vec!["list"],
        vec!["list", "-o", "csv"],
        vec!["info", PREFIX],
        vec!["create", "--description", "ci"],
        vec!["create", "--description", "ci", "-q"],
        vec!["update", PREFIX, "--description", "x"],
        vec!["revoke", PREFIX, "--force"],
        vec!["expire-all", "--yes"],
        vec!["list", "--show-http"],
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Issue 8.1: no response a server can send (status × headers × body, well-formed or
    /// not) makes any command panic; each ends in bounded time.
    #[test]
    fn no_response_makes_it_panic(
        status in prop::sample::select(STATUSES),
        headers in prop::collection::vec(hostile_header(), 0..4),
        body in hostile_body(),
        command in some_command(),
    ) {
        let mut raw = format!("HTTP/1.1 {status} Whatever\r\n").into_bytes();
        for header in &headers {
            raw.extend_from_slice(header);
            raw.extend_from_slice(b"\r\n");
        }
        if !headers.iter().any(|h| h.to_ascii_lowercase().starts_with(b"content-length")) {
            raw.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        raw.extend_from_slice(&body);
        let server = ScriptedServer::always(Canned::Raw(raw));
        let started = Instant::now();
        let out = cmd()
            .api(&server)
            .args(&command)
            .args(["--retry-budget", "0.2", "--request-timeout", "5"])
            .run();
        no_panic(&out);
        prop_assert!(started.elapsed() < Duration::from_secs(9), "not bounded: {:?}", out);
        if !out.succeeded() {
            prop_assert_eq!(&out.stdout, "", "stdout on failure");
        }
        assert_no_raw_controls(&out);
    }
}

// ---- 2. no piece of the token in any output ------------------------------------------

/// A token shaped like the real ones: 344 characters of base64 with `+`, `/` and `=`.
fn long_token() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut token: String = (0..342)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[(state % 64) as usize])
        })
        .collect();
    token.push_str("==");
    token
}

/// Every way a careless or hostile server might echo `token`, as text that can sit inside
/// a JSON string as it is (the JSON-escaped spellings decode to the token itself).
fn echoes(token: &str) -> String {
    let url_safe = token.replace('+', "-").replace('/', "_");
    [
        token.to_owned(),
        token[..300].to_owned(),
        token[12..].to_owned(),
        token[150..170].to_owned(),
        token
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D"),
        token
            .replace('+', "%2b")
            .replace('/', "%2f")
            .replace('=', "%3d"),
        url_safe.clone(),
        url_safe.trim_end_matches('=').to_owned(),
        token.replace('/', "\\/").replace('+', "\\u002b"),
        token.replace('+', "&#43;").replace('/', "&#x2F;"),
        token
            .replace('+', "&plus;")
            .replace('/', "&sol;")
            .replace('=', "&equals;"),
        format!("aivenv1 {token}"),
        // Escapes that JSON decoding makes: in a JSON body these are `\\u0063` (an escaped
        // backslash, then `u0063`), `\u002563` (`%63`) and `\u0026#99;` (`&#99;`): the
        // decoded text holds the token escaped once, as from a server that escapes twice.
        escaped_each(&token[20..120], |c| format!("\\\\u{:04x}", u32::from(c))),
        escaped_each(&token[120..220], |c| format!("\\u0025{:02X}", u32::from(c))),
        escaped_each(&token[220..320], |c| format!("\\u0026#{};", u32::from(c))),
    ]
    .join(" ")
}

/// `text` with each character written by `escape`.
fn escaped_each(text: &str, escape: impl Fn(char) -> String) -> String {
    text.chars().map(escape).collect()
}

/// `text` in one spelling: escapes decoded (percent, JSON's `\u0063`, `\/` and `\\`,
/// HTML's `&#99;`, `&#x63;`, `&plus;`, `&sol;`, `&equals;`), base64url's `-_` as `+/`;
/// again until nothing changes, so that an escape written with escapes is read too.
fn canonical(text: &str) -> String {
    let mut text = text.to_owned();
    loop {
        let decoded = canonical_once(&text);
        if decoded == text {
            return text;
        }
        text = decoded;
    }
}

fn canonical_once(text: &str) -> String {
    let ascii = |value: u32| char::from_u32(value).filter(char::is_ascii);
    let hex = |digits: &str| u32::from_str_radix(digits, 16).ok();
    let mut out = String::new();
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let rest = &text[at..];
        let entity = rest
            .strip_prefix("&#")
            .and_then(|tail| Some((tail, tail.find(';').filter(|&end| end <= 9)?)))
            .and_then(|(tail, end)| {
                let digits = &tail[..end];
                let value = match digits.strip_prefix(['x', 'X']) {
                    Some(digits) => hex(digits)?,
                    None => digits.parse().ok()?,
                };
                Some((ascii(value)?, end + 3))
            });
        let named = [("&plus;", '+'), ("&sol;", '/'), ("&equals;", '=')]
            .into_iter()
            .find(|(name, _)| rest.starts_with(name))
            .map(|(name, c)| (c, name.len()));
        let (decoded, len) = match c {
            '%' => rest
                .get(1..3)
                .and_then(hex)
                .and_then(ascii)
                .map_or((c, 1), |c| (c, 3)),
            '\\' => match rest.get(1..2) {
                Some("/") => ('/', 2),
                Some("\\") => ('\\', 2),
                Some("u") => rest
                    .get(2..6)
                    .and_then(hex)
                    .and_then(ascii)
                    .map_or((c, 1), |c| (c, 6)),
                _ => (c, 1),
            },
            '&' => entity.or(named).unwrap_or((c, 1)),
            '-' => ('+', 1),
            '_' => ('/', 1),
            c => (c, c.len_utf8()),
        };
        out.push(decoded);
        at += len;
    }
    out
}

/// No 16-character piece of the token's secret part (after its public 12-character
/// prefix) in anything the run printed, in any spelling.
#[track_caller]
fn assert_no_piece_of(token: &str, out: &Run, what: &str) {
    let printed = format!("{}\n{}", out.stdout, out.stderr);
    let canonical = canonical(&printed);
    let secret = &token.as_bytes()[12..];
    for piece in secret.windows(16) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(
            !printed.contains(piece) && !canonical.contains(piece),
            "{what}: a piece of the token ({piece}) was printed: {out:?}"
        );
    }
}

/// How the hostile server of [`hostile_echo_server`] answers.
#[derive(Clone, Copy, Debug)]
enum EchoedIn {
    /// Successful answers with the token in every string field and a header, and handed
    /// back as a "new" token by create.
    Data,
    /// A 401 whose JSON message holds the token (longer than the 300-character cut).
    ErrorMessage,
    /// A 500 HTML page with the token across the 4096-byte trace cut.
    Html,
    /// A 200 that is not JSON, quoting the token.
    Text,
    /// A 200 of the wrong shape, so the decode error quotes the value.
    DecodeError,
}

fn hostile_echo_server(mode: EchoedIn) -> ScriptedServer {
    ScriptedServer::start(move |request| {
        let token = request
            .header("authorization")
            .unwrap_or_default()
            .trim_start_matches("aivenv1 ")
            .to_owned();
        let echo = echoes(&token);
        let with_echo = |status: u16, body: Value| {
            let body = body.to_string().replace("ECHO", &echo);
            Canned::raw(status, "application/json", body.as_bytes())
                .with_header("x-echo", &echo)
                .with_header("www-authenticate", &format!("aivenv1 {token}"))
        };
        let token_with_echo = || {
            let mut token_object = token_json(PREFIX, "ECHO");
            token_object["last_user_agent"] = json!("ECHO");
            token_object["brand_new"] = json!({"nested": ["ECHO"]});
            token_object
        };
        match mode {
            EchoedIn::Data => match (request.method.as_str(), request.path.as_str()) {
                ("GET", "/v1/access_token") => {
                    with_echo(200, json!({ "tokens": [token_with_echo()] }))
                }
                ("POST", "/v1/access_token") | ("PUT", _) => {
                    let mut created = token_with_echo();
                    created["full_token"] = json!(token);
                    with_echo(200, created)
                }
                ("GET", "/v1/me") => with_echo(200, json!({"user": {"user": "ECHO"}})),
                _ => with_echo(200, json!({"message": "ECHO"})),
            },
            EchoedIn::ErrorMessage => with_echo(
                401,
                json!({"message": "Invalid token ECHO", "errors": [{"message": "ECHO", "status": 401}]}),
            ),
            EchoedIn::Html => {
                let page = format!(
                    "<!DOCTYPE html><html><body>{}<p>{echo}</p></body></html>",
                    "x".repeat(3990)
                );
                Canned::raw(500, "text/html", page.as_bytes()).with_header("x-echo", &echo)
            }
            EchoedIn::Text => Canned::raw(200, "text/plain", format!("echo: {echo}").as_bytes()),
            EchoedIn::DecodeError => with_echo(200, json!({"tokens": "ECHO", "user": "ECHO"})),
        }
    })
}

/// Issue 8.2: a server that echoes the Authorization header back — in messages, bodies,
/// headers and HTML, whole, cut, percent-encoded, base64url, JSON-escaped — gets no piece
/// of the token's secret part printed, by any command, in any output format, with or
/// without `--show-http`.
#[test]
fn no_piece_of_the_token_is_printed_whatever_the_server_echoes() {
    let token = long_token();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["info", PREFIX],
        vec!["create", "--description", "d"],
        vec!["create", "--description", "d", "-q"],
        vec!["update", PREFIX, "--description", "x"],
        vec!["revoke", PREFIX, "--force"],
        vec!["rotate", PREFIX, "--force"],
        vec!["rotate", PREFIX, "--force", "-q"],
        vec!["expire-all", "--yes"],
        vec!["login"],
        vec!["logout"],
    ];
    let formats: [&[&str]; 6] = [
        &[],
        &["-o", "json"],
        &["-o", "csv"],
        &["-o", "yaml"],
        &["-o", "pretty"],
        &["--relative"],
    ];
    for mode in [
        EchoedIn::Data,
        EchoedIn::ErrorMessage,
        EchoedIn::Html,
        EchoedIn::Text,
        EchoedIn::DecodeError,
    ] {
        let server = hostile_echo_server(mode);
        // Output formats only matter when there is data to print.
        let formats: &[&[&str]] = match mode {
            EchoedIn::Data => &formats,
            _ => &formats[..1],
        };
        for command in &commands {
            for format in formats {
                for trace in [&[][..], &["--show-http"][..]] {
                    let home = tempfile::tempdir().unwrap();
                    let mut run = cmd()
                        .home(home.path())
                        .url(server.url())
                        .args(command)
                        .args(*format)
                        .args(trace)
                        .args(["--retry-budget", "0"]);
                    match command[0] {
                        "login" => run = run.write_stdin(format!("{token}\n")),
                        "logout" => {
                            write_credentials(
                                home.path(),
                                &json!({ "auth_token": token }).to_string(),
                            );
                        }
                        _ => run = run.token(&token),
                    }
                    let out = run.run();
                    let what = format!("{mode:?} {command:?} {format:?} {trace:?}");
                    no_panic(&out);
                    assert_no_piece_of(&token, &out, &what);
                }
            }
        }
    }
}

// ---- 3. proxies ----------------------------------------------------------------------

/// A fake proxy on 127.0.0.1: records every byte clients send it. A `CONNECT` is tunnelled
/// to `tunnel_to` (when set, else refused with 403); any other request is answered with a
/// token list, as a forward proxy relaying a cleartext request would.
struct FakeProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<u8>>>,
    connections: Arc<AtomicUsize>,
}

impl FakeProxy {
    fn start(tunnel_to: Option<SocketAddr>) -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen_by_server, counted) = (seen.clone(), connections.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let seen = seen_by_server.clone();
                thread::spawn(move || proxy_one(client, tunnel_to, &seen));
            }
        });
        FakeProxy {
            addr,
            seen,
            connections,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    fn used(&self) -> bool {
        self.connections.load(Ordering::SeqCst) > 0
    }
}

fn proxy_one(mut client: TcpStream, tunnel_to: Option<SocketAddr>, seen: &Mutex<Vec<u8>>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    seen.lock().unwrap().extend_from_slice(&head);
    if !head.starts_with(b"CONNECT ") {
        let body = json!({ "tokens": [token_json(PREFIX, "via proxy")] }).to_string();
        let _ = client.write_all(&raw_response(
            200,
            &["content-type: application/json"],
            body.as_bytes(),
        ));
        return;
    }
    let Some(target) = tunnel_to.and_then(|addr| TcpStream::connect(addr).ok()) else {
        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (mut from_client, mut to_target) =
        (client.try_clone().unwrap(), target.try_clone().unwrap());
    let (mut from_target, mut to_client) = (target, client);
    let upstream = thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        let mut sent = Vec::new();
        while let Ok(read @ 1..) = from_client.read(&mut buffer) {
            sent.extend_from_slice(&buffer[..read]);
            if to_target.write_all(&buffer[..read]).is_err() {
                break;
            }
        }
        let _ = to_target.shutdown(std::net::Shutdown::Write);
        sent
    });
    let _ = std::io::copy(&mut from_target, &mut to_client);
    let _ = to_client.shutdown(std::net::Shutdown::Write);
    if let Ok(sent) = upstream.join() {
        seen.lock().unwrap().extend_from_slice(&sent);
    }
}

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
    let server = ScriptedServer::always(list_ok());
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

// ---- 4. terminal control sequences ---------------------------------------------------

/// No raw C0/C1 control or bidi override anywhere in the output (newlines end lines).
#[track_caller]
fn assert_no_raw_controls(out: &Run) {
    // CSV ends its records with CRLF (RFC 4180): that line break is the format's own.
    let stdout = out.stdout.replace("\r\n", "\n");
    for (stream, text) in [("stdout", &stdout), ("stderr", &out.stderr)] {
        if let Some(bad) = text.chars().find(|&c| {
            c != '\n'
                && (c < ' '
                    || ('\u{80}'..='\u{9f}').contains(&c)
                    || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        }) {
            panic!("raw U+{:04X} on {stream}: {out:?}", u32::from(bad));
        }
    }
}

const HAZARDS: &str = "\u{1b}]0;owned\u{7}\u{9b}2J\u{202e}dlrow\u{85}";

/// Issue 8.4: `create` and `rotate` print a `full_token` only when it is plain base64, in
/// every format; anything else is an error (exit 1) and nothing is printed. `rotate` then
/// keeps the old token.
#[test]
fn a_new_token_that_is_not_plain_base64_is_never_printed() {
    for full_token in [
        format!("abc{HAZARDS}"),
        "abc def".to_owned(),
        "(redacted)".to_owned(),
        "abc==x".to_owned(),
    ] {
        refused_new_token(Some(json!(full_token)), "not plain base64");
    }
}

/// A create answered without `full_token` (or with one that is not a string) made a token
/// nobody can use: an error in every format (avn fails its table too, on the missing
/// column), naming the token that was made; `rotate` then keeps the old token.
#[test]
fn a_create_answer_without_the_new_token_is_an_error() {
    for full_token in [None, Some(json!(null)), Some(json!(12345))] {
        refused_new_token(full_token, "sent no \"full_token\"");
    }
}

/// `create` answered with `full_token` (absent when `None`) fails in every format (`-q`,
/// the avn table, JSON, CSV, YAML, the table for people) saying `why` and naming the token
/// made, and prints nothing; `rotate` keeps the old token (no DELETE is sent).
#[track_caller]
fn refused_new_token(full_token: Option<Value>, why: &str) {
    let mut created = token_json("N3WT0KENPR3F", "ci");
    if let Some(value) = full_token {
        created["full_token"] = value;
    }
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "GET" => list_ok(),
        _ => Canned::json(200, created.clone()),
    });
    for format in [
        &["-q"][..],
        &[],
        &["--json"],
        &["-o", "csv"],
        &["-o", "yaml"],
        &["-o", "pretty"],
    ] {
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci"])
            .args(format)
            .run();
        out.code(1).one_line_error();
        out.stderr_contains(why)
            .stderr_contains("N3WT0KENPR3F was created");
        assert_no_raw_controls(&out);
    }
    for format in [&["-q"][..], &[]] {
        let out = cmd()
            .api(&server)
            .args(["rotate", PREFIX, "--force"])
            .args(format)
            .run();
        out.code(1).one_line_error();
        out.stderr_contains("NOT revoked");
        assert_no_raw_controls(&out);
    }
    let methods: Vec<String> = server.requests().into_iter().map(|r| r.method).collect();
    assert!(!methods.contains(&"DELETE".to_owned()), "{methods:?}");
}

/// Issue 8.4: every place that prints server text escapes control characters and bidi
/// overrides: the expire-all message (stdout), login's "logged in as", rotate's "revoked the
/// old token", an ambiguous-prefix list, `--show-http` bodies that are not JSON, and
/// errors quoting values.
#[test]
fn server_text_reaches_the_terminal_escaped_everywhere() {
    let hostile_prefix = format!("AB{HAZARDS}");
    let (first, second) = (format!("{hostile_prefix}1"), format!("{hostile_prefix}2"));
    let cases: Vec<(&str, Canned, Vec<&str>, Option<&str>)> = vec![
        (
            "expire-all message",
            Canned::json(200, json!({ "message": format!("expired {HAZARDS}") })),
            vec!["expire-all", "--yes"],
            Some("expired \\u001b]0;owned\\u0007\\u009b2J\\u202edlrow\\u0085\n"),
        ),
        (
            "login's email",
            Canned::json(
                200,
                json!({"user": {"user": format!("me{HAZARDS}@example.com")}}),
            ),
            vec!["login"],
            None,
        ),
        (
            "ambiguous prefix",
            Canned::json(
                200,
                json!({"tokens": [token_json(&first, "a"), token_json(&second, "b")]}),
            ),
            vec!["info", "AB"],
            None,
        ),
        (
            "--show-http body that is not JSON",
            Canned::raw(503, "text/plain", format!("down {HAZARDS}").as_bytes()),
            vec!["list", "--show-http", "--retry-budget", "0"],
            None,
        ),
        (
            "decode error quoting a value",
            Canned::json(200, json!({ "tokens": format!("x{HAZARDS}") })),
            vec!["list"],
            None,
        ),
        (
            "error message",
            Canned::json(400, json!({ "message": format!("bad {HAZARDS}") })),
            vec!["list"],
            None,
        ),
    ];
    for (what, reply, command, stdout) in cases {
        let server = ScriptedServer::always(reply);
        let home = tempfile::tempdir().unwrap();
        let out = cmd()
            .home(home.path())
            .api(&server)
            .args(&command)
            .write_stdin("stdin-token\n")
            .run();
        no_panic(&out);
        assert_no_raw_controls(&out);
        let printed = format!("{}{}", out.stdout, out.stderr);
        assert!(
            printed.contains("\\u001b") || printed.contains("\\u{1b}"),
            "{what}: the escape is not shown: {out:?}"
        );
        if let Some(stdout) = stdout {
            assert_eq!(out.stdout, stdout, "{what}");
        }
    }

    // rotate's closing note names the old token by the prefix the server gave it.
    let hostile = hostile_prefix.clone();
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token_json(&hostile, "ci")]})),
        "POST" => {
            let mut created = token_json("N3WT0KENPR3F", "ci");
            created["full_token"] = json!("Zm9vYmFyYmF6cXV4");
            Canned::json(200, created)
        }
        _ => Canned::json(200, json!({})),
    });
    let out = cmd().api(&server).args(["rotate", "AB", "--force"]).run();
    out.success()
        .stderr_contains("revoked the old token AB\\u001b");
    assert_no_raw_controls(&out);
}

// ---- 5. every call ends --------------------------------------------------------------

/// Issue 8.5: a body that drips one byte at a time never ends a read timeout, but the
/// whole-call deadline ends the command, saying what was happening.
#[test]
fn a_dripping_body_is_ended_by_the_deadline() {
    let body = json!({ "tokens": [token_json(PREFIX, "ci")] })
        .to_string()
        .into_bytes();
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let server = ScriptedServer::always(Canned::Drip {
        head: head.into_bytes(),
        body,
        every: Duration::from_millis(300),
    });
    let started = Instant::now();
    let out = cmd()
        .api(&server)
        .args(["list", "--request-timeout", "2"])
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("timed out after 2s")
        .stderr_contains("still arriving");
    ended_within(started, 10);
}

/// A create that the deadline ends after it was sent may have made the token: the error
/// says so, as every other failure of a create that reached the server does, so that
/// nobody runs it again blindly and ends up with two.
#[test]
fn a_create_ended_by_the_deadline_may_have_been_carried_out() {
    let body = br#"{"full_token": "YWJjZGVmZ2hpamtsbW5vcA==", "token_prefix": "YWJjZGVmZ2hp"}"#;
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    let dripping = Canned::Drip {
        head: head.into_bytes(),
        body: body.to_vec(),
        every: Duration::from_millis(300),
    };
    let silent = Canned::Delayed(Duration::from_secs(5), Box::new(list_ok()));
    for (answer, what) in [(dripping, "still arriving"), (silent, "no response")] {
        let server = ScriptedServer::always(answer);
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci", "--request-timeout", "1"])
            .run();
        out.code(1).one_line_error();
        out.stderr_contains(what)
            .stderr_contains("the request may have been carried out");
        assert_eq!(server.requests().len(), 1, "sent once");
    }
}

/// Issue 8.5: by default (and with `--deadline`) one deadline covers all of a command's
/// calls, not each: a server that answers every call just inside a per-call bound cannot
/// stretch a `rotate` (a list, a create, a read-back, a revoke) to several times it. Each
/// answer here takes 0.8 s; `--deadline 2` ends the rotation on its third call.
#[test]
fn one_deadline_covers_all_of_a_commands_calls() {
    const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0";
    let server = ScriptedServer::start(|request| {
        let answer = match request.method.as_str() {
            "GET" => list_ok(),
            "POST" => Canned::json(200, json!({"token_prefix": &NEW[..12], "full_token": NEW})),
            _ => Canned::json(200, json!({"message": "revoked"})),
        };
        Canned::Delayed(Duration::from_millis(800), Box::new(answer))
    });
    let started = Instant::now();
    let out = cmd()
        .api(&server)
        .args(["--deadline", "2", "rotate", PREFIX, "-q"])
        .run();
    // The new token is never lost: printed, with the one error line for the old one.
    out.code(1).stdout_contains(NEW);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    out.stderr_contains("timed out")
        .stderr_contains("--deadline");
    let methods: Vec<String> = server.requests().iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["GET", "POST", "DELETE"], "{}", out.stderr);
    ended_within(started, 10);
}

/// Issue 8.5: the time an answer to `avn`'s question takes (read from stdin, as `avn`
/// reads it, after a call has started the command's deadline) is not the server's: the
/// call after it still has the whole deadline (`--deadline 2` here, the answer taken 3 s
/// after the first call).
#[test]
fn an_answer_read_from_stdin_does_not_count_against_the_deadline() {
    let server = ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/organizations" => {
            Canned::json(200, json!({"organizations": [{"organization_id": "o1"}]}))
        }
        _ => Canned::json(200, json!({"message": "revoked"})),
    });
    let mut running = cmd()
        .api(&server)
        .args([
            "--deadline",
            "2",
            "application-user",
            "token",
            "revoke",
            "u1",
            PREFIX,
        ])
        .spawn();
    while server.requests().is_empty() {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
    let mut stdin = running.child.stdin.take().expect("piped stdin");
    stdin.write_all(b"y\n").expect("the answer");
    drop(stdin);
    let out = running.finish();
    out.success();
    assert_eq!(server.requests().len(), 2, "{}", out.stderr);
}

// ---- 7. TLS --------------------------------------------------------------------------

fn tls_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/data/tls")
        .join(name)
}

/// A TLS server on 127.0.0.1 with the test certificate (`tests/it/data/tls`, signed by
/// `ca.pem`, for `api.test.invalid`, `localhost` and `127.0.0.1`) answering every request
/// with a token list. Counts handshakes begun.
struct TlsServer {
    addr: SocketAddr,
    handshakes: Arc<AtomicUsize>,
}

impl TlsServer {
    fn start() -> TlsServer {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(tls_data("server.pem"))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
        let key = PrivateKeyDer::from_pem_file(tls_data("server-key.pem")).unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let counted = handshakes.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                let config = config.clone();
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                    let Ok(connection) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") {
                        match tls.read(&mut byte) {
                            Ok(1) => head.push(byte[0]),
                            _ => return,
                        }
                    }
                    let body = json!({ "tokens": [token_json(PREFIX, "over tls")] }).to_string();
                    let _ = tls.write_all(&raw_response(
                        200,
                        &["content-type: application/json", "connection: close"],
                        body.as_bytes(),
                    ));
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                });
            }
        });
        TlsServer { addr, handshakes }
    }

    fn handshakes(&self) -> usize {
        self.handshakes.load(Ordering::SeqCst)
    }
}

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

// ---- 8, 9. what may be sent ----------------------------------------------------------

/// Issue 8.8: a token is printable ASCII without spaces: anything else is a usage error
/// (exit 2) from every source, nothing is sent, and the token is never shown.
#[test]
fn a_token_with_control_characters_is_a_usage_error_from_every_source() {
    let server = ScriptedServer::always(list_ok());
    let bad = "good-start\u{1b}[2Jsecret-end";
    let sources: Vec<(&str, Cmd)> = vec![
        (
            "--auth-token",
            cmd().url(server.url()).args(["list", "--auth-token", bad]),
        ),
        (
            "AIVEN_AUTH_TOKEN",
            cmd().url(server.url()).token(bad).arg("list"),
        ),
        (
            "stdin",
            cmd()
                .url(server.url())
                .arg("login")
                .write_stdin(format!("{bad}\n")),
        ),
        (
            "tab inside",
            cmd().url(server.url()).token("a\tb-secret-end").arg("list"),
        ),
        (
            "non-ASCII",
            cmd()
                .url(server.url())
                .token("tökén-secret-end")
                .arg("list"),
        ),
        // Controls that Unicode calls whitespace are not trimmed away as spaces are.
        (
            "--auth-token ending in NEL",
            cmd()
                .url(server.url())
                .args(["list", "--auth-token", "good-start-secret-end\u{85}"]),
        ),
        (
            "--auth-token after a vertical tab",
            cmd()
                .url(server.url())
                .args(["list", "--auth-token", "\u{b}good-start-secret-end"]),
        ),
        (
            "AIVEN_AUTH_TOKEN of a NEL",
            cmd().url(server.url()).token("\u{85}").arg("list"),
        ),
    ];
    for (source, command) in sources {
        let out = command.run();
        out.code(2).one_line_error();
        assert!(
            !out.stderr.contains("secret-end"),
            "{source}: the token is shown: {}",
            out.stderr
        );
        assert_no_raw_controls(&out);
    }
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), &json!({ "auth_token": bad }).to_string());
    make_private(&file);
    let out = cmd().home(home.path()).url(server.url()).arg("list").run();
    out.code(2).one_line_error();
    out.stderr_contains("aiven-credentials.json");
    assert!(server.requests().is_empty(), "something was sent");
}

/// Mode 0600, so that no warning about the mode comes before the line a test looks at.
fn make_private(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Issue 8.9: credentials in `--url` would be sent as a second Authorization header.
#[test]
fn credentials_in_the_url_are_refused_before_sending() {
    let server = ScriptedServer::always(list_ok());
    let url = server.url().replace("http://", "http://user:hunter2@");
    let out = cmd().url(&url).token(TOKEN).arg("list").run();
    out.code(2).one_line_error();
    out.stderr_contains("user name or password");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    assert!(server.requests().is_empty());
}

/// Issue 11.5: a URL without a scheme gets a message a person understands.
#[test]
fn a_url_that_is_not_a_url_is_explained() {
    let out = cmd().url("notaurl").token(TOKEN).arg("list").run();
    out.code(2).one_line_error();
    out.stderr_contains("https://api.aiven.io");
}

// ---- 10, 11. local files -------------------------------------------------------------

/// Issue 8.10: `logout` removes and `login` replaces only a credentials file (a regular
/// file holding a JSON object, or an empty one). Anything else at that path — a shell rc
/// file, a symbolic link to one, a directory, a FIFO — is refused and left as it was.
#[cfg(unix)]
#[test]
fn login_and_logout_touch_only_a_credentials_file() {
    let server = ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/me" => Canned::json(200, json!({"user": {"user": "me@example.com"}})),
        _ => Canned::json(200, json!({})),
    });
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("bashrc");
    std::fs::write(&rc, "export PATH=$HOME/bin:$PATH\n").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&rc, &link).unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Cmd::new("mkfifo").arg(&fifo).run().succeeded());
    let sub = dir.path().join("a-directory");
    std::fs::create_dir(&sub).unwrap();
    let at = |path: &Path| cmd().url(server.url()).env("AIVEN_CREDENTIALS_FILE", path);
    for (path, says) in [
        (&rc, "not a JSON object"),
        (&link, "symbolic link"),
        (&fifo, "FIFO"),
        (&sub, "directory"),
    ] {
        let out = at(path).arg("logout").run();
        out.code(1).one_line_error();
        out.stderr_contains(says).stderr_contains("cannot remove");
        let out = at(path).arg("login").write_stdin("fresh-token\n").run();
        out.code(1).one_line_error();
        out.stderr_contains(says).stderr_contains("cannot replace");
    }
    assert_eq!(
        std::fs::read_to_string(&rc).unwrap(),
        "export PATH=$HOME/bin:$PATH\n"
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(fifo.exists() && sub.is_dir());
    assert!(
        server.requests().is_empty(),
        "refused before anything was sent"
    );

    // A credentials file, damaged or not, or an empty one, is ours to replace and remove.
    let file = dir.path().join("creds.json");
    for content in [
        "",
        r#"{"auth_token": ["not", "a", "string"]}"#,
        r#"{"auth_token": "old-token", "other": 1}"#,
    ] {
        std::fs::write(&file, content).unwrap();
        at(&file)
            .arg("login")
            .write_stdin("fresh-token\n")
            .run()
            .success();
        let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(saved["auth_token"], "fresh-token");
        std::fs::write(&file, content).unwrap();
        at(&file)
            .args(["logout", "--no-token-revoke"])
            .run()
            .success();
        assert!(!file.exists());
    }
}

/// Issue 8.11: the credentials file and `--auth-ca` are read only when they are regular
/// files of sane size: `/dev/zero`, a FIFO or a huge file is a fast, clear error.
#[cfg(unix)]
#[test]
fn unreadable_local_files_are_fast_clear_errors() {
    let server = ScriptedServer::always(list_ok());
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Cmd::new("mkfifo").arg(&fifo).run().succeeded());
    let huge = dir.path().join("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    for (path, says) in [
        (Path::new("/dev/zero"), "device"),
        (fifo.as_path(), "FIFO"),
        (huge.as_path(), "larger than"),
        (dir.path(), "directory"),
    ] {
        let started = Instant::now();
        let out = cmd()
            .url(server.url())
            .env("AIVEN_CREDENTIALS_FILE", path)
            .arg("list")
            .run();
        out.code(3).one_line_error();
        out.stderr_contains(says);
        let out = cmd()
            .api(&server)
            .arg("list")
            .arg("--auth-ca")
            .arg(path)
            .run();
        out.code(2).one_line_error();
        out.stderr_contains(says).stderr_contains("CA file");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path:?}: {:?}",
            started.elapsed()
        );
    }
    assert!(server.requests().is_empty());
}

// ---- issue 9: retries and logout -----------------------------------------------------

/// Issue 9.3: 408 Request Timeout is retried, as the official Go client does.
#[test]
fn request_timeout_status_is_retried() {
    let server = ScriptedServer::always(list_ok());
    server.push(Canned::json(408, json!({"message": "request timeout"})));
    cmd().api(&server).arg("list").run().success();
    assert_eq!(server.requests().len(), 2);
}

/// Issue 9.4: a DELETE retried after an answer that was lost or a 5xx, whose retry finds
/// nothing (404), did its job: "Revoked", exit 0, with a note saying so.
#[test]
fn a_retried_revoke_that_finds_nothing_succeeded() {
    for first in [
        Canned::json(503, json!({"message": "busy"})),
        Canned::Hangup,
    ] {
        let server = ScriptedServer::always(Canned::json(404, json!({"message": "Not found"})));
        server.push(first);
        let out = cmd().api(&server).args(["revoke", PREFIX, "--force"]).run();
        out.success();
        assert_eq!(out.stdout, "Revoked\n");
        out.stderr_contains("note:").stderr_contains("carried out");
        assert_eq!(server.requests().len(), 2);
    }
    // Without an earlier attempt, 404 is "not found" (exit 4), as before.
    let server = ScriptedServer::always(Canned::json(404, json!({"message": "Not found"})));
    cmd()
        .api(&server)
        .args(["revoke", PREFIX, "--force"])
        .run()
        .code(4)
        .one_line_error();
}

/// Issue 9.5: `logout` ends the stored token with `POST /v1/me/logout` (authenticated with
/// that token); a server without that endpoint gets the `DELETE` avn 4.18 sends.
#[test]
fn logout_uses_the_logout_endpoint() {
    let stored = "stored-token-value/+=";
    let server = ScriptedServer::always(Canned::json(200, json!({"message": "Logged out"})));
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), &json!({ "auth_token": stored }).to_string());
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .arg("logout")
        .run();
    out.success().stderr_contains("revoked token stored-token");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/me/logout")
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("aivenv1 {stored}").as_str())
    );
    assert!(!file.exists());

    let older = ScriptedServer::start(|request| match request.method.as_str() {
        "POST" => Canned::json(404, json!({"message": "Not found"})),
        _ => Canned::json(200, json!({"message": "Revoked"})),
    });
    write_credentials(home.path(), &json!({ "auth_token": stored }).to_string());
    cmd()
        .home(home.path())
        .url(older.url())
        .arg("logout")
        .run()
        .success();
    let paths: Vec<String> = older
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /v1/me/logout",
            "DELETE /v1/access_token/stored-token-value%2F%2B%3D"
        ]
    );
    assert!(!credentials_file(home.path()).exists());
}

// ---- issue 11: a down server ---------------------------------------------------------

/// Issue 11.4: a refused connection is retried for about 3 s (not the whole budget), with
/// one note saying what is retried and why, then one error saying it was retried.
#[test]
fn a_refused_connection_is_retried_briefly_and_said_once() {
    let addr = unused_address();
    let started = Instant::now();
    let out = cmd()
        .url(format!("http://{addr}"))
        .token(TOKEN)
        .arg("list")
        .run();
    let took = started.elapsed();
    out.code(1);
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("note: ")
            && lines[0].contains("connection refused")
            && lines[0].contains("retrying for up to 3s"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("error: ")
            && lines[1].contains("connection refused")
            && lines[1].contains("retried for"),
        "{lines:?}"
    );
    assert!(
        took >= Duration::from_secs(1) && took < Duration::from_secs(8),
        "{took:?}"
    );
}

/// Issue 11.4: when `--request-timeout` ends the call, the error says what failed before.
#[test]
fn a_timeout_says_what_failed_before_it() {
    let addr = unused_address();
    let out = cmd()
        .url(format!("http://{addr}"))
        .token(TOKEN)
        .args(["list", "--request-timeout", "1"])
        .run();
    out.code(1);
    out.stderr_contains("timed out after 1s")
        .stderr_contains("connection refused, retried for");
}
