//! A hostile server, proxy, terminal payload or filesystem (issue 8), and the transport
//! promises of issues 9 and 11: the real binary against scripted servers on 127.0.0.1.
//!
//! Each test names the promise it backs. Nothing here leaves loopback: "remote" hosts are
//! `.invalid` names that only a fake proxy on 127.0.0.1 ever sees.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::hostile::{self, *};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, TOKEN, cmd, credentials_file, write_credentials};

/// Issue 8.4: `create` and `rotate` print a `full_token` only when it is plain base64, in
/// every format; anything else is an error (exit 1) and nothing is printed. `rotate` then
/// keeps the old token.
#[test]
fn a_new_token_that_is_not_plain_base64_is_never_printed() {
    for full_token in [
        format!("abc{HAZARDS}"),
        "abc def".to_owned(),
        "(redacted)".to_owned(),
        "abc==x".to_owned(),
    ] {
        refused_new_token(Some(json!(full_token)), "not plain base64");
    }
}

/// A create answered without `full_token` (or with one that is not a string) made a token
/// nobody can use: an error in every format (avn fails its table too, on the missing
/// column), naming the token that was made; `rotate` then keeps the old token.
#[test]
fn a_create_answer_without_the_new_token_is_an_error() {
    for full_token in [None, Some(json!(null)), Some(json!(12345))] {
        refused_new_token(full_token, "sent no \"full_token\"");
    }
}

/// `create` answered with `full_token` (absent when `None`) fails in every format (`-q`,
/// the avn table, JSON, CSV, YAML, the table for people) saying `why` and naming the token
/// made, and prints nothing; `rotate` keeps the old token (no DELETE is sent).
#[track_caller]
fn refused_new_token(full_token: Option<Value>, why: &str) {
    let mut created = token_json("N3WT0KENPR3F", "ci");
    if let Some(value) = full_token {
        created["full_token"] = value;
    }
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "GET" => hostile::list_ok(),
        _ => Canned::json(200, created.clone()),
    });
    for format in [
        &["-q"][..],
        &[],
        &["--json"],
        &["-o", "csv"],
        &["-o", "yaml"],
        &["-o", "pretty"],
    ] {
        let out = cmd()
            .api(&server)
            .args(["create", "--description", "ci"])
            .args(format)
            .run();
        out.code(1).one_line_error();
        out.stderr_contains(why)
            .stderr_contains("N3WT0KENPR3F was created");
        assert_no_raw_controls(&out);
    }
    for format in [&["-q"][..], &[]] {
        let out = cmd()
            .api(&server)
            .args(["rotate", PREFIX, "--force"])
            .args(format)
            .run();
        out.code(1).one_line_error();
        out.stderr_contains("NOT revoked");
        assert_no_raw_controls(&out);
    }
    let methods: Vec<String> = server.requests().into_iter().map(|r| r.method).collect();
    assert!(!methods.contains(&"DELETE".to_owned()), "{methods:?}");
}

// ---- 8, 9. what may be sent ----------------------------------------------------------

