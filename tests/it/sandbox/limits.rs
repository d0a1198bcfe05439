//! The sandbox under clients that never present a valid token (issue 18 item 7): they get
//! their 403s, but cannot hold its connection slots or its memory, and a legitimate client
//! is served while they are connected. Loopback only, bounded loops, limits set short
//! through the options users have (`--max-connections`, `--client-timeout`); nothing here
//! asserts how long anything took.

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::support::gnu_time::{gnu_time, peak_kib_in};
use crate::support::sandbox::{Http, SandboxProcess};
use crate::support::{Cmd, bin};

/// Slots the sandbox serves at once in these tests; twice as many hostile clients.
const SLOTS: &str = "4";
const HOSTILE_CLIENTS: usize = 8;
/// Requests each hostile client makes at most: the loops end when the test has its answer
/// (or fails), this only bounds them.
const MAX_HOSTILE_REQUESTS: usize = 100_000;

/// Sets its flag when dropped: hostile clients stop however the test ends.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// A client sending `GET /v1/me` with a wrong token, `pause` apart, on one connection
/// while the sandbox keeps it open (then on a new one), until `stop`; it counts itself in
/// `answered` at its first answer. It returns how many 403s it got and how many times its
/// connection was closed under it.
fn hostile(
    url: String,
    pause: Duration,
    answered: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> JoinHandle<(usize, usize)> {
    std::thread::spawn(move || {
        let mut http = Http::new(&url);
        let (mut refused, mut closed) = (0, 0);
        for _ in 0..MAX_HOSTILE_REQUESTS {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            match http.call("GET", "/v1/me", Some("not-a-valid-token"), None) {
                Ok(answer) => {
                    assert_eq!(answer.status, 403, "{:?}", answer.body);
                    if refused == 0 {
                        answered.fetch_add(1, Ordering::Relaxed);
                    }
                    refused += 1;
                }
                // The sandbox closed the connection: the next call opens a new one.
                Err(_) => closed += 1,
            }
            std::thread::sleep(pause);
        }
        (refused, closed)
    })
}

/// Start [`HOSTILE_CLIENTS`] hostile clients against `sandbox`, wait until they hold its
/// slots (each has been answered), then list tokens as a legitimate client: that must be
/// served. Returns the closes the hostile clients saw.
fn served_among_hostile_clients(sandbox: &SandboxProcess, pause: Duration) -> usize {
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(stop.clone());
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..HOSTILE_CLIENTS)
        .map(|_| hostile(sandbox.url.clone(), pause, answered.clone(), stop.clone()))
        .collect();
    // Every slot is taken once as many clients as there are slots have been answered.
    let slots: usize = SLOTS.parse().expect("a number");
    for _ in 0..3_000 {
        if answered.load(Ordering::Relaxed) >= slots {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        answered.load(Ordering::Relaxed) >= slots,
        "the hostile clients got in"
    );
    // The legitimate client: its connection waits for a slot, its read for the answer
    // (bounded by the support client's 30-second timeout).
    let tokens = sandbox.api().list();
    stop.store(true, Ordering::Relaxed);
    assert_eq!(tokens.len(), 1, "the session token");
    let mut closes = 0;
    for client in clients {
        let (refused, closed) = client.join().expect("a hostile client");
        assert!(refused > 0, "each hostile client was answered");
        closes += closed;
    }
    closes
}

#[test]
fn connections_that_never_authenticate_are_closed_after_the_client_timeout() {
    // A refused request every 2 s keeps each connection busy for hyper's idle timeout (4 s),
    // and 16 of them (the cap on refused requests in a row) take 32 s: longer than the
    // legitimate client waits. Only the time bound frees the slots in time.
    let sandbox = SandboxProcess::start(&["--max-connections", SLOTS, "--client-timeout", "4"]);
    let closes = served_among_hostile_clients(&sandbox, Duration::from_secs(2));
    assert!(closes > 0, "hostile connections were closed");
}

#[test]
fn connections_that_make_only_refused_requests_are_closed_after_a_run_of_them() {
    // Refused requests as fast as they are answered, and a client timeout longer than the
    // legitimate client waits: only the cap on refused requests in a row frees the slots.
    let sandbox = SandboxProcess::start(&["--max-connections", SLOTS, "--client-timeout", "120"]);
    let closes = served_among_hostile_clients(&sandbox, Duration::ZERO);
    assert!(closes > 0, "hostile connections were closed");
}

#[test]
fn the_last_refused_request_of_a_run_says_the_connection_closes() {
    let sandbox = SandboxProcess::start(&[]);
    let mut http = Http::new(&sandbox.url);
    let answers: Vec<_> = (0..16)
        .map(|_| {
            http.call("GET", "/v1/access_token", Some("wrong"), None)
                .expect("an answer")
        })
        .collect();
    for answer in &answers[..15] {
        answer.error(403);
        assert_eq!(answer.header("connection"), None, "kept open");
    }
    answers[15].error(403);
    assert_eq!(answers[15].header("connection"), Some("close"));
    assert!(
        http.call("GET", "/v1/access_token", Some("wrong"), None)
            .is_err(),
        "closed after the 16th"
    );
    // An authenticated request in between starts the count again.
    let mut api = sandbox.api();
    for _ in 0..3 {
        for _ in 0..15 {
            let refused = api
                .http
                .call("GET", "/v1/me", Some("wrong"), None)
                .expect("an answer");
            assert_eq!(refused.header("connection"), None, "kept open");
        }
        api.get("/v1/me").ok();
    }
}

/// Clients sending a body each without a valid token, all at once.
const BIG_BODY_CLIENTS: usize = 300;
/// The body each of them announces and tries to send.
const BIG_BODY_BYTES: usize = 1024 * 1024;
/// Peak resident memory allowed for the sandbox meanwhile. It serves in about 5 MiB; when
/// it read bodies before authenticating, these clients took it to over 300 MiB.
const PEAK_LIMIT_KIB: u64 = 64 * 1024;

#[test]
fn clients_without_a_valid_token_sending_big_bodies_take_little_memory() {
    // Said as a skip where there is no GNU time (macOS's own `time` is BSD's).
    let Some(time) = gnu_time() else {
        return;
    };
    let report = tempfile::NamedTempFile::new().expect("a report file");
    let mut measured = Cmd::new(time)
        .args(["-f", "%M", "-o"])
        .arg(report.path())
        .arg(bin())
        .args(["sandbox", "--shell", "posix"])
        .spawn();
    let variables = read_variables(&mut measured.child);
    let url = variables["AIVEN_WEB_URL"].clone();
    let address: std::net::SocketAddr = url
        .trim_start_matches("http://")
        .parse()
        .expect("an address");

    // Every client announces a body of 1 MiB and pushes as much of it as the sandbox takes.
    let head = format!(
        "POST /v1/access_token HTTP/1.1\r\nhost: {address}\r\nauthorization: aivenv1 wrong\r\n\
         content-type: application/json\r\ncontent-length: {BIG_BODY_BYTES}\r\n\r\n"
    );
    let mut clients: Vec<(TcpStream, usize)> = (0..BIG_BODY_CLIENTS)
        .map(|_| {
            let mut stream = TcpStream::connect(address).expect("connect");
            stream.write_all(head.as_bytes()).expect("send the head");
            stream.set_nonblocking(true).expect("non-blocking");
            (stream, 0)
        })
        .collect();
    let chunk = vec![b' '; 64 * 1024];
    // Rounds until every body is sent or refused (the bound is only a backstop).
    for _ in 0..10_000 {
        let mut pending = false;
        for (stream, sent) in clients
            .iter_mut()
            .filter(|(_, sent)| *sent < BIG_BODY_BYTES)
        {
            let room = (BIG_BODY_BYTES - *sent).min(chunk.len());
            match stream.write(&chunk[..room]) {
                Ok(n) => *sent += n,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
                // Refused and closed by the sandbox: this client is done.
                Err(_) => *sent = BIG_BODY_BYTES,
            }
            pending |= *sent < BIG_BODY_BYTES;
        }
        if !pending {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }

    // With all of them still connected, a legitimate client is served.
    let token = variables["AIVEN_AUTH_TOKEN"].clone();
    let listed = crate::support::sandbox::Api::new(&url, &token).list();
    assert_eq!(listed.len(), 1);
    drop(clients);

    Cmd::new("kill")
        .arg(&variables["AVN_TOKEN_SANDBOX_PID"])
        .run()
        .success();
    let run = measured.finish();
    assert!(run.succeeded(), "{}", run.stderr);
    let text = std::fs::read_to_string(report.path()).expect("GNU time's report");
    let peak_kib = peak_kib_in(&text).expect("a peak in GNU time's report");
    assert!(
        peak_kib < PEAK_LIMIT_KIB,
        "peak {peak_kib} KiB with {BIG_BODY_CLIENTS} clients without a valid token"
    );
}

/// The variables a serving sandbox printed (`export NAME=VALUE` lines), by name. Read line
/// by line, not to the end: the sandbox lets go of its stdout after them, but GNU time,
/// which shares it, does not.
fn read_variables(child: &mut std::process::Child) -> std::collections::HashMap<String, String> {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut variables = std::collections::HashMap::new();
    for line in std::io::BufReader::new(stdout).lines().take(3) {
        let line = line.expect("a line of variables");
        if let Some((name, value)) = line
            .strip_prefix("export ")
            .and_then(|assignment| assignment.split_once('='))
        {
            variables.insert(name.to_owned(), value.trim_matches('\'').to_owned());
        }
    }
    variables
}
