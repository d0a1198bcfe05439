//! The fake Aiven API: a scripted HTTP/1.1 server on 127.0.0.1:0 for what the sandbox cannot
//! produce (exact canned responses for byte-for-byte comparisons with `avn`, faults, hostile
//! bodies). It records every request it receives.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Raw request target, still percent-encoded.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the server had read the whole request (to measure waits between retries).
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

/// What the fake API does with one request: a canned response, or a fault. (What a test's
/// client receives from the sandbox is a different thing: [`super::sandbox::Answer`].)
#[derive(Debug, Clone)]
pub enum Canned {
    /// A normal response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Claim `declared` bytes of body but send only `body`, then hang up.
    Truncated {
        status: u16,
        declared: usize,
        body: Vec<u8>,
    },
    /// Accept the request, then close the connection without answering.
    Hangup,
    /// Send these bytes as they are (status line, headers and body, well-formed or not),
    /// then close the connection.
    Raw(Vec<u8>),
    /// Send `head` (status line and headers), then `body` one byte every `every`.
    Drip {
        head: Vec<u8>,
        body: Vec<u8>,
        every: Duration,
    },
    /// Wait, then answer.
    Delayed(Duration, Box<Canned>),
}

impl Canned {
    pub fn json(status: u16, body: serde_json::Value) -> Canned {
        Canned::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn raw(status: u16, content_type: &str, body: &[u8]) -> Canned {
        Canned::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.to_vec(),
        }
    }

