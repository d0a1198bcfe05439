//! A fake HTTP proxy on 127.0.0.1 that records what clients send it.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use serde_json::json;

use super::hostile::{PREFIX, raw_response, token_json};

/// A fake proxy on 127.0.0.1: records every byte clients send it. A `CONNECT` is tunnelled
/// to `tunnel_to` (when set, else refused with 403); any other request is answered with a
/// token list, as a forward proxy relaying a cleartext request would.
pub struct FakeProxy {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<u8>>>,
    connections: Arc<AtomicUsize>,
}

impl FakeProxy {
    pub fn start(tunnel_to: Option<SocketAddr>) -> FakeProxy {
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

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    pub fn used(&self) -> bool {
        self.connections.load(Ordering::SeqCst) > 0
    }
}

pub fn proxy_one(mut client: TcpStream, tunnel_to: Option<SocketAddr>, seen: &Mutex<Vec<u8>>) {
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
