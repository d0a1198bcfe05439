//! The sandbox's `--state` file: what survives a restart (tokens, application users, the
//! session token, the last use written on SIGTERM), the lock that keeps a second sandbox
//! off the file, a failed save that changes nothing, symbolic links, stale temporary files,
//! and files it must refuse (corrupt, foreign, not regular, too big).
//!
//! A state file opened again in a test is first held by a sandbox *process*
//! ([`SandboxProcess`]), never by a [`BackgroundSandbox`] on a thread of this test binary:
//! the lock is an `flock` on an open file, which every child process the suite starts at
//! that moment shares until its `exec`, so a lock released in this process may still be
//! held for a moment after (see `sandbox::load`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use avn_token::sandbox::{BackgroundSandbox, Options};
use avn_token::secret::Secret;
use serde_json::{Value, json};

use crate::support::platform::symlink;
use crate::support::sandbox::{
    Api, SANITY, SandboxProcess, api, create_app_token, create_user, organization, seeded_state,
    state_tokens, users_path,
};
use crate::support::{Run, cmd};

#[test]
#[cfg_attr(not(unix), ignore = "sends SIGTERM: Unix signals")]
fn sigterm_stops_it_cleanly_and_saves_last_use() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let sandbox = SandboxProcess::start(&["--state", state_arg]);
    let mut api = sandbox.api();
    api.get("/v1/me").ok();
    assert_eq!(sandbox.terminate(), Some(0));
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("json");
    assert!(
        saved["tokens"][0]["last_used_time"].is_string(),
        "the final flush wrote the last use: {saved}"
    );
}

#[test]
fn state_survives_a_restart_with_the_same_session_token() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path");
    let first = SandboxProcess::start(&["--state", state_arg]);
    let mut api = first.api();
    let kept = api.create(r#"{"description":"kept","scopes":["user:read"]}"#);
    let gone = api.create(r#"{"description":"gone"}"#);
    api.revoke(gone["token_prefix"].as_str().expect("prefix"))
        .ok();
    let before = api.list();
    let session = first.token.clone();
    first.stop();

    let second = SandboxProcess::start(&["--state", state_arg]);
    assert_eq!(second.token, session, "the session token is reused");
    let mut api = second.api();
    let after = api.list();
    let prefixes = |tokens: &[serde_json::Value]| -> Vec<serde_json::Value> {
        tokens.iter().map(|t| t["token_prefix"].clone()).collect()
    };
    assert_eq!(prefixes(&after), prefixes(&before));
    let restored = after
        .iter()
        .find(|t| t["token_prefix"] == kept["token_prefix"])
        .expect("kept token");
    assert_eq!(restored["scopes"], serde_json::json!(["user:read"]));
    assert_eq!(restored["create_time"], kept["create_time"]);
    // The token itself still works.
    Api::new(&second.url, kept["full_token"].as_str().expect("token"))
        .get("/v1/me")
        .ok();
}

#[test]
fn a_corrupt_or_foreign_state_file_stops_startup_and_is_left_untouched() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let valid_but_not_ours = r#"{"auth_token": "x", "user_email": "a@b"}"#;
    let truncated = &seeded_state(&[("abc", false)])[..40];
    // (An empty file is a first start: an_empty_state_file_is_a_first_start.)
    for contents in ["{not json", valid_but_not_ours, truncated] {
        std::fs::write(&state, contents).expect("write");
        let out = cmd().args(["sandbox", "--state"]).arg(&state).run();
        assert!(!out.succeeded(), "{contents:?}");
        assert_eq!(out.stdout, "");
        let stderr = &out.stderr;
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains("state.json"), "{stderr}");
        assert_eq!(std::fs::read_to_string(&state).expect("read"), contents);
    }
    // A directory cannot be read as a state file either.
    let out = cmd().args(["sandbox", "--state"]).arg(dir.path()).run();
    out.failure();
    out.stderr_contains("cannot read");
}

#[test]
fn application_users_and_their_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.json");
    let options = || Options {
        state: Some(path.clone()),
        ..Options::default()
    };
    // The first sandbox is a process (see the module's docs): the file is opened again.
    let (org, user, token) = {
        let sandbox = SandboxProcess::start(&["--state", path.to_str().expect("utf-8 path")]);
        let mut api = sandbox.api();
        let org = organization(&mut api);
        let user = create_user(&mut api, &org, json!({"name": "kept"}));
        let user_id = user["user_id"].as_str().expect("an ID");
        let token = create_app_token(&mut api, &org, user_id, json!({"description": "kept"}));
        sandbox.stop();
        (
            org,
            user,
            token["full_token"].as_str().expect("t").to_owned(),
        )
    };
    let saved: Value = serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("json");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["application_users"][0]["user_id"], user["user_id"]);

    let sandbox = BackgroundSandbox::start(options()).expect("restart");
    let mut api = api(&sandbox);
    assert_eq!(organization(&mut api), org);
    let users = api.get(&users_path(&org, "")).ok();
    assert_eq!(users["application_users"], json!([user]));
    let me = Api::new(&sandbox.url(), &token).get("/v1/me").ok();
    assert_eq!(me["user"]["user_id"], user["user_id"]);
}

