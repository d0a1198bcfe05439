//! `logout` tells the truth (issue 18.2): it says a token "was no longer valid" and removes
//! the credentials file only when the API said so for that token; any other failure keeps
//! the file byte for byte, exits 1 and points at `logout --no-token-revoke`.

use serde_json::json;

use crate::support::sandbox::SandboxProcess;
use crate::support::server::{Canned, ScriptedServer, unused_address};
use crate::support::{cmd, write_credentials};

const STORED: &str = "stored-token-value/for+logout=";

/// Logout against `url` with a credentials file holding `token`: the run, and whether the
/// file is still there exactly as written.
fn logout(url: &str, token: &str) -> (crate::support::Run, bool) {
    let home = tempfile::tempdir().unwrap();
    let contents = json!({"auth_token": token, "user_email": "dev@example.com"}).to_string();
    let file = write_credentials(home.path(), &contents);
    // Private, as `login` writes it: no warning about its mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let out = cmd()
        .home(home.path())
        .url(url)
        .args(["logout", "--deadline", "10", "--retry-budget", "0"])
        .run();
    let kept = std::fs::read_to_string(&file).ok().as_deref() == Some(contents.as_str());
    assert!(
        kept || !file.exists(),
        "the file was changed, not kept or removed"
    );
    (out, kept)
}

#[track_caller]
fn kept_with_exit_1((out, kept): (crate::support::Run, bool)) {
    out.code(1).one_line_error();
    out.stderr_contains("was kept")
        .stderr_contains("avn-token logout --no-token-revoke");
    assert!(!out.stderr.contains("no longer valid"), "{}", out.stderr);
    assert!(kept, "the credentials file must be kept: {}", out.stderr);
}

#[track_caller]
fn removed_as_no_longer_valid((out, kept): (crate::support::Run, bool)) {
    out.success().stderr_contains("was no longer valid");
    assert!(!kept, "the credentials file must be removed");
}

#[test]
fn a_token_refused_for_another_reason_is_kept() {
    for (what, reply) in [
        (
            "an IP allowlist",
            Canned::json(
                403,
                json!({"message": "Your IP address is not allowed to use this token", "errors": [{"error_code": "ip_not_allowed", "message": "Your IP address is not allowed to use this token", "status": 403}]}),
            ),
        ),
        (
            "a scope",
            Canned::json(
                403,
                json!({"message": "Insufficient scope", "errors": [{"message": "Insufficient scope", "status": 403}]}),
            ),
        ),
        (
            "a proxy's page",
            Canned::raw(403, "text/html", b"<html><body>Forbidden</body></html>"),
        ),
        (
            "a proxy's 401 page",
            Canned::raw(401, "text/html", b"<html><body>Unauthorized</body></html>"),
        ),
        (
            "a wrong URL",
            Canned::raw(404, "text/html", b"<!DOCTYPE html><html>Not Found</html>"),
        ),
        ("an outage", Canned::json(500, json!({"message": "boom"}))),
    ] {
        let server = ScriptedServer::always(reply);
        let result = logout(&server.url(), STORED);
        eprintln!("{what}: {}", result.0.stderr);
        kept_with_exit_1(result);
    }
}

#[test]
fn a_server_that_is_down_keeps_the_file() {
    let url = format!("http://{}", unused_address());
    kept_with_exit_1(logout(&url, STORED));
}

#[test]
fn a_token_the_api_refuses_as_such_is_no_longer_valid() {
    for reply in [
        Canned::json(
            403,
            json!({"message": "Invalid token", "errors": [{"message": "Invalid token", "status": 403}]}),
        ),
        Canned::json(401, json!({"message": "Unauthorized"})),
        Canned::json(
            403,
            json!({"message": "Forbidden", "errors": [{"error_code": "authentication_failed", "message": "Forbidden", "status": 403}]}),
        ),
    ] {
        let server = ScriptedServer::always(reply);
        removed_as_no_longer_valid(logout(&server.url(), STORED));
    }
    // No logout endpoint, and the API says the token does not exist.
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "POST" => Canned::json(404, json!({"message": "No such API endpoint"})),
        _ => Canned::json(
            404,
            json!({"message": "Token not found", "errors": [{"message": "Token not found", "status": 404}]}),
        ),
    });
    removed_as_no_longer_valid(logout(&server.url(), STORED));
}

/// Against the sandbox: a token whose allowlist excludes this machine is alive and stays
/// stored; a revoked one is gone and its file goes.
#[test]
fn against_the_sandbox() {
    let sandbox = SandboxProcess::start(&[]);
    let create = |extra: &[&str]| {
        let out = cmd()
            .url(&sandbox.url)
            .token(&sandbox.token)
            .args(["create", "--description", "logout", "-q"])
            .args(extra)
            .run();
        out.success();
        out.stdout.trim().to_owned()
    };
    let elsewhere = create(&["--ip-allowlist", "10.0.0.0/8"]);
    let result = logout(&sandbox.url, &elsewhere);
    result.0.stderr_contains("HTTP 403");
    kept_with_exit_1(result);
    let prefix = &elsewhere[..12];
    assert!(
        sandbox
            .api()
            .list()
            .iter()
            .any(|token| token["token_prefix"] == prefix),
        "the token must still exist"
    );

    let revoked = create(&[]);
    sandbox.api().revoke(&revoked[..12]).ok();
    removed_as_no_longer_valid(logout(&sandbox.url, &revoked));

    let live = create(&[]);
    let (out, kept) = logout(&sandbox.url, &live);
    out.success().stderr_contains("revoked token");
    assert!(!kept);
}
