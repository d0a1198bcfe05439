//! `avn-token`: manage Aiven access tokens (personal and application users'), as a drop-in
//! for `avn user access-token` and `avn application-user`.
//!
//! The binary (`src/main.rs`) only parses arguments, runs [`commands::run`] and turns the
//! outcome into an exit code ([`exit`]). Data flows one way:
//! arguments ([`cli`]) → configuration (`config`) → API client ([`api`]) → tokens →
//! [`output`], the only code that writes to stdout; [`diag`] carries everything for people
//! to stderr. [`sandbox`] is a local implementation of the API for first use, tests and CI.
//!
//! Only what the binary, the integration tests and the benchmarks use is public; the rest is
//! crate-private, so the compiler reports what nothing uses; `unreachable_pub` keeps `pub`
//! for what really is public.

#![warn(unreachable_pub)]

pub mod api;
pub mod cli;
pub mod commands;
mod config;
pub mod diag;
mod env_vars;
pub mod exit;
mod facts;
mod files;
pub mod output;
mod raw_json;
mod safe_text;
pub mod sandbox;
pub mod secret;
