//! The integration tests: one crate (as xh does), so `support` is compiled once and every
//! helper in it is used by some test. Each module is what used to be its own test crate.
//!
//! Run one module with `cargo test --test it faults::`.

mod support;

mod app_users;
mod app_users_sandbox;
mod cli;
mod colour;
mod compat_app_users;
mod compat_avn;
mod credentials;
mod faults;
mod features;
mod features_sandbox;
mod hostile;
mod memory;
mod probes;
mod probes_apps;
mod program_name;
mod props;
mod sandbox_api;
mod sandbox_app_users;
mod sandbox_avn;
#[cfg(unix)]
mod sandbox_cli;
mod sandbox_contract;
mod sandbox_fidelity;
mod sandbox_hardening;
mod sandbox_load;
mod ux;

// Issues 18.2, 18.4, 19.8 (to be placed by command and concern with the rest).
mod logout_verdict;
mod new_token_trace;
mod wrong_url;
