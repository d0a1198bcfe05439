//! The offline sandbox server (`avn-token sandbox`): the API it speaks and the contract it
//! keeps with the real one, what it refuses, its application users, its state file, the
//! command that starts it, its behaviour under hostile clients and under load, and the real
//! `avn` driving it. (The `avn-token` commands against the sandbox are with their command.)

mod api;
mod app_users;
mod avn;
mod contract;
#[cfg(unix)]
mod exec;
#[cfg(unix)]
mod exec_sealed;
mod hardening;
mod limits;
mod load;
mod persistence;
mod refusals;
mod scopes;
mod state_lock;
#[cfg(unix)]
mod variables;

/// `--exec`'s tests run POSIX `sh` scripts (and send SIGTERM): they run on Linux and macOS,
/// and this says so on Windows rather than leaving nothing.
#[cfg(not(unix))]
#[test]
#[ignore = "sandbox --exec's tests run POSIX sh scripts: tested on Linux and macOS"]
fn exec_is_tested_on_unix() {}