/// Issue 8.8: a token is printable ASCII without spaces: anything else is a usage error
/// (exit 2) from every source, nothing is sent, and the token is never shown.
#[test]
fn a_token_with_control_characters_is_a_usage_error_from_every_source() {
    let server = ScriptedServer::always(hostile::list_ok());
    let bad = "good-start\u{1b}[2Jsecret-end";
    let sources: Vec<(&str, Cmd)> = vec![
        (
            "--auth-token",
            cmd().url(server.url()).args(["list", "--auth-token", bad]),
        ),
        (
            "AIVEN_AUTH_TOKEN",
            cmd().url(server.url()).token(bad).arg("list"),
        ),
        (
            "stdin",
            cmd()
                .url(server.url())
                .arg("login")
                .write_stdin(format!("{bad}\n")),
        ),
        (
            "tab inside",
            cmd().url(server.url()).token("a\tb-secret-end").arg("list"),
        ),
        (
            "non-ASCII",
            cmd()
                .url(server.url())
                .token("tökén-secret-end")
                .arg("list"),
        ),
        // Controls that Unicode calls whitespace are not trimmed away as spaces are.
        (
            "--auth-token ending in NEL",
            cmd()
                .url(server.url())
                .args(["list", "--auth-token", "good-start-secret-end\u{85}"]),
        ),
        (
            "--auth-token after a vertical tab",
            cmd()
                .url(server.url())
                .args(["list", "--auth-token", "\u{b}good-start-secret-end"]),
        ),
        (
            "AIVEN_AUTH_TOKEN of a NEL",
            cmd().url(server.url()).token("\u{85}").arg("list"),
        ),
    ];
    for (source, command) in sources {
        let out = command.run();
        out.code(2).one_line_error();
        assert!(
            !out.stderr.contains("secret-end"),
            "{source}: the token is shown: {}",
            out.stderr
        );
        assert_no_raw_controls(&out);
    }
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), &json!({ "auth_token": bad }).to_string());
    make_private(&file);
    let out = cmd().home(home.path()).url(server.url()).arg("list").run();
    out.code(2).one_line_error();
    out.stderr_contains("aiven-credentials.json");
    assert!(server.requests().is_empty(), "something was sent");
}

/// Mode 0600, so that no warning about the mode comes before the line a test looks at.
fn make_private(file: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Issue 8.9: credentials in `--url` would be sent as a second Authorization header.
#[test]
fn credentials_in_the_url_are_refused_before_sending() {
    let server = ScriptedServer::always(hostile::list_ok());
    let url = server.url().replace("http://", "http://user:hunter2@");
    let out = cmd().url(&url).token(TOKEN).arg("list").run();
    out.code(2).one_line_error();
    out.stderr_contains("user name or password");
    assert!(!out.stderr.contains("hunter2"), "{}", out.stderr);
    assert!(server.requests().is_empty());
}

/// Issue 11.5: a URL without a scheme gets a message a person understands.
#[test]
fn a_url_that_is_not_a_url_is_explained() {
    let out = cmd().url("notaurl").token(TOKEN).arg("list").run();
    out.code(2).one_line_error();
    out.stderr_contains("https://api.aiven.io");
}

// ---- 10, 11. local files -------------------------------------------------------------

/// Issue 8.10: `logout` removes and `login` replaces only a credentials file (a regular
/// file holding a JSON object, or an empty one). Anything else at that path — a shell rc
/// file, a symbolic link to one, a directory, a FIFO — is refused and left as it was.
#[cfg(unix)]
#[test]
fn login_and_logout_touch_only_a_credentials_file() {
    let server = ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/me" => Canned::json(200, json!({"user": {"user": "me@example.com"}})),
        _ => Canned::json(200, json!({})),
    });
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("bashrc");
    std::fs::write(&rc, "export PATH=$HOME/bin:$PATH\n").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&rc, &link).unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Cmd::new("mkfifo").arg(&fifo).run().succeeded());
    let sub = dir.path().join("a-directory");
    std::fs::create_dir(&sub).unwrap();
    let at = |path: &Path| cmd().url(server.url()).env("AIVEN_CREDENTIALS_FILE", path);
    for (path, says) in [
        (&rc, "not a JSON object"),
        (&link, "symbolic link"),
        (&fifo, "FIFO"),
        (&sub, "directory"),
    ] {
        let out = at(path).arg("logout").run();
        out.code(1).one_line_error();
        out.stderr_contains(says).stderr_contains("cannot remove");
        let out = at(path).arg("login").write_stdin("fresh-token\n").run();
        out.code(1).one_line_error();
        out.stderr_contains(says).stderr_contains("cannot replace");
    }
    assert_eq!(
        std::fs::read_to_string(&rc).unwrap(),
        "export PATH=$HOME/bin:$PATH\n"
    );
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert!(fifo.exists() && sub.is_dir());
    assert!(
        server.requests().is_empty(),
        "refused before anything was sent"
    );

    // A credentials file, damaged or not, or an empty one, is ours to replace and remove.
    let file = dir.path().join("creds.json");
    for content in [
        "",
        r#"{"auth_token": ["not", "a", "string"]}"#,
        r#"{"auth_token": "old-token", "other": 1}"#,
    ] {
        std::fs::write(&file, content).unwrap();
        at(&file)
            .arg("login")
            .write_stdin("fresh-token\n")
            .run()
            .success();
        let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(saved["auth_token"], "fresh-token");
        std::fs::write(&file, content).unwrap();
        at(&file)
            .args(["logout", "--no-token-revoke"])
            .run()
            .success();
        assert!(!file.exists());
    }
}

