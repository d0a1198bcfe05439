//! The credentials file: a corrupt one stops the commands that need it, `login` replaces
//! and `logout` removes only a credentials file (never a shell rc file, a link, a FIFO or a
//! directory), and local files (credentials, `--auth-ca`) are read only when they are
//! regular files of sane size.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fakes::{deletes, token_api};
use crate::support::hostile;
use crate::support::platform::symlink;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, cmd, write_credentials};

/// A broken credentials file stops the commands that need its token (exit 3, one line).
/// `login` replaces and `logout` removes one that is still a JSON object; one that is not
/// JSON at all may not be a credentials file (a path set by mistake), so it is left alone
/// and the message says to move it away (`login_and_logout_touch_only_a_credentials_file`: every kind of file).
#[test]
fn a_corrupt_credentials_file_can_be_replaced_or_removed() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let stored = || cmd().home(home.path()).url(server.url());

    let file = write_credentials(home.path(), "{not json");
    let out = stored().arg("list").run();
    out.code(3).one_line_error();
    out.stderr_contains("aiven-credentials.json");
    let out = stored().arg("login").write_stdin("fresh-token\n").run();
    out.code(1).one_line_error();
    out.stderr_contains("move it away");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "{not json");

    std::fs::write(&file, r#"{"auth_token": 5}"#).unwrap();
    stored()
        .arg("login")
        .write_stdin("fresh-token\n")
        .run()
        .success();
    let replaced: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(replaced["auth_token"], "fresh-token");

    std::fs::write(&file, r#"{"auth_token": ["not", "a", "string"]}"#).unwrap();
    let out = stored().arg("logout").run();
    out.success();
    out.stderr_contains("no token was revoked");
    assert!(!file.exists());
    assert_eq!(deletes(&server), 0);
}

/// Issue 8.10: `logout` removes and `login` replaces only a credentials file (a regular
/// file holding a JSON object, or an empty one). Anything else at that path — a shell rc
/// file, a symbolic link to one, a directory, a FIFO — is refused and left as it was.
#[test]
#[cfg_attr(not(unix), ignore = "a symbolic link and a FIFO: Unix's")]
fn login_and_logout_touch_only_a_credentials_file() {
    let server = ScriptedServer::start(|request| match request.path.as_str() {
        "/v1/me" => Canned::json(200, json!({"user": {"user": "me@example.com"}})),
        _ => Canned::json(200, json!({})),
    });
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("bashrc");
    std::fs::write(&rc, "export PATH=$HOME/bin:$PATH\n").unwrap();
    let link = dir.path().join("link.json");
    symlink(&rc, &link);
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
#[test]
#[cfg_attr(not(unix), ignore = "/dev/zero and a FIFO: Unix's")]
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