fn state_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// `avn-token sandbox --state PATH`, expected to fail at start-up: its end, or a panic if
/// it is still running after [`SANITY`] (it started serving).
#[track_caller]
fn sandbox_on(path: &Path) -> Run {
    let mut running = cmd().args(["sandbox", "--state"]).arg(path).spawn();
    let deadline = Instant::now() + SANITY;
    while running.child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = running.child.kill();
            panic!(
                "the sandbox started on {path:?}: {}",
                running.finish().stderr
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    running.finish()
}

#[test]
#[cfg_attr(
    not(unix),
    ignore = "a symbolic link, and SIGTERM: Unix's (and the lock is flock)"
)]
fn a_second_sandbox_on_the_same_state_file_refuses_to_start() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let link = dir.path().join("link.json");
    symlink("state.json", &link);
    let first = SandboxProcess::start(&["--state", state.to_str().expect("utf-8")]);
    for path in [&state, &link] {
        let second = sandbox_on(path);
        second.code(1).one_line_error();
        second.stderr_contains("in use by another sandbox");
        second.stderr_contains("(process ");
    }
    // The first one is untouched and still works.
    first.api().get("/v1/me").ok();
    let session = first.token.clone();
    assert_eq!(first.terminate(), Some(0));
    let again = SandboxProcess::start(&["--state", state.to_str().expect("utf-8")]);
    assert_eq!(
        again.token, session,
        "free again once the first has stopped"
    );
}

