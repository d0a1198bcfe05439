//! A new token is never lost (issue 18.1): a command that creates one (`create` and
//! `rotate`, each with and without `--app-user`, and `application-user token create`)
//! succeeds only if the token reached its stdout. With stdout a pipe nobody reads or a full
//! disk, in every output format: exit 1, the new token revoked, the old one kept
//! (`rotate`), and one line on stderr naming the prefixes, never the secret. Commands that
//! only read still end quietly (exit 0) on a closed pipe (`list | head -1`).
#![cfg(unix)]

use std::process::Stdio;

use clap::ValueEnum;
use serde_json::json;

use avn_token::cli::OutputFormat;

use crate::support::fakes::{api_error, deleted};
use crate::support::org::{ORG, Org};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Run, cmd, token};

/// The new tokens the fake API makes; their first 12 characters are their prefixes.
const NEW_PERSONAL: &str = "NEWpersonal0Zq8/Xv+Lw3Jk9Rt2Mh5Bg==";
const NEW_APP: &str = "NEWapptoken0Pk7+Yd2/Hs9Wq4Lc6NfTe==";
/// The tokens `rotate` replaces: a personal one, and application user u1's ("ci-bot").
const OLD_PERSONAL: &str = "OLDpersonal0";
const OLD_APP: &str = "CIBOTtoken01";

/// Where stdout goes.
#[derive(Debug, Clone, Copy)]
enum Stdout {
    /// A pipe whose reader is gone before anything is written: writes fail with EPIPE
    /// (Rust programs ignore SIGPIPE).
    ClosedPipe,
    /// `/dev/full`: writes fail with ENOSPC.
    FullDisk,
}

impl Stdout {
    /// Where a test can make each happen.
    fn all() -> Vec<Stdout> {
        let mut all = vec![Stdout::ClosedPipe];
        if cfg!(target_os = "linux") {
            all.push(Stdout::FullDisk);
        }
        all
    }

    fn open(self) -> Stdio {
        match self {
            Stdout::ClosedPipe => {
                let (reader, writer) = std::io::pipe().expect("a pipe");
                drop(reader);
                writer.into()
            }
            Stdout::FullDisk => std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full")
                .into(),
        }
    }

    /// How the operating system words the failure.
    fn error(self) -> &'static str {
        match self {
            Stdout::ClosedPipe => "Broken pipe",
            Stdout::FullDisk => "No space left on device",
        }
    }
}

/// One command that creates a token, and what it must do when the token is not delivered.
struct Creating {
    args: Vec<&'static str>,
    /// The full token the API makes for it.
    new: &'static str,
    /// The path a revoke of the new token is sent to.
    revokes_at: String,
    /// The token `rotate` replaces, which must be neither revoked nor lost.
    old: Option<&'static str>,
    /// `-q` is offered (not by `avn`'s `application-user token create`).
    quiet: bool,
}

fn app_token_path(prefix: &str) -> String {
    format!("/v1/organization/{ORG}/application-users/u1/access-tokens/{prefix}")
}

/// Every command that creates a token.
fn creating() -> Vec<Creating> {
    let personal = format!("/v1/access_token/{}", &NEW_PERSONAL[..12]);
    let app = app_token_path(&NEW_APP[..12]);
    vec![
        Creating {
            args: vec!["create", "--description", "d"],
            new: NEW_PERSONAL,
            revokes_at: personal.clone(),
            old: None,
            quiet: true,
        },
        Creating {
            args: vec!["rotate", OLD_PERSONAL],
            new: NEW_PERSONAL,
            revokes_at: personal,
            old: Some(OLD_PERSONAL),
            quiet: true,
        },
        Creating {
            args: vec!["create", "--app-user", "ci-bot", "--description", "d"],
            new: NEW_APP,
            revokes_at: app.clone(),
            old: None,
            quiet: true,
        },
        Creating {
            args: vec!["rotate", "--app-user", "ci-bot", OLD_APP],
            new: NEW_APP,
            revokes_at: app.clone(),
            old: Some(OLD_APP),
            quiet: true,
        },
        Creating {
            args: vec![
                "application-user",
                "token",
                "create",
                "--organization-id",
                ORG,
                "u1",
                "--description",
                "d",
            ],
            new: NEW_APP,
            revokes_at: app,
            old: None,
            quiet: false,
        },
    ]
}

/// Every way to ask for the output: `-q` where offered, the default table, `avn`'s `--json`,
/// and each `-o` format clap offers.
fn formats(quiet: bool) -> Vec<Vec<String>> {
    let mut formats = vec![vec![], vec!["--json".to_owned()]];
    if quiet {
        formats.push(vec!["-q".to_owned()]);
    }
    for format in OutputFormat::value_variants() {
        let name = format
            .to_possible_value()
            .expect("a name")
            .get_name()
            .to_owned();
        formats.push(vec!["-o".to_owned(), name]);
    }
    formats
}

/// The fake API: an organization whose application user u1 ("ci-bot") has [`OLD_APP`], a
/// personal [`OLD_PERSONAL`]; creates answer [`NEW_PERSONAL`] and [`NEW_APP`]; revokes
/// answer `revoke`, or as the organization does when `None`.
fn api(revoke: Option<Canned>) -> ScriptedServer {
    let mut org = Org::new();
    org.personal = vec![token(OLD_PERSONAL, "deploy")];
    let app_tokens = format!("/v1/organization/{ORG}/application-users/u1/access-tokens");
    ScriptedServer::start(
        move |request| match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/v1/access_token") => {
                let mut created = token(&NEW_PERSONAL[..12], "d");
                created["full_token"] = json!(NEW_PERSONAL);
                Canned::json(200, created)
            }
            ("POST", path) if path == app_tokens => Canned::json(
                200,
                json!({"full_token": NEW_APP, "token_prefix": &NEW_APP[..12]}),
            ),
            ("DELETE", _) if revoke.is_some() => revoke.clone().unwrap(),
            ("DELETE", path) if path.starts_with("/v1/access_token/") => {
                Canned::json(200, json!({"message": "revoked"}))
            }
            _ => org.answer(request),
        },
    )
}