/// Issue 8.11: the credentials file and `--auth-ca` are read only when they are regular
/// files of sane size: `/dev/zero`, a FIFO or a huge file is a fast, clear error.
#[cfg(unix)]
#[test]
fn unreadable_local_files_are_fast_clear_errors() {
    let server = ScriptedServer::always(hostile::list_ok());
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(Cmd::new("mkfifo").arg(&fifo).run().succeeded());
    let huge = dir.path().join("huge");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    for (path, says) in [
        (Path::new("/dev/zero"), "device"),
        (fifo.as_path(), "FIFO"),
        (huge.as_path(), "larger than"),
        (dir.path(), "directory"),
    ] {
        let started = Instant::now();
        let out = cmd()
            .url(server.url())
            .env("AIVEN_CREDENTIALS_FILE", path)
            .arg("list")
            .run();
        out.code(3).one_line_error();
        out.stderr_contains(says);
        let out = cmd()
            .api(&server)
            .arg("list")
            .arg("--auth-ca")
            .arg(path)
            .run();
        out.code(2).one_line_error();
        out.stderr_contains(says).stderr_contains("CA file");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path:?}: {:?}",
            started.elapsed()
        );
    }
    assert!(server.requests().is_empty());
}

/// Issue 9.4: a DELETE retried after an answer that was lost or a 5xx, whose retry finds
/// nothing (404), did its job: "Revoked", exit 0, with a note saying so.
#[test]
fn a_retried_revoke_that_finds_nothing_succeeded() {
    for first in [
        Canned::json(503, json!({"message": "busy"})),
        Canned::Hangup,
    ] {
        let server = ScriptedServer::always(Canned::json(404, json!({"message": "Not found"})));
        server.push(first);
        let out = cmd().api(&server).args(["revoke", PREFIX, "--force"]).run();
        out.success();
        assert_eq!(out.stdout, "Revoked\n");
        out.stderr_contains("note:").stderr_contains("carried out");
        assert_eq!(server.requests().len(), 2);
    }
    // Without an earlier attempt, 404 is "not found" (exit 4), as before.
    let server = ScriptedServer::always(Canned::json(404, json!({"message": "Not found"})));
    cmd()
        .api(&server)
        .args(["revoke", PREFIX, "--force"])
        .run()
        .code(4)
        .one_line_error();
}

/// Issue 9.5: `logout` ends the stored token with `POST /v1/me/logout` (authenticated with
/// that token); a server without that endpoint gets the `DELETE` avn 4.18 sends.
#[test]
fn logout_uses_the_logout_endpoint() {
    let stored = "stored-token-value/+=";
    let server = ScriptedServer::always(Canned::json(200, json!({"message": "Logged out"})));
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), &json!({ "auth_token": stored }).to_string());
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .arg("logout")
        .run();
    out.success().stderr_contains("revoked token stored-token");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/me/logout")
    );
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("aivenv1 {stored}").as_str())
    );
    assert!(!file.exists());

    let older = ScriptedServer::start(|request| match request.method.as_str() {
        "POST" => Canned::json(404, json!({"message": "Not found"})),
        _ => Canned::json(200, json!({"message": "Revoked"})),
    });
    write_credentials(home.path(), &json!({ "auth_token": stored }).to_string());
    cmd()
        .home(home.path())
        .url(older.url())
        .arg("logout")
        .run()
        .success();
    let paths: Vec<String> = older
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            "POST /v1/me/logout",
            "DELETE /v1/access_token/stored-token-value%2F%2B%3D"
        ]
    );
    assert!(!credentials_file(home.path()).exists());
}
