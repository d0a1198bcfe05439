//! `avn-token list`: avn's table and the request behind it, an empty list, and the warning
//! near the 10-token personal quota (never beyond it: that caller is not under the quota).

use serde_json::{Value, json};

use crate::support::fakes::{fake_aiven, sample_tokens, token_api};
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};
use crate::support::snapshot::assert_exact_snapshot;
use crate::support::{TOKEN, cmd, token};

#[test]
fn list_prints_the_avn_table_and_sends_the_right_request() {
    let server = fake_aiven(sample_tokens());
    let out = cmd().api(&server).arg("list").run();
    out.success();
    assert_exact_snapshot!("avn_table", out.stdout);
    assert_eq!(out.stderr, "");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/v1/access_token");
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("aivenv1 {TOKEN}").as_str())
    );
    assert_eq!(
        requests[0].header("user-agent"),
        Some(concat!("avn-token/", env!("CARGO_PKG_VERSION")))
    );
}

#[test]
fn empty_list_prints_nothing() {
    let server = fake_aiven(json!([]));
    let out = cmd().api(&server).arg("list").run();
    out.success();
    assert_eq!(out.stdout, "");
    let json = cmd().api(&server).args(["list", "--json"]).run();
    assert_eq!(json.stdout, "[]\n");
}

#[test]
fn list_warns_near_the_personal_token_quota() {
    let tokens: Vec<Value> = (0..8)
        .map(|i| token(&format!("prefix{i:06}"), "t"))
        .collect();
    let out = cmd().api(&token_api(tokens.clone())).arg("list").run();
    out.success();
    out.stderr_contains("8 of 10 personal tokens");
    // Session tokens (created by login) do not count, and 7 personal tokens are fine.
    let mut fewer = tokens;
    fewer[0]["created_manually"] = json!(false);
    let out = cmd().api(&token_api(fewer)).arg("list").run();
    out.success();
    assert_eq!(out.stderr, "");
}

/// Issue 10.4: "the 10-token quota does not apply to application users". An application
/// token running `avn-token list` (the sandbox, as the API's personal-token calls, lists
/// that user's own tokens) was warned "35 of 10 personal tokens in use": more than the
/// quota allows means the caller is not under it, and nothing is said.
#[test]
fn no_quota_warning_beyond_the_quota() {
    let tokens: Vec<_> = (0..12)
        .map(|n| token(&format!("APPtoken{n:04}"), "ci"))
        .collect();
    let server = ScriptedServer::always(Canned::json(200, json!({ "tokens": tokens })));
    let out = cmd().api(&server).arg("list").run();
    out.success();
    assert!(!out.stderr.contains("12 of 10"), "{}", out.stderr);
}

#[test]
fn quota_warning_and_the_limit() {
    let env = SandboxEnv::new();
    for i in 0..8 {
        env.create(&["--description", &format!("t{i}")]);
    }
    let out = env.run(&["list"]);
    out.success();
    out.stderr_contains("8 of 10 personal tokens");
    env.create(&["--description", "t8"]);
    env.create(&["--description", "t9"]);
    let refused = env.run(&["create", "--description", "t10"]);
    refused.code(1).one_line_error();
}
