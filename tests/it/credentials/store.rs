//! The credentials file as a store, end to end: how large a file is still read, what counts
//! as "no token" (nothing is then sent), errors that are not "the file does not exist"
//! (never taken for "not logged in"), and the permissions of the directory it is in.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::platform::{make_private, mode, set_mode};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::skips::skip;
use crate::support::{Cmd, cmd, credentials_file, write_credentials};

/// The fake API for these tests: an empty token list, the user for `login`, and a revoke
/// for `logout`. Every request is recorded, so a test can check that none was sent.
fn api() -> ScriptedServer {
    ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/me" => Canned::json(200, json!({"user": {"user": "dev@example.com"}})),
        "/v1/me/logout" => Canned::json(200, json!({"message": "Revoked"})),
        _ => Canned::json(200, json!({"tokens": []})),
    })
}

/// The fake API received nothing (`what` names the case, for the message).
#[track_caller]
fn nothing_sent(server: &ScriptedServer, what: &str) {
    assert!(
        server.requests().is_empty(),
        "{what}: {:?}",
        server.requests()
    );
}

/// `avn-token` with `home` as its home directory and the API at `server`, no token given.
fn at_home(home: &Path, server: &ScriptedServer) -> Cmd {
    cmd().home(home).url(server.url())
}

/// The credentials file under `home` with `contents`, private as `login` writes it (so no
/// warning about its mode joins the output).
fn write_private_credentials(home: &Path, contents: &str) -> PathBuf {
    let file = write_credentials(home, contents);
    make_private(&file);
    file
}

/// A credentials file holding `token`, padded to exactly `size` bytes.
fn credentials_of_size(token: &str, size: usize) -> String {
    let bare = json!({"auth_token": token, "user_email": "dev@example.com", "padding": ""});
    let bare = bare.to_string();
    let padding = "x".repeat(size - bare.len());
    let file = json!({"auth_token": token, "user_email": "dev@example.com", "padding": padding});
    let file = file.to_string();
    assert_eq!(file.len(), size);
    file
}

#[test]
fn a_credentials_file_up_to_64_kib_is_read_and_a_larger_one_refused() {
    const KIB: usize = 1024;
    for (size, read) in [
        (KIB + 1, true),
        (60 * KIB, true),
        (64 * KIB, true),
        (64 * KIB + 1, false),
    ] {
        let server = api();
        let home = tempfile::tempdir().unwrap();
        write_private_credentials(home.path(), &credentials_of_size("file-token", size));
        let run = at_home(home.path(), &server).arg("list").run();
        if read {
            run.success();
            assert_eq!(run.stderr, "", "{size} bytes");
            let sent = server.requests();
            assert_eq!(sent.len(), 1, "{size} bytes");
            assert_eq!(
                sent[0].header("authorization"),
                Some("aivenv1 file-token"),
                "{size} bytes"
            );
        } else {
            run.code(3).one_line_error();
            run.stderr_contains("cannot read credentials file")
                .stderr_contains("larger than 64 KiB");
            nothing_sent(&server, &format!("{size} bytes"));
        }
    }
}

#[test]
fn a_blank_or_missing_auth_token_is_no_token_and_nothing_is_sent() {
    for contents in [
        r#"{"auth_token": ""}"#,
        r#"{"auth_token": "   "}"#,
        r#"{"auth_token": "\n\t"}"#,
        r#"{"auth_token": null, "user_email": "dev@example.com"}"#,
        r#"{"user_email": "dev@example.com"}"#,
        "{}",
    ] {
        let server = api();
        let home = tempfile::tempdir().unwrap();
        let file = write_private_credentials(home.path(), contents);
        let run = at_home(home.path(), &server).arg("list").run();
        run.code(3).one_line_error();
        run.stderr_contains("no API token found");
        nothing_sent(&server, contents);

        // logout has no token to revoke: it sends nothing and removes the file.
        let run = at_home(home.path(), &server).arg("logout").run();
        run.success();
        nothing_sent(&server, contents);
        assert!(!file.exists(), "{contents}");
    }
}

