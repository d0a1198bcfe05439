//! The sandbox under load and under a hard kill: 200 concurrent clients get no errors and
//! lose no tokens, and SIGKILL in the middle of state writes leaves a whole state file.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use avn_token::sandbox::{BackgroundSandbox, Options};

use crate::support::sandbox::{Answer, Api, SandboxProcess, state_tokens, token_path};

const CLIENTS: usize = 200;

fn with_state(dir: &tempfile::TempDir) -> Options {
    Options {
        state: Some(dir.path().join("state.json")),
        ..Options::default()
    }
}

/// Run `work(client number)` on [`CLIENTS`] threads at once; their results in order.
fn concurrently<T: Send + 'static>(work: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let work = Arc::new(work);
    let start = Arc::new(std::sync::Barrier::new(CLIENTS));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (work, start) = (work.clone(), start.clone());
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    start.wait();
                    work(client)
                })
                .expect("spawn a client thread")
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("client thread"))
        .collect()
}

fn prefixes(tokens: &[serde_json::Value]) -> BTreeSet<String> {
    tokens
        .iter()
        .map(|t| t["token_prefix"].as_str().expect("prefix").to_owned())
        .collect()
}

#[test]
fn two_hundred_clients_times_fifty_requests_without_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = BackgroundSandbox::start(with_state(&dir)).expect("start");
    let (url, token) = (sandbox.url(), sandbox.token().expose().to_owned());
    let mut api = Api::new(&url, &token);
    let shared: Vec<String> = (0..5)
        .map(|n| {
            let created = api.create(&format!(r#"{{"description":"shared {n}"}}"#));
            created["token_prefix"].as_str().expect("prefix").to_owned()
        })
        .collect();
    let before = api.list();
    let setup_requests = sandbox.requests().len();

    let failures = concurrently(move |client| {
        let mut api = Api::new(&url, &token);
        let mut failures = Vec::new();
        for request in 0..50 {
            let outcome = match request % 5 {
                // Renames are written to the state file before they are answered.
                0 => {
                    let path = token_path(&shared[client % shared.len()]);
                    let body = format!(r#"{{"description":"client {client} #{request}"}}"#);
                    api.http.call("PUT", &path, Some(&token), Some(&body))
                }
                1 => api.http.call("GET", "/v1/me", Some(&token), None),
                _ => api.http.call("GET", "/v1/access_token", Some(&token), None),
            };
            match outcome {
                Ok(reply) if reply.status == 200 => {}
                Ok(reply) => failures.push(format!("HTTP {}", reply.status)),
                Err(error) => failures.push(error.to_string()),
            }
        }
        failures
    });
    let failures: Vec<String> = failures.into_iter().flatten().collect();
    assert!(
        failures.is_empty(),
        "{} failures: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert_eq!(sandbox.requests().len(), setup_requests + CLIENTS * 50);
    assert_eq!(prefixes(&api.list()), prefixes(&before), "no token lost");
}

/// What one client did: the tokens it got, and those it revoked (full values).
#[derive(Default)]
struct Done {
    created: Vec<(String, String)>,
    revoked: Vec<String>,
    refused_for_quota: usize,
    errors: Vec<String>,
}

/// The sandbox that takes the load is a process of its own: its state file is opened again
/// after it stops, and a lock released by a sandbox on a thread of this test binary can
/// still be held by a child process that another test is starting at that moment (see
/// `sandbox::persistence`). This test failed so, once, beside others.
#[test]
fn two_hundred_clients_creating_and_revoking_lose_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let sandbox = SandboxProcess::start(&["--state", state.to_str().expect("utf-8 path")]);
    let (url, token) = (sandbox.url.clone(), sandbox.token.clone());

    let done = concurrently(move |client| {
        let mut api = Api::new(&url, &token);
        let mut done = Done::default();
        for round in 0..3 {
            let body = format!(r#"{{"description":"client {client} round {round}"}}"#);
            let created = match api
                .http
                .call("POST", "/v1/access_token", Some(&token), Some(&body))
            {
                Ok(reply) if reply.status == 200 => reply.json(),
                Ok(reply) if reply.status == 409 => {
                    done.refused_for_quota += 1;
                    continue;
                }
                Ok(reply) => {
                    done.errors.push(format!("create: HTTP {}", reply.status));
                    continue;
                }
                Err(error) => {
                    done.errors.push(format!("create: {error}"));
                    continue;
                }
            };
            let full = created["full_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let prefix = created["token_prefix"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            done.created.push((full.clone(), prefix.clone()));
            // A few clients keep their last token; the others revoke, by prefix or by
            // the full token.
            if round == 2 && client % 50 == 0 {
                continue;
            }
            let name = if client % 2 == 0 { &prefix } else { &full };
            match api
                .http
                .call("DELETE", &token_path(name), Some(&token), None)
            {
                Ok(reply) if reply.status == 200 => done.revoked.push(full),
                Ok(reply) => done.errors.push(format!("revoke: HTTP {}", reply.status)),
                Err(error) => done.errors.push(format!("revoke: {error}")),
            }
        }
        done
    });

    let errors: Vec<&String> = done.iter().flat_map(|d| &d.errors).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let created: Vec<&(String, String)> = done.iter().flat_map(|d| &d.created).collect();
    let revoked: BTreeSet<&String> = done.iter().flat_map(|d| &d.revoked).collect();
    assert!(
        created.len() > 10,
        "the clients took turns within the quota"
    );
    assert!(
        done.iter().any(|d| d.refused_for_quota > 0),
        "the quota was hit"
    );

    let session = sandbox.token.clone();
    let mut expected: BTreeSet<String> = created
        .iter()
        .filter(|(full, _)| !revoked.contains(full))
        .map(|(_, prefix)| prefix.clone())
        .collect();
    expected.insert(session[..12].to_owned());
    let mut api = Api::new(&sandbox.url, &session);
    assert_eq!(
        prefixes(&api.list()),
        expected,
        "exactly what the answers imply"
    );

    // And the same after a restart from the state file.
    sandbox.stop();
    let restarted = BackgroundSandbox::start(with_state(&dir)).expect("restart");
    assert_eq!(restarted.token().expose(), session);
    let mut api = Api::new(&restarted.url(), &session);
    assert_eq!(prefixes(&api.list()), expected, "nothing lost on disk");
}

/// What the loaders saw acknowledged before the kill (full token values).
#[derive(Default)]
struct Acknowledged {
    created: BTreeSet<String>,
    revoke_sent: BTreeSet<String>,
    revoked: BTreeSet<String>,
    writes: usize,
}

/// Until the sandbox stops answering (or `deadline`): create a token, then revoke the
/// one created before it. So each loader always holds one acknowledged token that must
/// survive, and has one revoke in flight at most.
fn load(url: String, token: String, seen: Arc<Mutex<Acknowledged>>, deadline: Instant) {
    let mut api = Api::new(&url, &token);
    let body = format!(r#"{{"description":"{}"}}"#, "x".repeat(900));
    let record = |change: &dyn Fn(&mut Acknowledged)| {
        change(&mut seen.lock().unwrap_or_else(|e| e.into_inner()));
    };
    let mut held: Option<String> = None;
    while Instant::now() < deadline {
        let reply = api
            .http
            .call("POST", "/v1/access_token", Some(&token), Some(&body));
        let full = match reply {
            Ok(reply) if reply.status == 200 => reply.json()["full_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            _ => return,
        };
        record(&|seen| {
            seen.created.insert(full.clone());
            seen.writes += 1;
        });
        if let Some(old) = held.replace(full) {
            record(&|seen| {
                seen.revoke_sent.insert(old.clone());
            });
            match api
                .http
                .call("DELETE", &token_path(&old), Some(&token), None)
            {
                Ok(Answer { status: 200, .. }) => record(&|seen| {
                    seen.revoked.insert(old.clone());
                    seen.writes += 1;
                }),
                _ => return,
            }
        }
    }
}

/// Loaders at once: each holds up to two tokens, within the quota of 10.
const LOADERS: usize = 5;

#[test]
fn sigkill_during_state_writes_leaves_a_whole_state_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path").to_owned();
    let mut session = None;
    // Each kill lands at a random point of the write cycle; ten of them catch a writer that
    // is not atomic (measured: one truncating the file in place failed 6 runs out of 6).
    for (round, writes_before_kill) in (1..=10).map(|n| n * 15).enumerate() {
        let sandbox = SandboxProcess::start(&["--state", &state_arg]);
        if let Some(session) = &session {
            assert_eq!(
                &sandbox.token, session,
                "round {round}: the same session token"
            );
        }
        session = Some(sandbox.token.clone());
        // Start from no personal tokens (the last round's loaders left theirs).
        let mut api = sandbox.api();
        for token in api.list() {
            if token["created_manually"] == true {
                api.revoke(token["token_prefix"].as_str().expect("prefix"))
                    .ok();
            }
        }
        let seen = Arc::new(Mutex::new(Acknowledged::default()));
        let deadline = Instant::now() + Duration::from_secs(20);
        let loaders: Vec<_> = (0..LOADERS)
            .map(|_| {
                let (url, token, seen) = (sandbox.url.clone(), sandbox.token.clone(), seen.clone());
                thread::spawn(move || load(url, token, seen, deadline))
            })
            .collect();
        while seen.lock().map(|s| s.writes).unwrap_or_default() < writes_before_kill
            && Instant::now() < deadline
        {
            thread::sleep(Duration::from_millis(1));
        }
        sandbox.kill();
        for loader in loaders {
            loader.join().expect("loader");
        }

        let seen = seen.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            seen.writes >= writes_before_kill,
            "round {round}: the load ran"
        );
        let on_disk: BTreeSet<String> = state_tokens(&state).into_iter().collect();
        assert!(
            seen.created.len() > seen.revoke_sent.len(),
            "tokens were held"
        );
        for full in &seen.created {
            if !seen.revoke_sent.contains(full) {
                assert!(
                    on_disk.contains(full),
                    "round {round}: an acknowledged token was lost"
                );
            }
        }
        for full in &seen.revoked {
            assert!(
                !on_disk.contains(full),
                "round {round}: an acknowledged revoke came back"
            );
        }
        assert!(on_disk.contains(session.as_deref().unwrap_or_default()));
    }
    // The survivor of ten kills still starts, with what the file says.
    let sandbox = SandboxProcess::start(&["--state", &state_arg]);
    let listed: BTreeSet<String> = prefixes(&sandbox.api().list());
    let on_disk: BTreeSet<String> = state_tokens(&state)
        .iter()
        .map(|full| full[..12].to_owned())
        .collect();
    assert_eq!(listed, on_disk);
}
