//! The integration tests: one crate (as xh does), so `support` is compiled once and every
//! helper in it is used by some test. A file per command (`create`, `list`, ... `audit`),
//! then per concern (`delivery`, `prefixes`, `output_formats`, `escaping`, `redaction`, `config`,
//! `credentials`, `proxy`, `tls`, `transport`, `memory`, `properties`), the command line
//! (`cli`), the offline server (`sandbox`) and byte-for-byte parity with the real `avn`
//! (`avn_compat`). Shared fakes and helpers are in `support`.
//!
//! Run one file with `cargo test --test it rotate::`, one directory with
//! `cargo test --test it sandbox::`.

mod support;

mod application_users;
mod audit;
mod avn_compat;
mod cli;
mod config;
mod create;
mod credentials;
mod delivery;
mod distribution;
mod escaping;
mod expire_all;
mod info;
mod list;
mod login_logout;
mod memory;
mod output_formats;
mod prefixes;
mod properties;
mod proxy;
mod redaction;
mod revoke;
mod rotate;
mod sandbox;
mod tls;
mod transport;
mod update;
