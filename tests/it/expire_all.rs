//! `avn-token expire-all` (and avn's spelling, `user tokens-expire`): the call and its
//! message, and every token ended in the sandbox.

use serde_json::json;

use crate::support::cmd;
use crate::support::fakes::token_api;
use crate::support::sandbox::SandboxEnv;
use crate::support::server::{Canned, ScriptedServer};

#[test]
fn expire_all_posts_and_prints_the_message() {
    let server = token_api(vec![]);
    let out = cmd().api(&server).arg("expire-all").run();
    out.success();
    assert_eq!(out.stdout, "All tokens expired\n");
    assert_eq!(server.requests()[0].path, "/v1/me/expire_tokens");
}

#[test]
fn avns_user_tokens_expire_spelling_is_expire_all() {
    let server =
        ScriptedServer::always(Canned::json(200, json!({"message": "All tokens expired"})));
    let out = cmd().api(&server).args(["user", "tokens-expire"]).run();
    out.success();
    assert_eq!(out.stdout, "All tokens expired\n");
    assert_eq!(server.requests()[0].path, "/v1/me/expire_tokens");
}

#[test]
fn expire_all_logs_everyone_out() {
    let env = SandboxEnv::new();
    let (other, _) = env.create(&["--description", "other"]);
    let out = env.run(&["expire-all"]);
    out.success();
    assert!(!out.stdout.trim().is_empty());
    env.run(&["list"]).code(3);
    env.run_as(&other, &["list"]).code(3);
}
