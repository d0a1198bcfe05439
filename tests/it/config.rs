//! Where the settings come from and what is refused: the token (flag, then environment,
//! then credentials file; printable ASCII from every source), the API URL (a URL, without
//! credentials, cleartext only to loopback or with `--allow-insecure-http`) and the CA from
//! the environment.

use serde_json::json;

use crate::support::fakes::{fake_aiven, prefix_api, sample_tokens};
use crate::support::faults::{list_ok, run_cli};
use crate::support::hostile::{self, assert_no_raw_controls};
use crate::support::platform::make_private;
use crate::support::server::ScriptedServer;
use crate::support::{Cmd, TOKEN, cmd, token, write_credentials};

#[test]
fn no_credentials_names_the_fixes_and_sends_nothing() {
    let server = fake_aiven(sample_tokens());
    let out = cmd().url(server.url()).arg("list").run();
    out.code(3).one_line_error();
    for fix in ["--auth-token", "AIVEN_AUTH_TOKEN", "login"] {
        out.stderr_contains(fix);
    }
    assert!(server.requests().is_empty());
}

#[test]
fn token_comes_from_flag_then_env_then_credentials_file() {
    let server = fake_aiven(json!([]));
    let home = tempfile::tempdir().unwrap();
    let file = write_credentials(
        home.path(),
        r#"{"auth_token": "from-file", "user_email": "me@example.com"}"#,
    );
    make_private(&file);
    let base = || cmd().home(home.path()).url(server.url());
    base().arg("list").run().success();
    base().token("from-env").arg("list").run().success();
    base()
        .token("from-env")
        .args(["list", "--auth-token", "from-flag"])
        .run()
        .success();
    let seen: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(
        seen,
        ["aivenv1 from-file", "aivenv1 from-env", "aivenv1 from-flag"]
    );
}

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

#[test]
fn environment_still_sets_the_url_and_ca() {
    let server = prefix_api(vec![token("AAAAtoken000", "a")]);
    cmd().api(&server).arg("list").run().success();
    let out = cmd()
        .api(&server)
        .env("AIVEN_CA_CERT", "/nonexistent/ca.pem")
        .args(["--url", "https://127.0.0.1:9", "list"])
        .run();
    out.failure();
    out.stderr_contains("/nonexistent/ca.pem");
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

#[test]
fn cleartext_to_a_remote_host_is_refused_before_any_traffic() {
    let out = run_cli(cmd().url("http://example.invalid").token(TOKEN).arg("list"));
    // A DNS lookup or connection attempt would end in "cannot reach" (exit 1) instead.
    out.code(2).one_line_error();
    out.stderr_contains("--allow-insecure-http");
    assert!(!out.stderr.contains("cannot reach"), "{}", out.stderr);
}

/// `0.0.0.0` is not a loopback address, but on Linux connecting to it reaches this host:
/// a non-loopback URL whose traffic still stays on the machine.
#[test]
#[cfg_attr(
    not(target_os = "linux"),
    ignore = "relies on connecting to 0.0.0.0 reaching this host, as on Linux"
)]
fn allow_insecure_http_is_the_explicit_opt_out() {
    let server = ScriptedServer::always(list_ok());
    let port = server.url().rsplit(':').next().unwrap().to_owned();
    let url = format!("http://0.0.0.0:{port}");
    let refused = run_cli(cmd().api(&server).env("AIVEN_WEB_URL", &url).arg("list"));
    refused.code(2).one_line_error();
    assert!(server.requests().is_empty());
    run_cli(
        cmd()
            .api(&server)
            .env("AIVEN_WEB_URL", &url)
            .args(["list", "--allow-insecure-http"]),
    )
    .success();
    assert_eq!(server.requests().len(), 1);
}
