//! The integration tests: one crate (as xh does), so `support` is compiled once and every
//! helper in it is used by some test. Each module is what used to be its own test crate.
//!
//! Run one module with `cargo test --test it faults::`.

mod support;

mod app_users;
mod app_users_sandbox;
mod avn_compat;
mod cli;
mod cli_old;
mod escaping;
mod faults;
mod features;
mod features_sandbox;
mod hostile;
mod memory;
mod probes;
mod probes_apps;
mod properties;
mod proxy;
mod redaction;
mod sandbox;
mod tls;
mod transport;
mod ux;
