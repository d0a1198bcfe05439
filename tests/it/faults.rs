//! Faults and hostile servers: retries, timeouts, broken and strange responses, secrets in
//! traces and errors, cleartext refusal, Ctrl-C. The real binary against a scripted server
//! on 127.0.0.1; nothing here leaves loopback.
//!
//! Every run goes through [`run_cli`], which also checks that the token never appears on
//! stderr, whatever the scenario.

use crate::support::faults::*;
use crate::support::server::ScriptedServer;
use crate::support::{TOKEN, cmd};

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
#[cfg(target_os = "linux")]
#[test]
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