#[test]
fn a_failed_save_changes_nothing() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    let sandbox = BackgroundSandbox::start(Options {
        state: Some(state.clone()),
        ..Options::default()
    })
    .expect("start");
    let mut api = Api::new(&sandbox.url(), sandbox.token().expose());
    let kept = api.create(r#"{"description":"kept"}"#);
    let kept_prefix = kept["token_prefix"].as_str().expect("prefix").to_owned();

    // Every save fails from now on (as on a full disk; this works for root too): the state
    // file's path is taken by a directory the rename cannot replace.
    std::fs::remove_file(&state).expect("remove the state file");
    std::fs::create_dir(&state).expect("a directory in its place");
    std::fs::write(state.join("occupied"), b"x").expect("not empty");

    let (message, code) = api
        .send(
            "POST",
            "/v1/access_token",
            Some(r#"{"description":"lost"}"#),
        )
        .error_with_code(503);
    assert_eq!(code, "state_not_saved");
    assert!(message.contains("nothing was changed"), "{message}");
    api.revoke(&kept_prefix).error(503);
    let path = crate::support::sandbox::token_path(&kept_prefix);
    api.send("PUT", &path, Some(r#"{"description":"renamed"}"#))
        .error(503);
    let org = api.get("/v1/organizations").ok()["organizations"][0]["organization_id"]
        .as_str()
        .expect("org")
        .to_owned();
    let users = format!("/v1/organization/{org}/application-users");
    api.send("POST", &users, Some(r#"{"name":"lost"}"#))
        .error(503);

    let tokens = api.list();
    let descriptions: Vec<&str> = tokens
        .iter()
        .filter_map(|t| t["description"].as_str())
        .collect();
    assert_eq!(descriptions.len(), 2, "{descriptions:?}");
    assert!(descriptions.contains(&"kept"), "not renamed, not revoked");
    assert!(!descriptions.contains(&"lost"));
    let no_users = api.get(&users).ok();
    assert_eq!(no_users["application_users"], serde_json::json!([]));

    // Space again: the next change is saved, and the failed ones never count (quota).
    std::fs::remove_dir_all(&state).expect("free the path");
    for n in 0..9 {
        api.create(&format!(r#"{{"description":"after {n}"}}"#));
    }
    assert_eq!(api.list().len(), 11);
    let saved = state_tokens(&state);
    assert_eq!(saved.len(), 11);
    assert!(saved.iter().any(|t| t.starts_with(&kept_prefix)));
}

#[test]
#[cfg_attr(not(unix), ignore = "symbolic links: Unix's")]
fn state_through_a_symlink_writes_the_target_and_keeps_the_link() {
    let dir = state_dir();
    std::fs::create_dir(dir.path().join("real")).expect("mkdir");
    let link = dir.path().join("state.json");
    let target = dir.path().join("real/target.json");
    // Dangling at first: the sandbox creates the file where the link points.
    symlink("real/target.json", &link);
    let options = || Options {
        state: Some(link.clone()),
        token: Some(Secret::new("symlink/session+token=")),
        ..Options::default()
    };
    // The first sandbox is a process (see the module's docs): the file is opened again.
    let full = {
        let link = link.to_str().expect("utf-8 path");
        let sandbox =
            SandboxProcess::start(&["--state", link, "--token", "symlink/session+token="]);
        let mut api = Api::new(&sandbox.url, &sandbox.token);
        let created = api.create(r#"{"description":"through the link"}"#);
        sandbox.stop();
        created["full_token"].as_str().expect("t").to_owned()
    };
    let meta = std::fs::symlink_metadata(&link).expect("the link");
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    assert!(state_tokens(&target).contains(&full));
    let sandbox = BackgroundSandbox::start(options()).expect("restart");
    Api::new(&sandbox.url(), &full).get("/v1/me").ok();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names.len(),
        2,
        "nothing but the link and the directory: {names:?}"
    );
}

#[test]
fn stale_temporary_files_of_ours_are_removed_at_start() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    std::fs::write(&state, seeded_state(&[("stale/temp+session=", false)])).expect("state");
    let file = |name: &str| dir.path().join(name);
    let ours = [".state.json.4242.0.tmp", ".state.json.1.17.tmp"];
    let others = [
        ".state.json.bak",
        ".state.json.x.0.tmp",
        ".other.json.1.0.tmp",
        "state.json.1.0.tmp",
        "notes.txt",
    ];
    for name in ours.iter().chain(&others) {
        std::fs::write(file(name), b"a full token, perhaps").expect("write");
    }
    let sandbox = BackgroundSandbox::start(Options {
        state: Some(state.clone()),
        token: Some(Secret::new("stale/temp+session=")),
        ..Options::default()
    })
    .expect("start");
    for name in ours {
        assert!(!file(name).exists(), "{name} was left");
    }
    for name in others {
        assert!(file(name).exists(), "{name} was removed");
    }
    drop(sandbox);
}

#[test]
#[cfg_attr(not(unix), ignore = "a FIFO and /dev/zero: Unix's")]
fn only_a_regular_file_of_bounded_size_is_read_as_state() {
    let dir = state_dir();
    let fifo = dir.path().join("fifo.json");
    crate::support::Cmd::new("mkfifo")
        .arg(&fifo)
        .run()
        .success();
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(257 * 1024 * 1024))
        .expect("a sparse file");
    let cases: [(PathBuf, &str); 4] = [
        (fifo, "not a regular file"),
        (PathBuf::from("/dev/zero"), "not a regular file"),
        (dir.path().to_owned(), "not a regular file"),
        (huge, "larger than"),
    ];
    for (path, why) in cases {
        let started = Instant::now();
        let out = sandbox_on(&path);
        out.code(1).one_line_error();
        out.stderr_contains(why);
        assert!(started.elapsed() < SANITY, "{path:?} hung");
    }
    assert!(
        !Path::new("/dev/.zero.lock").exists(),
        "nothing created beside a device"
    );
}

/// `STATE=$(mktemp); avn-token sandbox --state "$STATE"`: an empty file is a first start (no
/// token can be lost: every save replaces the file whole, so a state the sandbox wrote is
/// never empty), and it holds the sandbox's tokens from then on.
#[test]
fn an_empty_state_file_is_a_first_start() {
    let dir = state_dir();
    let state = dir.path().join("state.json");
    std::fs::write(&state, b"").expect("an empty file, as mktemp makes");
    let path = state.to_str().expect("utf-8");
    let sandbox = SandboxProcess::start(&["--state", path]);
    let full = sandbox.api().create(r#"{"description":"kept"}"#)["full_token"]
        .as_str()
        .expect("full_token")
        .to_owned();
    sandbox.stop();
    assert!(state_tokens(&state).contains(&full));
    let again = SandboxProcess::start(&["--state", path]);
    let listed = again.api().list();
    assert!(
        listed.iter().any(|t| t["description"] == "kept"),
        "{listed:?}"
    );
}

/// Issue 8.11/8.13: a `--state` path the sandbox cannot use stops it with one clear error
/// line. The cause was said twice ("not a regular file: not a regular file", "No such file
/// or directory (os error 2): No such file or directory (os error 2)"): the error named its
/// cause in its text and again as its source.
#[test]
#[cfg_attr(not(unix), ignore = "/dev/zero and Unix's error text")]
fn a_state_file_error_names_its_cause_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (std::path::PathBuf::from("/dev/zero"), "not a regular file"),
        (dir.path().join("missing/state.json"), "No such file"),
    ];
    for (path, cause) in cases {
        let out = cmd().args(["sandbox", "--state"]).arg(&path).run();
        out.code(1).one_line_error();
        assert_eq!(out.stderr.matches(cause).count(), 1, "{}", out.stderr);
    }
}

/// README (`--state`): the sandbox locks a lock file `.FILE.lock` beside the state file. A
/// symbolic link planted there is not followed (its target is left as it was), and the
/// error says what is wrong with which file: it said only "Too many levels of symbolic
/// links", naming neither the lock file nor a link.
#[test]
#[cfg_attr(not(unix), ignore = "symbolic links: Unix's (and the lock is flock)")]
fn a_symlink_in_place_of_the_lock_file_is_named_as_such() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    symlink(&victim, dir.path().join(".state.json.lock"));
    let out = cmd()
        .args(["sandbox", "--state"])
        .arg(dir.path().join("state.json"))
        .run();
    out.code(1).one_line_error();
    out.stderr_contains(".state.json.lock")
        .stderr_contains("symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
}
