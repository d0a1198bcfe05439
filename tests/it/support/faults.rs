//! The token, answers and leak check the transport tests script faults with: every run goes
//! through [`run_cli`], which checks that the token never appears on stderr, whatever the
//! scenario.

use serde_json::{Value, json};

use super::server::{Canned, ScriptedServer};
use super::{Cmd, Run, TOKEN};

/// The secret a `create` returns.
pub const FULL_TOKEN: &str = "XCJ3+bgWywIhFULL/TOKEN+VALUE==";

/// A token with nothing but its prefix and description set.
pub fn one_token() -> Value {
    json!({
        "create_time": "2021-08-16T15:29:14Z", "created_manually": true,
        "currently_active": false, "description": "ci", "expiry_time": null,
        "extend_when_used": false, "last_ip": null, "last_used_time": null,
        "last_user_agent": null, "max_age_seconds": null, "token_prefix": "XCJ3+bgWywIh"
    })
}

/// A list of [`one_token`].
pub fn list_ok() -> Canned {
    Canned::json(200, json!({ "tokens": [one_token()] }))
}

/// A create's answer: [`one_token`] with [`FULL_TOKEN`].
pub fn created() -> Canned {
    let mut token = one_token();
    token["full_token"] = json!(FULL_TOKEN);
    Canned::json(200, token)
}

/// Run, and check the one rule that holds in every scenario: neither the token in use nor
/// a token the server handed out is ever written to stderr, raw or percent-encoded.
pub fn run_cli(command: Cmd) -> Run {
    let out = command.run();
    for secret in [TOKEN, FULL_TOKEN] {
        for form in [secret.to_owned(), encoded(secret)] {
            assert!(
                !out.stderr.contains(&form),
                "a token leaked to stderr: {}",
                out.stderr
            );
        }
    }
    out
}

/// `secret` percent-encoded as a URL path segment.
pub fn encoded(secret: &str) -> String {
    secret
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D")
}

/// The method of every request `server` received, in order.
pub fn methods(server: &ScriptedServer) -> Vec<String> {
    server.requests().into_iter().map(|r| r.method).collect()
}