/// Credentials paths whose reading fails with ENOTDIR (a component is a regular file),
/// which even root cannot read past, as the variable that names them.
fn paths_through_a_file(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let plain = dir.join("plain-file");
    std::fs::write(&plain, "not a directory").unwrap();
    vec![
        (
            "AIVEN_CREDENTIALS_FILE",
            plain.join("aiven-credentials.json"),
        ),
        ("AIVEN_CONFIG_DIR", plain.clone()),
    ]
}

#[test]
fn a_credentials_path_that_cannot_be_read_is_an_error_never_not_logged_in() {
    let dir = tempfile::tempdir().unwrap();
    for (variable, path) in paths_through_a_file(dir.path()) {
        let server = api();
        let at = || cmd().url(server.url()).env(variable, &path);

        // A command that needs the token says why the file cannot be read.
        let run = at().arg("list").run();
        run.code(3).one_line_error();
        run.stderr_contains("cannot read credentials file")
            .stderr_contains("Not a directory");
        assert!(!run.stderr.contains("no API token found"), "{}", run.stderr);

        // logout fails: it is not "not logged in", and the exit is not 0.
        let run = at().arg("logout").run();
        run.code(1).one_line_error();
        run.stderr_contains("cannot remove credentials file")
            .stderr_contains("Not a directory");
        assert!(!run.stderr.contains("not logged in"), "{}", run.stderr);

        // login refuses before asking the API anything.
        let run = at().arg("login").write_stdin("fresh-token\n").run();
        run.code(1).one_line_error();
        run.stderr_contains("cannot replace credentials file");

        nothing_sent(&server, variable);
    }
}

/// A credentials file its owner may not read: the same as above. Permission bits do not
/// stop root (or a process with CAP_DAC_OVERRIDE), so there the check is skipped, and said.
#[test]
#[cfg_attr(not(unix), ignore = "file modes: Unix's")]
fn an_unreadable_credentials_file_is_an_error_never_not_logged_in() {
    let server = api();
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), r#"{"auth_token": "file-token"}"#);
    set_mode(&file, 0o000);
    if std::fs::read(&file).is_ok() {
        skip(
            "a credentials file its owner may not read",
            "permission bits do not stop this user (root)",
            "run the tests as another user",
        );
        return;
    }
    let run = at_home(home.path(), &server).arg("list").run();
    run.code(3).one_line_error();
    run.stderr_contains("cannot read credentials file")
        .stderr_contains("ermission denied");
    let run = at_home(home.path(), &server).arg("logout").run();
    run.code(1).one_line_error();
    assert!(!run.stderr.contains("not logged in"), "{}", run.stderr);
    nothing_sent(&server, "an unreadable file");
    assert!(file.exists());
}

#[test]
#[cfg_attr(not(unix), ignore = "file modes: Unix's")]
fn a_credentials_directory_other_users_can_write_to_is_warned_about() {
    let server = api();
    let home = tempfile::tempdir().unwrap();
    let file = credentials_file(home.path());
    let dir = file.parent().unwrap();
    std::fs::create_dir_all(dir).unwrap();
    set_mode(dir, 0o777);
    let warning = format!(
        "warning: credentials directory {} is writable by other users (mode 777), who could \
         replace or remove the credentials file; run: chmod 700 {}\n",
        dir.display(),
        dir.display()
    );

    // login into it: the directory is used as it is, and said once, whether or not a
    // credentials file was there already.
    for _ in 0..2 {
        let run = at_home(home.path(), &server)
            .arg("login")
            .write_stdin("stored-token\n")
            .run();
        run.success();
        assert_eq!(run.stderr.matches(&warning).count(), 1, "{}", run.stderr);
    }
    assert_eq!(mode(dir), 0o777);

    // A command reading the file from it says so too, and still works.
    let run = at_home(home.path(), &server).arg("list").run();
    run.success();
    assert_eq!(run.stderr, warning);

    // Only its owner may write to it: nothing to say.
    set_mode(dir, 0o700);
    let run = at_home(home.path(), &server).arg("list").run();
    run.success();
    assert_eq!(run.stderr, "");
}
