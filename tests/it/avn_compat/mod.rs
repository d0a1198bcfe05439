//! Byte-for-byte compatibility with the reference `avn` (aiven-client 4.18.0), measured
//! live: each check runs `avn` and `avn-token` against the same canned answers and compares
//! what they print and send. `access_token` covers `avn user access-token` (and `user
//! tokens-expire`), `application_user` covers `avn application-user`; `missing_avn` checks
//! that running without the reference is reported, not silent.
//!
//! `avn` is found through `$AVN_BIN` or `.venv/bin/avn` (`.ci/run` installs it). Without it
//! the checks say so loudly and pass locally; with `CI` set they fail. (The real `avn`
//! against the sandbox is in `sandbox::avn`.)

mod access_token;
mod application_user;
mod missing_avn;
