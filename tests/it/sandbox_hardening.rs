//! The sandbox against hostile or unlucky clients and filesystems (issue 8, items 11–16):
//! slow and idle connections are closed and the server keeps answering; a second sandbox
//! cannot share a state file; a failed save changes nothing; `--state` through a symlink
//! writes the target; stale temporary files are removed; only regular files are read.
//!
//! Time limits are set short through `Options::limits`, never waited out at their defaults.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use avn_token::sandbox::{BackgroundSandbox, Limits, Options};
use avn_token::secret::Secret;

use crate::support::sandbox::{Api, SandboxProcess, seeded_state, state_tokens};
use crate::support::{Run, cmd};

/// Generous bound for anything that should take a fraction of it (a noisy machine).
const SANITY: Duration = Duration::from_secs(20);

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

fn state_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// `avn-token sandbox --state PATH`, expected to fail at start-up: its end, or a panic if
/// it is still running after [`SANITY`] (it started serving).
#[track_caller]
fn sandbox_on(path: &Path) -> Run {
    let mut running = cmd().args(["sandbox", "--state"]).arg(path).spawn();
    let deadline = Instant::now() + SANITY;
    while running.child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = running.child.kill();
            panic!(
                "the sandbox started on {path:?}: {}",
                running.finish().stderr
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    running.finish()
}

#[cfg(unix)]
#[test]
fn a_second_sandbox_on_the_same_state_file_refuses_to_start() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("state.json", &link).expect("symlink");
    let first = SandboxProcess::start(&["--state", state.to_str().expect("utf-8")]);
    for path in [&state, &link] {
        let second = sandbox_on(path);
        second.code(1).one_line_error();
        second.stderr_contains("in use by another sandbox");
        second.stderr_contains("(process ");
    }
    // The first one is untouched and still works.
    first.api().get("/v1/me").ok();
    let session = first.token.clone();
    assert_eq!(first.terminate(), Some(0));
    let again = SandboxProcess::start(&["--state", state.to_str().expect("utf-8")]);
    assert_eq!(
        again.token, session,
        "free again once the first has stopped"
    );
}

