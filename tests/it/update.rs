//! `avn-token update`: the new description sent to the token's own URL, the prefix
//! percent-encoded as one path segment (as `revoke` encodes it).

use serde_json::json;

use crate::support::cmd;
use crate::support::fakes::{fake_aiven, sample_tokens};

#[test]
fn update_and_revoke_percent_encode_the_prefix_as_one_segment() {
    let server = fake_aiven(sample_tokens());
    let out = cmd()
        .api(&server)
        .args(["update", "ab/c+d=", "--description", "new words"])
        .run();
    out.success();
    assert!(out.stdout.starts_with("EXPIRY_TIME  "), "{}", out.stdout);
    out.stdout_contains("  new words  ");
    let put = &server.requests()[0];
    assert_eq!(
        (put.method.as_str(), put.path.as_str()),
        ("PUT", "/v1/access_token/ab%2Fc%2Bd%3D")
    );
    assert_eq!(put.json(), json!({"description": "new words"}));

    let out = cmd()
        .api(&server)
        .args(["revoke", "ab/c+d=", "--yes"])
        .run();
    out.success();
    assert_eq!(out.stdout, "Revoked\n");
    let delete = server
        .requests()
        .into_iter()
        .find(|r| r.method == "DELETE")
        .unwrap();
    assert_eq!(delete.path, "/v1/access_token/ab%2Fc%2Bd%3D");
}
