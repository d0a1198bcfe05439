//! Support for the sandbox tests: a tiny blocking HTTP/1.1 client (exact bytes on the wire,
//! keep-alive, no retries that could hide an error) with checks of the API's error shape,
//! `avn-token sandbox` as a child process, and the API calls several test files make.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ChildStdout;
use std::sync::mpsc;
use std::time::Duration;

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use super::server::{find_header, parse_header};
use super::{Cmd, Run, Running, cmd};

/// Every blocking read in these tests gives up after this long rather than hang CI.
pub const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// What the raw client received from the sandbox: status, headers (names in lower case),
/// body. (What the fake API sends is [`super::server::Canned`].)
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "HTTP {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// A 2xx answer's JSON.
    #[track_caller]
    pub fn ok(&self) -> Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got HTTP {}: {}",
            self.status,
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }

    /// The API's error shape with this status; the message.
    #[track_caller]
    pub fn error(&self, status: u16) -> String {
        self.error_with_code(status).0
    }

    /// The API's error shape with this status; the message and the `error_code`.
    #[track_caller]
    pub fn error_with_code(&self, status: u16) -> (String, String) {
        assert_eq!(
            self.status,
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let body = self.json();
        let message = body["message"].as_str().expect("a message").to_owned();
        assert!(!message.is_empty());
        assert_eq!(body["errors"][0]["message"], Value::from(message.as_str()));
        assert_eq!(body["errors"][0]["status"], Value::from(status));
        let code = body["errors"][0]["error_code"]
            .as_str()
            .expect("an error_code")
            .to_owned();
        assert!(!code.is_empty());
        (message, code)
    }

    /// `204 No Content`, with no body.
    #[track_caller]
    pub fn no_content(&self) {
        assert_eq!(
            self.status,
            204,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert!(self.body.is_empty());
    }
}

/// A keep-alive connection to one server.
pub struct Http {
    address: SocketAddr,
    connection: Option<BufReader<TcpStream>>,
    pub user_agent: String,
}

impl Http {
    pub fn new(url: &str) -> Http {
        let address = url
            .strip_prefix("http://")
            .and_then(|rest| rest.parse().ok())
            .unwrap_or_else(|| panic!("not an http://IP:PORT url: {url}"));
        Http {
            address,
            connection: None,
            user_agent: "sandbox-tests/1.0".into(),
        }
    }

    /// One request; `token` goes into `Authorization: aivenv1 TOKEN`.
    pub fn call(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> std::io::Result<Answer> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nuser-agent: {}\r\n",
            self.address, self.user_agent
        );
        if let Some(token) = token {
            head.push_str(&format!("authorization: aivenv1 {token}\r\n"));
        }
        let body = body.unwrap_or_default();
        if !body.is_empty() || method == "POST" || method == "PUT" {
            head.push_str(&format!(
                "content-type: application/json\r\ncontent-length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body);
        self.raw(head.as_bytes())
    }

    /// Send these exact bytes as one request and read the answer.
    pub fn raw(&mut self, request: &[u8]) -> std::io::Result<Answer> {
        if self.connection.is_none() {
            let stream = TcpStream::connect_timeout(&self.address, IO_TIMEOUT)?;
            stream.set_read_timeout(Some(IO_TIMEOUT))?;
            stream.set_write_timeout(Some(IO_TIMEOUT))?;
            stream.set_nodelay(true)?;
            self.connection = Some(BufReader::new(stream));
        }
        let outcome = match self.connection.as_mut() {
            Some(connection) => exchange(connection, request),
            None => unreachable!("connected above"),
        };
        if outcome.is_err() {
            self.connection = None;
        }
        outcome
    }
}

fn exchange(connection: &mut BufReader<TcpStream>, request: &[u8]) -> std::io::Result<Answer> {
    connection.get_mut().write_all(request)?;
    let mut line = String::new();
    connection.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        line.clear();
        connection.read_line(&mut line)?;
        let text = line.trim_end();
        if text.is_empty() {
            break;
        }
        headers.extend(parse_header(text));
    }
    let length: usize = match find_header(&headers, "content-length") {
        Some(value) => value
            .parse()
            .map_err(|_| std::io::Error::other("bad content-length in the answer"))?,
        // 204 and 304 have no body, and need no length.
        None if status == 204 || status == 304 => 0,
        None => return Err(std::io::Error::other("no content-length in the answer")),
    };
    let mut body = vec![0; length];
    connection.read_exact(&mut body)?;
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// An API client bound to one token: `api.get("/v1/me")`.
pub struct Api {
    pub http: Http,
    pub token: String,
}

impl Api {
    pub fn new(url: &str, token: &str) -> Api {
        Api {
            http: Http::new(url),
            token: token.to_owned(),
        }
    }

    #[track_caller]
    pub fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> Answer {
        let token = self.token.clone();
        self.http
            .call(method, path, Some(&token), body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    #[track_caller]
    pub fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, None)
    }

    #[track_caller]
    pub fn list(&mut self) -> Vec<Value> {
        match self.get("/v1/access_token").ok()["tokens"].take() {
            Value::Array(tokens) => tokens,
            other => panic!("tokens is not a list: {other}"),
        }
    }

    /// Create a token; its full JSON (with `full_token`).
    #[track_caller]
    pub fn create(&mut self, body: &str) -> Value {
        self.send("POST", "/v1/access_token", Some(body)).ok()
    }

    #[track_caller]
    pub fn revoke(&mut self, prefix: &str) -> Answer {
        self.send("DELETE", &token_path(prefix), None)
    }
}

/// `/v1/access_token/{prefix}` with the prefix percent-encoded as one segment.
pub fn token_path(prefix: &str) -> String {
    let mut path = String::from("/v1/access_token/");
    for byte in prefix.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

/// A `sandbox` child process serving in the background, killed when dropped.
pub struct SandboxProcess {
    process: Running,
    pub url: String,
    pub token: String,
    /// The two export lines as printed.
    pub exports: String,
}

impl SandboxProcess {
    /// Start `avn-token sandbox ARGS` and read its export lines (bounded by [`IO_TIMEOUT`]).
    #[track_caller]
    pub fn start(args: &[&str]) -> SandboxProcess {
        // POSIX lines, which are read below, on every platform (Windows prints PowerShell's).
        let mut process = cmd()
            .args(["sandbox", "--shell", "posix"])
            .args(args)
            .spawn();
        let stdout = process.child.stdout.take().expect("piped stdout");
        let exports = match read_lines(stdout, 2).recv_timeout(IO_TIMEOUT) {
            Ok(Ok(lines)) => lines,
            outcome => {
                let _ = process.child.kill();
                panic!(
                    "the sandbox printed no exports ({outcome:?}); stderr: {}",
                    process.finish().stderr
                );
            }
        };
        let value = |name: &str| {
            exports
                .lines()
                .find_map(|line| line.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("no {name} in {exports:?}"))
                .trim_matches('\'')
                .to_owned()
        };
        SandboxProcess {
            url: value("AIVEN_WEB_URL"),
            token: value("AIVEN_AUTH_TOKEN"),
            exports: exports.clone(),
            process,
        }
    }

    pub fn api(&self) -> Api {
        Api::new(&self.url, &self.token)
    }

    /// SIGTERM, then the exit code (bounded by [`IO_TIMEOUT`]). Unix only (see
    /// `support::platform`); [`SandboxProcess::stop`] works everywhere.
    #[track_caller]
    pub fn terminate(mut self) -> Option<i32> {
        super::send_signal(&self.process.child, "TERM");
        let deadline = std::time::Instant::now() + IO_TIMEOUT;
        loop {
            if let Some(status) = self.process.child.try_wait().expect("wait for the sandbox") {
                return status.code();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the sandbox did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stop it as a user would, and check it ended well: SIGTERM (the final flush runs)
    /// where there are signals; elsewhere a kill (every acknowledged change is on disk
    /// before its answer).
    #[track_caller]
    pub fn stop(self) {
        #[cfg(unix)]
        assert_eq!(self.terminate(), Some(0), "the sandbox stopped cleanly");
        #[cfg(not(unix))]
        self.kill();
    }

    /// SIGKILL: no chance to clean up or flush.
    pub fn kill(mut self) {
        self.process.child.kill().expect("SIGKILL the sandbox");
        self.process.child.wait().expect("reap it");
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.process.child.kill();
        let _ = self.process.child.wait();
    }
}

/// The first `count` lines of `stdout`, read on a thread so the caller can time out.
fn read_lines(stdout: ChildStdout, count: usize) -> mpsc::Receiver<std::io::Result<String>> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut lines = String::new();
        let mut outcome = Ok(());
        for _ in 0..count {
            match reader.read_line(&mut lines) {
                Ok(0) => {
                    outcome = Err(std::io::Error::other("stdout closed"));
                    break;
                }
                Ok(_) => {}
                Err(error) => {
                    outcome = Err(error);
                    break;
                }
            }
        }
        let _ = sender.send(outcome.map(|()| lines));
        // Keep draining so the sandbox never blocks on a full pipe.
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    receiver
}

/// A state file holding these `(full_token, created_manually)` tokens, none expiring, in
/// the first version of the format (the sandbox still reads it).
pub fn seeded_state(tokens: &[(&str, bool)]) -> String {
    let tokens: Vec<Value> = tokens
        .iter()
        .map(|(value, manual)| {
            serde_json::json!({
                "full_token": value,
                "create_time": "2024-01-02T03:04:05.123456Z",
                "created_manually": manual,
                "description": format!("seeded {value}"),
                "expiry_time": null,
                "extend_when_used": false,
                "max_age_seconds": null,
            })
        })
        .collect();
    serde_json::json!({"format": "avn-token-sandbox-state", "version": 1, "tokens": tokens})
        .to_string()
}

/// The full tokens in a state file (which must be valid).
#[track_caller]
pub fn state_tokens(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).expect("read the state file");
    let state: Value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "corrupt state file ({e}): {:?}",
            String::from_utf8_lossy(&bytes)
        )
    });
    assert_eq!(state["format"], "avn-token-sandbox-state");
    assert_eq!(state["version"], 2);
    state["tokens"]
        .as_array()
        .expect("a token list")
        .iter()
        .map(|token| {
            token["full_token"]
                .as_str()
                .expect("a full token")
                .to_owned()
        })
        .collect()
}

/// The real `avn` (aiven-client 4.18.0) against one sandbox: `avn --auth-token TOKEN ARGS`,
/// each run with a throwaway HOME.
pub struct Avn {
    pub program: PathBuf,
    pub url: String,
}

impl Avn {
    pub fn run(&self, token: &str, args: &[&str]) -> Run {
        Cmd::python(&self.program)
            .url(&self.url)
            .arg("--auth-token")
            .arg(token)
            .args(args)
            .run()
    }

    /// stdout of a run that must succeed.
    #[track_caller]
    pub fn ok(&self, token: &str, args: &[&str]) -> String {
        let run = self.run(token, args);
        assert!(run.succeeded(), "avn {args:?} failed: {}", run.stderr);
        run.stdout
    }

    /// The JSON a run that must succeed prints.
    #[track_caller]
    pub fn json(&self, token: &str, args: &[&str]) -> Value {
        let stdout = self.ok(token, args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("avn {args:?}: {e}: {stdout}"))
    }
}

// ---- The sandbox's API, as several test files call it --------------------------------

/// A sandbox on a thread of this process, without a state file: for tests of the API.
pub fn sandbox() -> BackgroundSandbox {
    BackgroundSandbox::start(Options::default()).expect("start the sandbox")
}

/// A client of `sandbox` with its session token.
pub fn api(sandbox: &BackgroundSandbox) -> Api {
    Api::new(&sandbox.url(), sandbox.token().expose())
}

/// A new token restricted to `scopes` (an empty list: none given); its full value.
#[track_caller]
pub fn scoped(api: &mut Api, scopes: &[&str]) -> String {
    let mut body = json!({"description": format!("scoped {scopes:?}")});
    if !scopes.is_empty() {
        body["scopes"] = json!(scopes);
    }
    let created = api.create(&body.to_string());
    assert_eq!(
        created["scopes"],
        if scopes.is_empty() {
            Value::Null
        } else {
            json!(scopes)
        }
    );
    created["full_token"].as_str().expect("a token").to_owned()
}

/// The one organization's ID, as `GET /v1/organizations` gives it.
#[track_caller]
pub fn organization(api: &mut Api) -> String {
    let answer = api.get("/v1/organizations").ok();
    let organizations = answer["organizations"].as_array().expect("a list");
    assert_eq!(organizations.len(), 1, "{answer}");
    organizations[0]["organization_id"]
        .as_str()
        .expect("an ID")
        .to_owned()
}

/// `/v1/organization/{org}/application-users` and what follows.
pub fn users_path(org: &str, rest: &str) -> String {
    format!("/v1/organization/{org}/application-users{rest}")
}

/// A new application user from `body` (`{"name": ...}`): the API's answer.
#[track_caller]
pub fn create_user(api: &mut Api, org: &str, body: Value) -> Value {
    api.send("POST", &users_path(org, ""), Some(&body.to_string()))
        .ok()
}

/// A new token of application user `user_id` from `body`: the API's answer.
#[track_caller]
pub fn create_app_token(api: &mut Api, org: &str, user_id: &str, body: Value) -> Value {
    let path = users_path(org, &format!("/{user_id}/access-tokens"));
    api.send("POST", &path, Some(&body.to_string())).ok()
}

/// Generous bound for anything that should take a fraction of it (a noisy machine).
pub const SANITY: Duration = Duration::from_secs(20);

/// `avn-token` commands against a sandbox of their own (on a thread of this process, no
/// state file), in a HOME of their own: for the end-to-end tests of each command, where
/// what the service holds afterwards is checked too.
pub struct SandboxEnv {
    pub sandbox: BackgroundSandbox,
    pub home: tempfile::TempDir,
}

impl SandboxEnv {
    pub fn new() -> SandboxEnv {
        SandboxEnv {
            sandbox: BackgroundSandbox::start(Options::default()).expect("sandbox starts"),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// `avn-token` in this HOME against this sandbox, with no token yet.
    pub fn cmd(&self) -> Cmd {
        cmd().home(self.home.path()).url(self.sandbox.url())
    }

    /// [`SandboxEnv::cmd`] authenticated with `token`.
    pub fn cmd_as(&self, token: &str) -> Cmd {
        self.cmd().token(token)
    }

    /// `avn-token ARGS` as the bootstrap (login) user, the sandbox's human user.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_as(self.sandbox.token().expose(), args)
    }

    pub fn run_as(&self, token: &str, args: &[&str]) -> Run {
        self.cmd_as(token).args(args).run()
    }

    /// The JSON a run as the bootstrap user that must succeed prints.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        out.success();
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", out.stdout))
    }

    /// The bootstrap user's personal tokens (`list --json`).
    pub fn list(&self) -> Vec<Value> {
        let out = self.run(&["list", "--json"]);
        out.success();
        serde_json::from_str::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// Create a token; (full token, prefix).
    pub fn create(&self, args: &[&str]) -> (String, String) {
        let mut full = vec!["create", "-q"];
        full.extend_from_slice(args);
        let out = self.run(&full);
        out.success();
        let token = out.stdout.trim_end().to_owned();
        let prefix = token.chars().take(12).collect();
        (token, prefix)
    }

    /// A new application user named `name`; its id.
    pub fn app_user(&self, name: &str) -> String {
        let user = self.json(&["application-user", "create", "--name", name, "--json"]);
        assert_eq!(user["name"], name);
        user["user_id"].as_str().expect("a user_id").to_owned()
    }

    /// A new token of the application user named `name`, made with `create --app-user`.
    pub fn app_token(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["create", "--app-user", name, "--description", "ci", "-q"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        out.success();
        out.stdout.trim_end().to_owned()
    }

    /// The tokens of application user `user` (`list --app-user USER -o json`).
    pub fn app_tokens(&self, user: &str) -> Vec<Value> {
        match self.json(&["list", "--app-user", user, "-o", "json"]) {
            Value::Array(tokens) => tokens,
            other => panic!("not a list: {other}"),
        }
    }
}

/// The token of `tokens` whose prefix is `prefix`.
pub fn find<'a>(tokens: &'a [Value], prefix: &str) -> Option<&'a Value> {
    tokens.iter().find(|t| t["token_prefix"] == prefix)
}
