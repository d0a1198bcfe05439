//! `avn-token login` and `logout`: a token checked before it is stored privately, read back
//! by `avn-token` and `avn`, a prompt without echo on a terminal, `logout` through the
//! logout endpoint (or avn's `DELETE`), `--no-token-revoke`. (What may be replaced or
//! removed as a credentials file is in `credentials`.)

use serde_json::{Value, json};

use crate::support::fakes::{prefix_api, token_api};
use crate::support::platform::{mode, set_mode};
use crate::support::sandbox::{SandboxEnv, find};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, avn_binary, cmd, credentials_file, write_credentials};
use crate::support::{answer_on_a_terminal, on_a_terminal};

#[test]
#[cfg_attr(not(unix), ignore = "file modes: Unix's")]
fn login_stores_a_checked_token_privately_and_logout_removes_it() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let stored = || cmd().home(home.path()).url(server.url());
    let login = |input: &str| stored().arg("login").write_stdin(input).run();
    login("   \n").code(2).one_line_error();
    let out = login("stored-token-value/+=\n");
    out.success();
    let me = server.requests().pop().unwrap();
    assert_eq!((me.method.as_str(), me.path.as_str()), ("GET", "/v1/me"));
    assert_eq!(
        me.header("authorization"),
        Some("aivenv1 stored-token-value/+=")
    );

    let file = credentials_file(home.path());
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        saved,
        json!({"auth_token": "stored-token-value/+=", "user_email": "dev@example.com"})
    );
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(file.parent().unwrap()), 0o700);

    // The stored token is used, and a readable-by-others file is warned about.
    set_mode(&file, 0o644);
    let listed = stored().arg("list").run();
    listed.success();
    listed.stderr_contains("chmod 600");
    assert_eq!(
        server.requests().pop().unwrap().header("authorization"),
        Some("aivenv1 stored-token-value/+=")
    );

    let out = stored().arg("logout").run();
    out.success();
    let revoke = server.requests().pop().unwrap();
    assert_eq!(
        (revoke.method.as_str(), revoke.path.as_str()),
        ("POST", "/v1/me/logout")
    );
    assert_eq!(
        revoke.header("authorization"),
        Some("aivenv1 stored-token-value/+=")
    );
    assert!(!file.exists());
}

#[test]
fn login_with_a_rejected_token_writes_nothing() {
    let server = ScriptedServer::always(Canned::json(403, json!({"message": "Invalid token"})));
    let home = tempfile::tempdir().unwrap();
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .arg("login")
        .write_stdin("bad-token\n")
        .run();
    out.code(3).one_line_error();
    assert!(!credentials_file(home.path()).exists());
}

#[test]
fn login_with_auth_token_stores_that_token() {
    let server = prefix_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .args(["login", "--auth-token", "given-on-the-command-line"])
        .run();
    out.success();
    let me = &server.requests()[0];
    assert_eq!(me.path, "/v1/me");
    assert_eq!(
        me.header("authorization"),
        Some("aivenv1 given-on-the-command-line")
    );
    let stored = std::fs::read_to_string(credentials_file(home.path())).unwrap();
    assert!(stored.contains("given-on-the-command-line"), "{stored}");
}

#[test]
fn logout_without_revoke_only_removes_the_file() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(home.path(), r#"{"auth_token": "t", "user_email": null}"#);
    let out = cmd()
        .home(home.path())
        .url(server.url())
        .args(["logout", "--no-token-revoke"])
        .run();
    out.success();
    assert!(server.requests().is_empty());
    assert!(!file.exists());
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

/// PowerShell pipes every line with CRLF (`'TOKEN' | avn-token login`), and so does a file
/// saved on Windows: the `\r` ends the line, it is not part of the token (on every
/// platform, as for every source of a token).
#[test]
fn login_reads_a_token_piped_with_crlf() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    cmd()
        .home(home.path())
        .url(server.url())
        .arg("login")
        .write_stdin("piped/token+value=\r\n")
        .run()
        .success();
    let me = server.requests().pop().unwrap();
    assert_eq!(
        me.header("authorization"),
        Some("aivenv1 piped/token+value=")
    );
    let saved: Value =
        serde_json::from_slice(&std::fs::read(credentials_file(home.path())).unwrap()).unwrap();
    assert_eq!(saved["auth_token"], "piped/token+value=");
}

