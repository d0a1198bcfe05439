//! The real `avn` (aiven-client 4.18.0) works against the sandbox unchanged: create, list,
//! update, revoke by prefix and by full token, and a revoked token refused.
//!
//! `avn` is found through `$AVN_BIN` or `.venv/bin/avn` (CI installs it there). Without it
//! this test says so loudly and passes locally; with `CI` set it fails.

use avn_token::sandbox::{BackgroundSandbox, Options};

use crate::support::avn_binary;
use crate::support::sandbox::{Avn, token_path};

/// `user access-token ARGS...`
fn access<'a>(args: &[&'a str]) -> Vec<&'a str> {
    [&["user", "access-token"], args].concat()
}

#[test]
fn the_real_avn_works_against_the_sandbox() {
    let Some(program) = avn_binary() else {
        return;
    };
    let sandbox = BackgroundSandbox::start(Options::default()).expect("start");
    let avn = Avn {
        program,
        url: sandbox.url(),
    };
    let session = sandbox.token().expose().to_owned();

    // create: the table has the full token; --json the whole object.
    let table = avn.ok(
        &session,
        &access(&[
            "create",
            "--description",
            "made by avn",
            "--max-age-seconds",
            "3600",
        ]),
    );
    let header = table.lines().next().unwrap_or_default();
    assert!(header.starts_with("EXPIRY_TIME"), "{table}");
    assert!(header.contains("FULL_TOKEN"));
    let created = avn.json(
        &session,
        &access(&[
            "create",
            "--description",
            "second",
            "--extend-when-used",
            "--json",
        ]),
    );
    let second = created[0]["full_token"]
        .as_str()
        .expect("full_token")
        .to_owned();
    assert_eq!(created[0]["extend_when_used"], true);
    assert_eq!(created[0]["max_age_seconds"], 2_592_000);

    // list: three tokens, the session one active.
    let listed = avn.json(&session, &access(&["list", "--json"]));
    let tokens = listed.as_array().expect("a list");
    assert_eq!(tokens.len(), 3);
    let made = tokens
        .iter()
        .find(|t| t["description"] == "made by avn")
        .expect("listed");
    let first_prefix = made["token_prefix"].as_str().expect("prefix").to_owned();
    assert_eq!(made["max_age_seconds"], 3600);
    let list_table = avn.ok(&session, &access(&["list"]));
    assert!(list_table.contains(&first_prefix), "{list_table}");
    assert!(
        list_table.contains("aiven-client/4.18.0"),
        "last user agent: {list_table}"
    );

    // update by prefix.
    let updated = avn.json(
        &session,
        &access(&[
            "update",
            &first_prefix,
            "--description",
            "renamed",
            "--json",
        ]),
    );
    assert_eq!(updated[0]["description"], "renamed");
    assert_eq!(updated[0]["token_prefix"], first_prefix.as_str());

    // revoke by prefix, then by full token; both print `Revoked`.
    assert_eq!(
        avn.ok(&session, &access(&["revoke", &first_prefix])),
        "Revoked\n"
    );
    // The second token can still be used, then is revoked by its full value.
    avn.ok(&second, &access(&["list"]));
    assert_eq!(avn.ok(&session, &access(&["revoke", &second])), "Revoked\n");
    let paths: Vec<String> = sandbox
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(paths, [token_path(&first_prefix), token_path(&second)]);

    // A revoked token is refused, and avn says it failed.
    let refused = avn.run(&second, &access(&["list"]));
    refused.failure();
    assert_eq!(refused.stdout, "");
    let listed = avn.json(&session, &access(&["list", "--json"]));
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(1),
        "only the session is left"
    );
}
