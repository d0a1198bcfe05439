//! `avn-token info`: one token found by prefix or full token, as a table or JSON; an
//! ambiguous or unknown prefix. (With `--app-user`: `application_users`.)

use serde_json::Value;

use crate::support::fakes::token_api;
use crate::support::snapshot::assert_exact_snapshot;
use crate::support::{cmd, token};

#[test]
fn info_finds_one_token_by_prefix_or_full_token() {
    let server = token_api(vec![
        token("AAAAbbbbCCCC", "first"),
        token("AAAAzzzzYYYY", "second"),
    ]);
    let out = cmd().api(&server).args(["info", "AAAAbbbbCCCC"]).run();
    out.success();
    assert_exact_snapshot!("table", out.stdout);
    let full = cmd()
        .api(&server)
        .args(["info", "AAAAzzzzYYYYandTheRestOfTheToken==", "--json"])
        .run();
    full.success();
    let parsed: Value = serde_json::from_str(&full.stdout).unwrap();
    assert_eq!(parsed[0]["description"], "second");
    cmd()
        .api(&server)
        .args(["info", "AAAA"])
        .run()
        .code(2)
        .one_line_error();
    cmd()
        .api(&server)
        .args(["info", "ZZZZ"])
        .run()
        .code(4)
        .one_line_error();
}
