//! The sandbox against hostile or unlucky clients (issue 8, items 11–16): slow and idle
//! connections are closed, a body that stalls gets 408, and the server keeps answering.
//! (Hostile and unlucky filesystems are in `sandbox::persistence`.)
//!
//! Time limits are set short through `Options::limits`, never waited out at their defaults.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use avn_token::sandbox::{BackgroundSandbox, Limits, Options};

use crate::support::sandbox::{Api, SANITY};

/// A sandbox whose connections have 400 ms for each stage, `max_connections` at once.
fn with_short_limits(max_connections: usize) -> BackgroundSandbox {
    let limit = Duration::from_millis(400);
    let limits = Limits {
        header_read: limit,
        body_read: limit,
        write_stall: limit,
        max_connections,
    };
    BackgroundSandbox::start(Options {
        limits,
        ..Options::default()
    })
    .expect("start")
}

fn address(sandbox: &BackgroundSandbox) -> SocketAddr {
    sandbox
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("an address")
}

/// A connection that sends `bytes` and then nothing more.
fn stalling(address: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream.write_all(bytes).expect("send");
    stream.set_read_timeout(Some(SANITY)).expect("read timeout");
    stream
}

/// What the server sends until it closes the connection; panics if it does not close it
/// within [`SANITY`].
#[track_caller]
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(error) => panic!("the server did not close the connection: {error}"),
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

#[test]
fn many_slow_clients_do_not_stop_the_server_answering() {
    let sandbox = with_short_limits(8);
    let address = address(&sandbox);
    // More stalled clients than connection slots: half a request line, half the headers.
    let mut slow: Vec<TcpStream> = (0..24)
        .map(|n| {
            let partial: &[u8] = if n % 2 == 0 {
                b"GET /v1/acc"
            } else {
                b"GET /v1/me HTTP/1.1\r\nhost: x\r\n"
            };
            stalling(address, partial)
        })
        .collect();
    let started = Instant::now();
    let tokens = Api::new(&sandbox.url(), sandbox.token().expose()).list();
    assert_eq!(tokens.len(), 1);
    assert!(started.elapsed() < SANITY, "{:?}", started.elapsed());
    // Every stalled client was closed, without an answer to its half request.
    for stream in &mut slow {
        let answer = read_until_closed(stream);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
}

#[test]
fn idle_keep_alive_connections_are_closed() {
    let sandbox = with_short_limits(64);
    let request = format!(
        "GET /v1/me HTTP/1.1\r\nhost: x\r\nauthorization: aivenv1 {}\r\n\r\n",
        sandbox.token().expose()
    );
    let mut stream = stalling(address(&sandbox), request.as_bytes());
    let started = Instant::now();
    // One answer, then the connection idles until the server closes it.
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn a_body_that_stalls_gets_408_and_the_connection_closes() {
    let sandbox = with_short_limits(64);
    let head = format!(
        "POST /v1/access_token HTTP/1.1\r\nhost: x\r\nauthorization: aivenv1 {}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"descr",
        sandbox.token().expose()
    );
    let mut stream = stalling(address(&sandbox), head.as_bytes());
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("\"error_code\":\"request_timeout\""),
        "{answer}"
    );
    assert_eq!(
        Api::new(&sandbox.url(), sandbox.token().expose())
            .list()
            .len(),
        1,
        "nothing was created"
    );
}
