//! The `--state` file's lock: free as soon as its sandbox has stopped, even in a process
//! that starts other processes all the time (issue 21: a restart in the test process failed
//! at random with "in use by another sandbox"), and never taken through a planted link.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use avn_token::sandbox::{BackgroundSandbox, Options};

use crate::support::bin;

/// Rounds of start-and-stop. Measured before the fix: about three in four failed while
/// three threads started processes.
const ROUNDS: usize = 200;

#[test]
fn a_stopped_sandboxs_state_file_is_free_while_other_threads_start_processes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let stop = Arc::new(AtomicBool::new(false));
    // What the other tests of this process do: start programs, from other threads. Each
    // child shares the parent's open files between its fork and its exec.
    let spawners: Vec<_> = (0..3)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut spawned = 0;
                while !stop.load(Ordering::Relaxed) {
                    let _ = std::process::Command::new(bin()).arg("--version").output();
                    spawned += 1;
                }
                spawned
            })
        })
        .collect();
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let options = Options {
            state: Some(state.clone()),
            ..Options::default()
        };
        match BackgroundSandbox::start(options) {
            Ok(sandbox) => drop(sandbox),
            Err(error) => failures.push(format!("round {round}: {error:#}")),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let spawned: usize = spawners
        .into_iter()
        .map(|spawner| spawner.join().expect("spawner"))
        .sum();
    assert!(spawned > 0, "processes were started alongside");
    assert!(
        failures.is_empty(),
        "{} of {ROUNDS} restarts failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(3)]
    );
}

#[cfg(unix)]
#[test]
fn a_link_in_place_of_the_lock_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let elsewhere = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join(".state.json.lock")).expect("link");
    let refused = BackgroundSandbox::start(Options {
        state: Some(state.clone()),
        ..Options::default()
    });
    let error = format!("{:#}", refused.err().expect("refused"));
    assert!(error.contains("symbolic link"), "{error}");
    assert!(!elsewhere.exists(), "nothing created through the link");
    assert!(!state.exists(), "nothing written");
}