#[test]
fn a_failed_save_changes_nothing() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let sandbox = BackgroundSandbox::start(Options {
        state: Some(state.clone()),
        ..Options::default()
    })
    .expect("start");
    let mut api = Api::new(&sandbox.url(), sandbox.token().expose());
    let kept = api.create(r#"{"description":"kept"}"#);
    let kept_prefix = kept["token_prefix"].as_str().expect("prefix").to_owned();

    // Every save fails from now on (as on a full disk; this works for root too): the state
    // file's path is taken by a directory the rename cannot replace.
    std::fs::remove_file(&state).expect("remove the state file");
    std::fs::create_dir(&state).expect("a directory in its place");
    std::fs::write(state.join("occupied"), b"x").expect("not empty");

    let (message, code) = api
        .send(
            "POST",
            "/v1/access_token",
            Some(r#"{"description":"lost"}"#),
        )
        .error_with_code(503);
    assert_eq!(code, "state_not_saved");
    assert!(message.contains("nothing was changed"), "{message}");
    api.revoke(&kept_prefix).error(503);
    let path = crate::support::sandbox::token_path(&kept_prefix);
    api.send("PUT", &path, Some(r#"{"description":"renamed"}"#))
        .error(503);
    let org = api.get("/v1/organizations").ok()["organizations"][0]["organization_id"]
        .as_str()
        .expect("org")
        .to_owned();
    let users = format!("/v1/organization/{org}/application-users");
    api.send("POST", &users, Some(r#"{"name":"lost"}"#))
        .error(503);

    let tokens = api.list();
    let descriptions: Vec<&str> = tokens
        .iter()
        .filter_map(|t| t["description"].as_str())
        .collect();
    assert_eq!(descriptions.len(), 2, "{descriptions:?}");
    assert!(descriptions.contains(&"kept"), "not renamed, not revoked");
    assert!(!descriptions.contains(&"lost"));
    let no_users = api.get(&users).ok();
    assert_eq!(no_users["application_users"], serde_json::json!([]));

    // Space again: the next change is saved, and the failed ones never count (quota).
    std::fs::remove_dir_all(&state).expect("free the path");
    for n in 0..9 {
        api.create(&format!(r#"{{"description":"after {n}"}}"#));
    }
    assert_eq!(api.list().len(), 11);
    let saved = state_tokens(&state);
    assert_eq!(saved.len(), 11);
    assert!(saved.iter().any(|t| t.starts_with(&kept_prefix)));
}

#[cfg(unix)]
#[test]
fn state_through_a_symlink_writes_the_target_and_keeps_the_link() {
    let dir = state_dir();
    std::fs::create_dir(dir.path().join("real")).expect("mkdir");
    let link = dir.path().join("state.json");
    let target = dir.path().join("real/target.json");
    // Dangling at first: the sandbox creates the file where the link points.
    std::os::unix::fs::symlink("real/target.json", &link).expect("symlink");
    let options = || Options {
        state: Some(link.clone()),
        token: Some(Secret::new("symlink/session+token=")),
        ..Options::default()
    };
    let full = {
        let sandbox = BackgroundSandbox::start(options()).expect("start");
        let mut api = Api::new(&sandbox.url(), sandbox.token().expose());
        let created = api.create(r#"{"description":"through the link"}"#);
        created["full_token"].as_str().expect("t").to_owned()
    };
    let meta = std::fs::symlink_metadata(&link).expect("the link");
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert!(state_tokens(&target).contains(&full));
    let sandbox = BackgroundSandbox::start(options()).expect("restart");
    Api::new(&sandbox.url(), &full).get("/v1/me").ok();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names.len(),
        2,
        "nothing but the link and the directory: {names:?}"
    );
}

#[test]
fn stale_temporary_files_of_ours_are_removed_at_start() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    std::fs::write(&state, seeded_state(&[("stale/temp+session=", false)])).expect("state");
    let file = |name: &str| dir.path().join(name);
    let ours = [".state.json.4242.0.tmp", ".state.json.1.17.tmp"];
    let others = [
        ".state.json.bak",
        ".state.json.x.0.tmp",
        ".other.json.1.0.tmp",
        "state.json.1.0.tmp",
        "notes.txt",
    ];
    for name in ours.iter().chain(&others) {
        std::fs::write(file(name), b"a full token, perhaps").expect("write");
    }
    let sandbox = BackgroundSandbox::start(Options {
        state: Some(state.clone()),
        token: Some(Secret::new("stale/temp+session=")),
        ..Options::default()
    })
    .expect("start");
    for name in ours {
        assert!(!file(name).exists(), "{name} was left");
    }
    for name in others {
        assert!(file(name).exists(), "{name} was removed");
    }
    drop(sandbox);
}

#[cfg(unix)]
#[test]
fn only_a_regular_file_of_bounded_size_is_read_as_state() {
    let dir = state_dir();
    let fifo = dir.path().join("fifo.json");
    crate::support::Cmd::new("mkfifo")
        .arg(&fifo)
        .run()
        .success();
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(257 * 1024 * 1024))
        .expect("a sparse file");
    let cases: [(PathBuf, &str); 4] = [
        (fifo, "not a regular file"),
        (PathBuf::from("/dev/zero"), "not a regular file"),
        (dir.path().to_owned(), "not a regular file"),
        (huge, "larger than"),
    ];
    for (path, why) in cases {
        let started = Instant::now();
        let out = sandbox_on(&path);
        out.code(1).one_line_error();
        out.stderr_contains(why);
        assert!(started.elapsed() < SANITY, "{path:?} hung");
    }
    assert!(
        !Path::new("/dev/.zero.lock").exists(),
        "nothing created beside a device"
    );
}

/// `STATE=$(mktemp); avn-token sandbox --state "$STATE"`: an empty file is a first start (no
/// token can be lost: every save replaces the file whole, so a state the sandbox wrote is
/// never empty), and it holds the sandbox's tokens from then on.
#[test]
fn an_empty_state_file_is_a_first_start() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    std::fs::write(&state, b"").expect("an empty file, as mktemp makes");
    let path = state.to_str().expect("utf-8");
    let sandbox = SandboxProcess::start(&["--state", path]);
    let full = sandbox.api().create(r#"{"description":"kept"}"#)["full_token"]
        .as_str()
        .expect("full_token")
        .to_owned();
    assert_eq!(sandbox.terminate(), Some(0));
    assert!(state_tokens(&state).contains(&full));
    let again = SandboxProcess::start(&["--state", path]);
    let listed = again.api().list();
    assert!(
        listed.iter().any(|t| t["description"] == "kept"),
        "{listed:?}"
    );
}
