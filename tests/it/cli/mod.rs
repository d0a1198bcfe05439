//! The command line as a new user meets it (issue 11): usage errors, help, completions in
//! real shells, man pages.

mod argparse;
mod colour;
mod completion_dynamic;
mod completions;
mod examples;
mod help;
mod man;
mod usage;

/// The commands a user sees in `--help` (not the hidden `user`, not clap's `help`).
pub(crate) const COMMANDS: [&str; 15] = [
    "create",
    "list",
    "info",
    "update",
    "revoke",
    "rotate",
    "expire-all",
    "application-user",
    "audit",
    "login",
    "logout",
    "sandbox",
    "completions",
    "man",
    "version",
];
