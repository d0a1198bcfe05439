//! The integration tests: one crate (as xh does), so `support` is compiled once and every
//! helper in it is used by some test. Each module is what used to be its own test crate.
//!
//! Run one module with `cargo test --test it faults::`.

mod support;

mod app_users;
mod app_users_sandbox;
mod cli;
mod compat_app_users;
mod compat_avn;
mod csv_output;
mod deep_values;
mod faults;
mod features;
mod features_sandbox;
mod formats_agree;
mod hostile;
mod memory;
mod probes;
mod probes_apps;
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
mod terminal_and_audit;
mod ux;
