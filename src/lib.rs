//! `avn-token`: manage Aiven personal access tokens, as a drop-in for `avn user access-token`.
//!
//! The binary (`src/main.rs`) only parses arguments, runs [`commands::run`] and turns the
//! outcome into an exit code ([`exit`]). Data flows one way:
//! arguments ([`cli`]) → configuration ([`config`]) → API client ([`api`]) → tokens →
//! [`output`], the only code that writes to stdout. [`sandbox`] is a local implementation of
//! the API for first use, tests and CI.

pub mod api;
pub mod atomic_file;
pub mod cli;
pub mod commands;
pub mod config;
pub mod exit;
pub mod output;
pub mod sandbox;
pub mod secret;
