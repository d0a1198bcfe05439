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

/// `expire-all` (`avn user tokens-expire`) from the user's side.
mod message {
    use crate::support::server::{Canned, ScriptedServer};
    use crate::support::{Cmd, avn_binary, cmd};
    use serde_json::json;

    const TOKEN: &str = "expire+all/test=token0123456789abcdefABCDEF==";

    /// Issue 19.3: the server's message is printed as `avn` prints it, laid out as it was
    /// written: line breaks, tabs and trailing spaces stay (they cannot rewrite the terminal);
    /// only what can is escaped, as everywhere (the rule of `src/safe_text.rs`).
    #[test]
    fn the_message_keeps_its_lines_tabs_and_trailing_spaces() {
        let message = "All tokens expired.\n\tLog in again:  avn-token login  \n\nbye \t";
        let server = ScriptedServer::always(Canned::json(200, json!({ "message": message })));
        for args in [&["expire-all", "--yes"][..], &["user", "tokens-expire"]] {
            let out = cmd().url(server.url()).token(TOKEN).args(args).run();
            out.success();
            assert_eq!(out.stdout, format!("{message}\n"), "{args:?}");
            assert_eq!(out.stderr, "");
        }
        let Some(avn) = avn_binary() else { return };
        let reference = Cmd::python(avn)
            .url(server.url())
            .args(["--auth-token", TOKEN, "user", "tokens-expire"])
            .run();
        reference.success();
        assert_eq!(reference.stdout, format!("{message}\n"), "avn prints it so");
    }

    /// What could rewrite the terminal is still escaped: a carriage return (which returns over
    /// the line), escape sequences, bidi overrides, C1 controls.
    #[test]
    fn what_rewrites_the_terminal_is_escaped() {
        let server = ScriptedServer::always(Canned::json(
            200,
            json!({ "message": "done\r\u{1b}[2Jowned\u{202e}x\u{9b}\nnext line" }),
        ));
        let out = cmd()
            .url(server.url())
            .token(TOKEN)
            .args(["expire-all", "--yes"])
            .run();
        out.success();
        assert_eq!(
            out.stdout,
            "done\\r\\u001b[2Jowned\\u202ex\\u009b\nnext line\n"
        );
    }
}