/// No piece of `secret` past its public 12-character prefix on stderr.
#[track_caller]
fn secret_kept_off_stderr(secret: &str, out: &Run, what: &str) {
    for piece in secret.as_bytes()[12..].windows(6) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(
            !out.stderr.contains(piece),
            "{what}: a piece of the new token ({piece}) is on stderr: {}",
            out.stderr
        );
    }
}

#[test]
fn a_new_token_that_cannot_be_written_is_revoked_and_the_command_fails() {
    for command in creating() {
        for format in formats(command.quiet) {
            for stdout in Stdout::all() {
                let what = format!("{:?} {format:?} {stdout:?}", command.args);
                let server = api(None);
                let out = cmd()
                    .api(&server)
                    .args(&command.args)
                    .args(&format)
                    .stdout(stdout.open())
                    .run();
                assert_eq!(out.status, Some(1), "{what}: {}", out.stderr);
                out.one_line_error()
                    .stderr_contains("cannot write the new token to stdout")
                    .stderr_contains(stdout.error())
                    .stderr_contains(&format!("the new token {} was revoked", &command.new[..12]));
                if let Some(old) = command.old {
                    out.stderr_contains(&format!(
                        "the old token {old} was NOT revoked and is still valid"
                    ));
                }
                secret_kept_off_stderr(command.new, &out, &what);
                // The new token is revoked, and nothing else (never the old token).
                assert_eq!(
                    deleted(&server),
                    std::slice::from_ref(&command.revokes_at),
                    "{what}"
                );
            }
        }
    }
}

/// When the revoke of the undelivered token fails too, the error says the token may still
/// exist and how to revoke it (for an application user's, naming the user); `rotate` still
/// keeps the old token.
#[test]
fn a_new_token_that_cannot_be_revoked_either_is_named_with_the_way_to_revoke_it() {
    for command in creating() {
        let server = api(Some(api_error(500, "cannot revoke right now")));
        let out = cmd()
            .api(&server)
            .args(["--retry-budget", "0"])
            .args(&command.args)
            .stdout(Stdout::ClosedPipe.open())
            .run();
        let prefix = &command.new[..12];
        let revoke = if command.new == NEW_APP {
            format!("`avn-token revoke --app-user u1 --organization-id {ORG} {prefix}`")
        } else {
            format!("`avn-token revoke {prefix}`")
        };
        out.code(1)
            .one_line_error()
            .stderr_contains(&format!("revoking the new token {prefix} failed too"))
            .stderr_contains("cannot revoke right now")
            .stderr_contains("so it may still exist")
            .stderr_contains(&revoke);
        if let Some(old) = command.old {
            out.stderr_contains(&format!("the old token {old} was NOT revoked"));
        }
        secret_kept_off_stderr(command.new, &out, &format!("{:?}", command.args));
        assert_eq!(deleted(&server), std::slice::from_ref(&command.revokes_at));
    }
}

/// The undelivered token is revoked by the prefix its secret starts with: the answer's,
/// or, when the answer has none, the secret's first 12 characters. An answer whose prefix
/// does not start the secret is not telling which token it made: nothing is revoked on
/// its word (the prefix could name another token), and the error says the new token may
/// still exist.
#[test]
fn an_undelivered_token_is_revoked_only_by_a_prefix_it_starts_with() {
    for (prefix, revoked) in [
        (None, Some(&NEW_PERSONAL[..12])),
        (Some("OTHERtoken00"), None),
    ] {
        let server = ScriptedServer::start(move |request| match request.method.as_str() {
            "POST" => Canned::json(
                200,
                json!({"full_token": NEW_PERSONAL, "token_prefix": prefix}),
            ),
            _ => Canned::json(200, json!({"message": "revoked"})),
        });
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "d", "-q"])
            .stdout(Stdout::ClosedPipe.open())
            .run();
        out.code(1).one_line_error();
        secret_kept_off_stderr(NEW_PERSONAL, &out, &format!("{prefix:?}"));
        match revoked {
            Some(revoked) => {
                out.stderr_contains(&format!("the new token {revoked} was revoked"));
                assert_eq!(deleted(&server), [format!("/v1/access_token/{revoked}")]);
            }
            None => {
                out.stderr_contains("OTHERtoken00 is not how the new token starts")
                    .stderr_contains("may still exist");
                assert_eq!(deleted(&server), Vec::<String>::new());
            }
        }
    }
}

/// Commands that only read end quietly on a closed pipe, as `list | head -1` expects.
#[test]
fn reads_end_quietly_on_a_closed_pipe() {
    let server = api(None);
    for args in [
        &["list"][..],
        &["list", "--json"],
        &["info", OLD_PERSONAL],
        &["list", "--app-user", "ci-bot"],
        &["application-user", "list", "--organization-id", ORG],
        &[
            "application-user",
            "token",
            "list",
            "--organization-id",
            ORG,
            "u1",
        ],
    ] {
        let out = cmd()
            .api(&server)
            .args(args)
            .stdout(Stdout::ClosedPipe.open())
            .run();
        out.success();
        assert_eq!(out.stderr, "", "{args:?}");
    }
    assert!(deleted(&server).is_empty());
}
