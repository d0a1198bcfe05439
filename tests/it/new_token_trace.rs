//! A token the server has just made is a secret from the moment it arrives (issue 18.4):
//! `--show-http` and every message keep it out whatever the answer parses as (strict JSON,
//! `NaN`, trailing data, cut short, the key spelled with escapes), for personal and
//! application tokens alike. Only the result on stdout carries it.

use serde_json::json;

use crate::support::cmd;
use crate::support::server::{Canned, ScriptedServer};

const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0UGFydE9mVGhlTmV3VG9rZW4x/+MjM0NTY3ODkw==";

/// No 13-character run of the new token's secret part (past its public 12-character
/// prefix) on stderr.
#[track_caller]
fn not_on_stderr(stderr: &str, what: &str) {
    for window in NEW.as_bytes()[12..].windows(13) {
        let piece = std::str::from_utf8(window).unwrap();
        assert!(
            !stderr.contains(piece),
            "{what}: a piece of the new token ({piece}) is on stderr:\n{stderr}"
        );
    }
}

/// Create answers of every shape, each holding [`NEW`] as `full_token`.
fn answers() -> Vec<(&'static str, Vec<u8>)> {
    let object = json!({"token_prefix": &NEW[..12], "full_token": NEW, "description": "d"});
    let strict = object.to_string();
    vec![
        ("strict JSON", strict.clone().into_bytes()),
        (
            "NaN",
            format!(
                r#"{{"token_prefix": "{}", "full_token": "{NEW}", "max_age_seconds": NaN}}"#,
                &NEW[..12]
            )
            .into_bytes(),
        ),
        ("trailing data", format!("{strict} and more").into_bytes()),
        ("cut short", strict.as_bytes()[..strict.len() - 3].to_vec()),
        (
            "escaped key, not JSON",
            format!(r#"{{"full\u005ftoken" :  "{NEW}", "x": [1,]}}"#).into_bytes(),
        ),
        (
            "escaped value, not JSON",
            format!(
                r#"{{"full_token": "{}", oops}}"#,
                NEW.replace('/', "\\/").replace('+', "\\u002b")
            )
            .into_bytes(),
        ),
        (
            "a long page of text",
            format!("{}{{\"full_token\": \"{NEW}\"}}", "x".repeat(5000)).into_bytes(),
        ),
    ]
}

#[test]
fn show_http_never_shows_a_new_token_whatever_the_answer_is() {
    for (what, body) in answers() {
        for args in [
            vec!["create", "--description", "d", "--show-http"],
            vec!["create", "--description", "d", "--show-http", "-q"],
            vec!["create", "--description", "d", "--show-http", "--json"],
            vec![
                "application-user",
                "token",
                "create",
                "--organization-id",
                "org1",
                "u1",
                "--description",
                "d",
                "--show-http",
            ],
        ] {
            let server = ScriptedServer::always(Canned::raw(200, "application/json", &body));
            let out = cmd().api(&server).args(&args).run();
            assert!(
                out.stderr.contains("< HTTP 200"),
                "{what} {args:?}: no trace: {}",
                out.stderr
            );
            not_on_stderr(&out.stderr, &format!("{what} {args:?}"));
        }
    }
}

/// A failed create whose error echoes the token it may have made keeps it out too.
#[test]
fn an_error_answer_carrying_a_new_token_does_not_show_it() {
    let body = format!(r#"{{"message": "quota: {NEW} was made", "full_token": "{NEW}"}}"#);
    let server = ScriptedServer::always(Canned::raw(500, "application/json", body.as_bytes()));
    for trace in [&[][..], &["--show-http"][..]] {
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "d"])
            .args(trace)
            .run();
        out.code(1);
        not_on_stderr(&out.stderr, &format!("{trace:?}"));
    }
}