/// A piped token is read whole, however long (4 KiB here, ten times Aiven's), and more than
/// 64 KiB on stdin is refused rather than cut to a token: nothing sent, nothing stored.
#[test]
fn login_reads_a_long_piped_token_whole_and_refuses_a_flood() {
    let long = format!("long/{}=", "t".repeat(4096));
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let login = |input: String| {
        cmd()
            .home(home.path())
            .url(server.url())
            .arg("login")
            .write_stdin(input)
            .run()
    };
    // Exactly 64 KiB, the token then blank lines, is still read.
    let padded = format!("{long}{}", "\n".repeat(64 * 1024 - long.len()));
    for input in [format!("{long}\n"), padded] {
        login(input).success();
        let me = server.requests().pop().unwrap();
        assert_eq!(
            me.header("authorization"),
            Some(&*format!("aivenv1 {long}"))
        );
        std::fs::remove_file(credentials_file(home.path())).unwrap();
    }

    let before = server.requests().len();
    login("f".repeat(64 * 1024 + 1))
        .code(2)
        .one_line_error()
        .stderr_contains("more than 64 KiB on stdin");
    assert_eq!(server.requests().len(), before, "nothing is sent");
    assert!(!credentials_file(home.path()).exists());
}

/// On a terminal, login prompts without echo: what is typed is stored, never shown.
#[test]
fn login_prompts_without_echo_on_a_terminal() {
    let server = token_api(vec![]);
    let home = tempfile::tempdir().unwrap();
    let Some(script) = on_a_terminal(&server, "login") else {
        return;
    };
    let typed = answer_on_a_terminal(
        script.home(home.path()),
        "input hidden",
        "typed/secret+token=\n",
    );
    let shown = &typed.stdout;
    assert_eq!(typed.status, Some(0), "{shown}");
    assert!(
        !shown.contains("typed/secret"),
        "the token was echoed: {shown}"
    );
    let stored: Value =
        serde_json::from_slice(&std::fs::read(credentials_file(home.path())).unwrap()).unwrap();
    assert_eq!(stored["auth_token"], "typed/secret+token=");
}

#[test]
fn login_then_avn_and_avn_token_use_the_stored_token_and_logout_revokes_it() {
    let env = SandboxEnv::new();
    let (token, prefix) = env.create(&["--description", "laptop"]);
    let out = env
        .cmd()
        .arg("login")
        .write_stdin(format!("{token}\n"))
        .run();
    out.success();
    out.stderr_contains("logged in as");

    // No token in the environment: both clients read the credentials file.
    let listed = env.cmd().args(["list", "--json"]).run();
    listed.success();
    let tokens: Vec<Value> = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(
        find(&tokens, &prefix).unwrap()["currently_active"],
        json!(true)
    );
    if let Some(avn) = avn_binary() {
        let out = Cmd::python(avn)
            .home(env.home.path())
            .url(env.sandbox.url())
            .args(["user", "access-token", "list"])
            .run();
        out.success();
        assert!(
            out.stdout.contains(&prefix),
            "avn did not read the credentials file: {}",
            out.stderr
        );
    }

    env.cmd().arg("logout").run().success();
    assert!(!credentials_file(env.home.path()).exists());
    let remaining = env.list();
    assert!(
        find(&remaining, &prefix).is_none(),
        "logout must revoke the stored token"
    );
    env.cmd().arg("list").run().code(3).one_line_error();
}

/// `logout` tells the truth (issue 18.2): it says a token "was no longer valid" and removes
/// the credentials file only when the API said so for that token; any other failure keeps
/// the file byte for byte, exits 1 and points at `logout --no-token-revoke`.
mod logout_verdict {
    use crate::support::sandbox::SandboxProcess;
    use crate::support::server::{Canned, ScriptedServer, unused_address};
    use crate::support::{cmd, write_credentials};
    use serde_json::json;

    const STORED: &str = "stored-token-value/for+logout=";

    /// Logout against `url` with a credentials file holding `token`: the run, and whether the
    /// file is still there exactly as written.
    fn logout(url: &str, token: &str) -> (crate::support::Run, bool) {
        let home = tempfile::tempdir().unwrap();
        let contents = json!({"auth_token": token, "user_email": "dev@example.com"}).to_string();
        let file = write_credentials(home.path(), &contents);
        // Private, as `login` writes it: no warning about its mode.
        crate::support::platform::make_private(&file);
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
}