    pub fn with_header(self, name: &str, value: &str) -> Canned {
        match self {
            Canned::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Canned::Respond {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

type Handler = dyn Fn(&Request) -> Canned + Send + Sync;

/// A tiny HTTP/1.1 server on 127.0.0.1:0. Replies come from a queue (`push`) first, then
/// from the fallback handler. One request per connection (`connection: close`).
pub struct ScriptedServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    queue: Arc<Mutex<VecDeque<Canned>>>,
}

impl ScriptedServer {
    pub fn start(fallback: impl Fn(&Request) -> Canned + Send + Sync + 'static) -> ScriptedServer {
        ScriptedServer::start_on("127.0.0.1:0".parse().unwrap(), fallback)
    }

    /// A server on a chosen loopback address (e.g. a port a client is already retrying).
    /// An address from [`unused_address`] is taken over from its reservation.
    pub fn start_on(
        addr: SocketAddr,
        fallback: impl Fn(&Request) -> Canned + Send + Sync + 'static,
    ) -> ScriptedServer {
        let listener = match reserved::listen(addr) {
            Some(listener) => listener,
            None => TcpListener::bind(addr).expect("bind loopback"),
        };
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let queue: Arc<Mutex<VecDeque<Canned>>> = Arc::new(Mutex::new(VecDeque::new()));
        let handler: Arc<Handler> = Arc::new(fallback);
        {
            let (log, queue) = (log.clone(), queue.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let (log, queue, handler) = (log.clone(), queue.clone(), handler.clone());
                    thread::spawn(move || serve(stream, &log, &queue, &*handler));
                }
            });
        }
        ScriptedServer { addr, log, queue }
    }

    /// A server answering every request with the same reply.
    pub fn always(reply: Canned) -> ScriptedServer {
        ScriptedServer::start(move |_| reply.clone())
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answer the next request with `reply` (before the fallback).
    pub fn push(&self, reply: Canned) {
        self.queue.lock().unwrap().push_back(reply);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    /// Wait (polling, at most `limit`) until the server has seen `count` requests.
    pub fn wait_for_requests(&self, count: usize, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if self.log.lock().unwrap().len() >= count {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.log.lock().unwrap().len() >= count
    }
}

/// A loopback address nothing listens on: connections to it are refused, for the rest of
/// the run or until [`ScriptedServer::start_on`] listens there. On Windows a refused
/// connection takes about two seconds ([`REFUSED_AT_ONCE`]), so tests of the refused path
/// never allow one attempt less than that.
///
/// Where [`HOLD_THE_PORT`], the port stays bound by this process, by a socket that never
/// listens: released, it could be handed to another test's server in the seconds a test
/// spends being refused, and that test would then reach a server. Elsewhere it is bound,
/// then released.
pub fn unused_address() -> SocketAddr {
    reserved::address()
}

/// Whether a connection to an [`unused_address`] is refused at once: on Linux and macOS, a
/// reset; Windows tries twice more before it reports the refusal, about two seconds later.
pub const REFUSED_AT_ONCE: bool = !cfg!(windows);

/// Whether a socket bound but never listening is refused as a closed port is, so that
/// [`unused_address`] may keep its port. Linux answers a connection to it with a reset at
/// once. macOS does not: XNU finds the bound socket, sees it CLOSED and drops the SYN
/// without a reset (`tcp_input`), so the client would wait, not be refused. Windows is not
/// relied on either.
const HOLD_THE_PORT: bool = cfg!(target_os = "linux");

/// Loopback ports held by sockets bound but not listening (see [`unused_address`]).
mod reserved {
    use std::net::{Ipv4Addr, SocketAddr, TcpListener};
    use std::sync::Mutex;

    use socket2::{Domain, Socket, Type};

    static HELD: Mutex<Vec<(SocketAddr, Socket)>> = Mutex::new(Vec::new());

    /// A new port on 127.0.0.1, held until [`listen`] takes it where
    /// [`super::HOLD_THE_PORT`], else released at once.
    pub(super) fn address() -> SocketAddr {
        // socket2 makes it close-on-exec (Unix) or not inherited (Windows): a child
        // process never holds the port.
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
        let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        socket.bind(&any_port.into()).expect("bind a loopback port");
        let address = socket
            .local_addr()
            .ok()
            .and_then(|address| address.as_socket())
            .expect("the bound address");
        if super::HOLD_THE_PORT {
            held().push((address, socket));
        }
        address
    }

    /// Listen on `address` if it is held here: the listener a server takes it over with.
    pub(super) fn listen(address: SocketAddr) -> Option<TcpListener> {
        let mut held = held();
        let at = held.iter().position(|(reserved, _)| *reserved == address)?;
        let (_, socket) = held.swap_remove(at);
        socket
            .listen(128)
            .unwrap_or_else(|error| panic!("listen on {address}: {error}"));
        Some(socket.into())
    }

    fn held() -> std::sync::MutexGuard<'static, Vec<(SocketAddr, Socket)>> {
        HELD.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn serve(
    mut stream: TcpStream,
    log: &Mutex<Vec<Request>>,
    queue: &Mutex<VecDeque<Canned>>,
    handler: &Handler,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    log.lock().unwrap().push(request.clone());
    let reply = queue
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| handler(&request));
    send(&mut stream, reply);
}

fn send(stream: &mut TcpStream, reply: Canned) {
    match reply {
        Canned::Respond {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Canned::Truncated {
            status,
            declared,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\nconnection: close\r\n\r\n",
                reason(status)
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Canned::Hangup => {}
        Canned::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Canned::Drip { head, body, every } => {
            let _ = stream.write_all(&head);
            for byte in body {
                thread::sleep(every);
                if stream.write_all(&[byte]).is_err() {
                    break;
                }
            }
        }
        Canned::Delayed(wait, reply) => {
            thread::sleep(wait);
            send(stream, *reply);
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines.filter_map(parse_header).collect();
    let length: usize = find_header(&headers, "content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(Request {
        method,
        path,
        headers,
        body,
        at: Instant::now(),
    })
}

/// One `Name: value` header line as `(name in lower case, value)`. (Shared with the raw
/// client in `sandbox`.)
pub(super) fn parse_header(line: &str) -> Option<(String, String)> {
    let (name, value) = line.split_once(':')?;
    Some((name.trim().to_ascii_lowercase(), value.trim().to_owned()))
}

/// A header's value, by its name in any case.
pub(super) fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}
