//! `avn-token rotate`: the replacement copies every setting and the old token is revoked;
//! a restriction it cannot read refuses the rotation, never widening the token; a failed
//! revoke keeps the new token on stdout and says so once; the quota (explained at 10, not
//! applied beyond it, never for another failure); the new token kept out of later
//! messages; and a working replacement in the sandbox. (A replacement that cannot be
//! written to stdout is in `delivery`.)

use serde_json::{Value, json};

use crate::support::fakes::{api_error, posted, prefix_api, sent_anything_but_list, token_api};
use crate::support::sandbox::{SandboxEnv, find};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Run, cmd, token};

#[test]
fn rotate_copies_the_settings_then_revokes_the_old_token() {
    let server = token_api(vec![token("OLDtoken/+==", "deploy")]);
    let out = cmd().api(&server).args(["rotate", "OLDtoken/+=="]).run();
    out.success();
    out.stdout_contains("NEWtoken0000/full+token==");
    assert!(out.stdout.starts_with("EXPIRY_TIME  "), "{}", out.stdout);
    assert_eq!(
        posted(&server),
        [json!({
            "description": "deploy", "max_age_seconds": 7200, "extend_when_used": true,
            "scopes": ["user:read", "projects"], "ip_allowlist": ["10.0.0.0/8"]
        })]
    );
    let methods: Vec<(String, String)> = server
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.path.clone()))
        .collect();
    assert_eq!(
        methods,
        [
            ("GET".to_owned(), "/v1/access_token".to_owned()),
            ("POST".to_owned(), "/v1/access_token".to_owned()),
            (
                "DELETE".to_owned(),
                "/v1/access_token/OLDtoken%2F%2B%3D%3D".to_owned()
            ),
        ]
    );
    let quiet = cmd()
        .api(&server)
        .args(["rotate", "OLDtoken/+==", "-q", "--description", "new name"])
        .run();
    quiet.success();
    assert_eq!(quiet.stdout, "NEWtoken0000/full+token==\n");
    assert_eq!(posted(&server).last().unwrap()["description"], "new name");
}

#[test]
fn rotate_with_a_failing_revoke_still_prints_the_new_token() {
    let server = token_api(vec![token("OLDtoken0000", "deploy")]);
    server.push(Canned::json(
        200,
        json!({"tokens": [token("OLDtoken0000", "deploy")]}),
    ));
    server.push(Canned::json(
        200,
        json!({"token_prefix": "NEWtoken0000", "full_token": "NEWtoken0000rest"}),
    ));
    server.push(Canned::json(
        400,
        json!({"message": "cannot revoke right now"}),
    ));
    let out = cmd()
        .api(&server)
        .args(["rotate", "OLDtoken0000", "-q"])
        .run();
    out.code(1);
    assert_eq!(
        out.stdout, "NEWtoken0000rest\n",
        "the new token must not be lost"
    );
    out.stderr_contains("STILL ACTIVE")
        .stderr_contains("OLDtoken0000");
}

#[test]
fn rotate_at_the_quota_explains_how_to_free_a_slot() {
    let tokens: Vec<Value> = (0..10)
        .map(|n| token(&format!("QUOTAtoken{n:02}"), "full"))
        .collect();
    let server = prefix_api(tokens);
    let out = cmd()
        .api(&server)
        .args(["rotate", "QUOTAtoken03", "--yes"])
        .run();
    out.code(1).one_line_error();
    out.stderr_contains("all 10 personal tokens are in use");
    out.stderr_contains("rotation needs a free slot");
    out.stderr_contains("avn-token revoke");
    assert!(!sent_anything_but_list(&server), "{:?}", server.requests());
}

#[test]
fn rotate_explains_the_quota_when_the_api_refuses_with_409() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token("ROTtoken0000", "ci")]})),
        _ => api_error(409, "Too many tokens"),
    });
    let out = cmd().api(&server).args(["rotate", "ROTtoken0000"]).run();
    out.code(1).one_line_error();
    out.stderr_contains("rotation needs a free slot");
}

/// Only the API's 409 is the quota: a replacement that cannot be created for any other
/// reason (a 500, a 403, a dropped connection) is reported in the API's words, never as
/// "all 10 personal tokens are in use", and the old token is kept.
#[test]
fn rotate_reports_the_real_error_when_the_replacement_cannot_be_created() {
    for (failure, code, says) in [
        (api_error(500, "database on fire"), 1, "database on fire"),
        (
            api_error(403, "scope user:read cannot create"),
            3,
            "scope user:read cannot create",
        ),
        (Canned::Hangup, 1, "may have been carried out"),
    ] {
        let server = ScriptedServer::start(move |request| match request.method.as_str() {
            "GET" => Canned::json(200, json!({"tokens": [token("ROTtoken0000", "ci")]})),
            "POST" => failure.clone(),
            _ => Canned::json(200, json!({"message": "revoked"})),
        });
        let out = cmd()
            .api(&server)
            .args(["--retry-budget", "0", "rotate", "ROTtoken0000", "-q"])
            .run();
        out.code(code).one_line_error().stderr_contains(says);
        assert!(
            !out.stderr.contains("personal tokens are in use") && !out.stderr.contains("free slot"),
            "{says}: {}",
            out.stderr
        );
        assert!(
            server.requests().iter().all(|r| r.method != "DELETE"),
            "{says}: the old token must be kept"
        );
    }
}

/// The same for `rotate`: with more tokens than the personal quota allows (an application
/// token rotating one of its own), `rotate` refused before asking anything, "all 10
/// personal tokens are in use". At exactly 10 it still explains (`rotate_at_the_quota_explains_how_to_free_a_slot`).
#[test]
fn rotate_is_not_refused_beyond_the_quota() {
    const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0UGFydE9mVGhlTmV3VG9rZW4xMjM0NTY3ODkw";
    let tokens: Vec<_> = (0..12)
        .map(|n| token(&format!("APPtoken{n:04}"), "ci"))
        .collect();
    let server = ScriptedServer::start(move |request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({ "tokens": tokens })),
        "POST" => Canned::json(200, json!({"token_prefix": &NEW[..12], "full_token": NEW})),
        _ => Canned::json(200, json!({"message": "revoked"})),
    });
    let out = cmd()
        .api(&server)
        .args(["rotate", "APPtoken0003", "-q"])
        .run();
    out.success();
    assert_eq!(out.stdout, format!("{NEW}\n"));
}

/// `rotate OLDtoken0000` as a script (`-q`), a person (the table) and a pipeline (`-o json`).
fn rotate_in_every_mode(server: &ScriptedServer) -> Vec<(&'static [&'static str], Run)> {
    [&["-q"][..], &[], &["-o", "json"]]
        .into_iter()
        .map(|format| {
            let out = cmd()
                .api(server)
                .args(["rotate", "OLDtoken0000"])
                .args(format)
                .run();
            (format, out)
        })
        .collect()
}

/// The quality bar: a failure says so in one `error:` line. A rotation whose revoke failed
/// said it twice (the details, then "rotation of ... is incomplete"); the one line keeps
/// the details. stdout holds the new token, which must not be lost (exit 1, as documented).
#[test]
fn a_rotation_whose_revoke_failed_says_so_once() {
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token("OLDtoken0000", "deploy")]})),
        "POST" => Canned::json(
            200,
            json!({"token_prefix": "NEWtoken0000", "full_token": "TkVXdG9rZW4wMDAw"}),
        ),
        _ => Canned::json(500, json!({"message": "cannot revoke right now"})),
    });
    for (format, out) in rotate_in_every_mode(&server) {
        out.code(1).stdout_contains("TkVXdG9rZW4wMDAw");
        assert_eq!(out.stderr.lines().count(), 1, "{format:?}: {}", out.stderr);
        out.stderr_contains("error: the new token was created")
            .stderr_contains("cannot revoke right now")
            .stderr_contains("STILL ACTIVE")
            .stderr_contains("avn-token revoke OLDtoken0000");
    }
}

/// Issue 8.2 (found after the probing above): `rotate` prints the new token once, on
/// stdout. A server that echoes it back in the revoke's error must not get it onto stderr
/// too (a CI log), in any output mode.
#[test]
fn rotate_keeps_the_new_token_out_of_later_messages() {
    const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0UGFydE9mVGhlTmV3VG9rZW4xMjM0NTY3ODkw";
    let server = ScriptedServer::start(|request| match request.method.as_str() {
        "GET" => Canned::json(200, json!({"tokens": [token("OLDtoken0000", "deploy")]})),
        "POST" => Canned::json(200, json!({"token_prefix": &NEW[..12], "full_token": NEW})),
        _ => Canned::json(
            500,
            json!({ "message": format!("cannot revoke: {NEW} is busy") }),
        ),
    });
    for (format, out) in rotate_in_every_mode(&server) {
        out.code(1)
            .stdout_contains(NEW)
            .stderr_contains("(redacted)");
        for window in NEW.as_bytes()[12..].windows(16) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(!out.stderr.contains(piece), "{format:?}: {}", out.stderr);
        }
    }
}

#[test]
fn rotate_gives_a_working_replacement_and_kills_the_old_token() {
    let env = SandboxEnv::new();
    let (old_token, old_prefix) = env.create(&[
        "--description",
        "deploy",
        "--max-age-seconds",
        "7200",
        "--extend-when-used",
        "--scope",
        "authentication",
    ]);
    let out = env.run(&["rotate", &old_prefix, "-q"]);
    out.success();
    let new_token = out.stdout.trim_end().to_owned();
    assert!(
        new_token.len() > 40 && !new_token.contains('\n'),
        "{}",
        out.stdout
    );
    out.stderr_contains("revoked the old token");

    let tokens = env.list();
    assert!(
        find(&tokens, &old_prefix).is_none(),
        "the old token is still listed"
    );
    let new = find(&tokens, &new_token[..12]).expect("the new token is listed");
    assert_eq!(new["description"], "deploy");
    assert_eq!(new["max_age_seconds"], json!(7200));
    assert_eq!(new["extend_when_used"], json!(true));
    assert_eq!(new["scopes"], json!(["authentication"]));

    // The old token no longer authenticates; the new one does.
    env.run_as(&old_token, &["list"]).code(3).one_line_error();
    env.run_as(&new_token, &["list"]).success();
}

/// The restrictions `rotate` copies, each in shapes it cannot read as the API declares them:
/// a list of strings for `scopes` and `ip_allowlist`, a whole number of seconds or null for
/// `max_age_seconds` (which the API always sends), true or false for `extend_when_used`.
/// `None` leaves the field out.
fn unreadable_restrictions() -> Vec<(&'static str, Option<Value>)> {
    let mut cases = Vec::new();
    for field in ["scopes", "ip_allowlist"] {
        for odd in [
            json!("user:read"),
            json!({"scope": "user:read"}),
            json!(5),
            json!(true),
            json!(["user:read", 5]),
            json!([null]),
            json!([["user:read"]]),
        ] {
            cases.push((field, Some(odd)));
        }
    }
    for odd in [
        json!("3600"),
        json!(3600.5),
        json!(1e30),
        json!({}),
        json!([]),
        json!(true),
    ] {
        cases.push(("max_age_seconds", Some(odd)));
    }
    cases.push(("max_age_seconds", None));
    for odd in [json!("true"), json!(1), json!({}), json!([true])] {
        cases.push(("extend_when_used", Some(odd)));
    }
    cases
}

/// Issue 18.5: a restriction `rotate` cannot read is never taken for "none", which would
/// make the replacement wider than the token it replaces: the rotation is refused (exit 1,
/// naming the field) and nothing is created, for a personal token and an application
/// user's alike.
#[test]
fn rotate_refuses_a_restriction_it_cannot_read_and_creates_nothing() {
    use crate::support::org::{Org, calls};
    for (field, value) in unreadable_restrictions() {
        let odd = |mut token: Value| {
            match &value {
                Some(value) => token[field] = value.clone(),
                None => {
                    token.as_object_mut().unwrap().remove(field);
                }
            }
            token
        };
        let personal = token_api(vec![odd(token("OLDtoken0000", "deploy"))]);
        let mut org = Org::new();
        let app_tokens = org.tokens.get_mut("u1").unwrap();
        app_tokens[0] = odd(app_tokens[0].clone());
        let app = org.serve();
        for (server, args) in [
            (&personal, &["rotate", "OLDtoken0000", "-q"][..]),
            (
                &app,
                &["rotate", "--app-user", "ci-bot", "CIBOTtoken01", "-q"],
            ),
        ] {
            let what = format!("{field} = {value:?}, {args:?}");
            let out = cmd().api(server).args(args).run();
            assert_eq!(out.status, Some(1), "{what}: {}", out.stderr);
            out.one_line_error()
                .stderr_contains(&format!("{field:?}"))
                .stderr_contains("nothing was created");
            let sent: Vec<String> = calls(server)
                .into_iter()
                .filter(|call| !call.starts_with("GET "))
                .collect();
            assert!(sent.is_empty(), "{what}: sent {sent:?}");
        }
    }
}

/// What the API may leave out or send as null means "none" where its own shape says so:
/// no scopes or allowlist (absent, null or empty), no maximum age (null), no extension
/// (absent or null); the replacement asks for exactly that.
#[test]
fn rotate_reads_absent_and_null_as_the_api_means_them() {
    let mut left_out = token("OLDtoken0000", "deploy");
    let fields = left_out.as_object_mut().unwrap();
    fields.remove("scopes");
    fields.insert("ip_allowlist".into(), json!([]));
    fields.insert("max_age_seconds".into(), Value::Null);
    fields.remove("extend_when_used");
    let mut nulls = token("OLDtoken0000", "deploy");
    for field in ["scopes", "ip_allowlist", "extend_when_used"] {
        nulls[field] = Value::Null;
    }
    for (old, max_age_seconds) in [(left_out, Value::Null), (nulls, json!(7200))] {
        let server = token_api(vec![old]);
        cmd()
            .api(&server)
            .args(["rotate", "OLDtoken0000", "-q"])
            .run()
            .success();
        assert_eq!(
            posted(&server),
            [json!({
                "description": "deploy", "max_age_seconds": max_age_seconds,
                "extend_when_used": false
            })]
        );
    }
}

/// Application users have no token quota: one holding exactly ten tokens rotates one, and
/// a 409 from its create is reported as the API said it, never as the personal quota.
#[test]
fn an_application_user_is_not_held_to_the_personal_quota() {
    use crate::support::org::{NEW_FULL_TOKEN, Org, app_token, run};

    let mut org = Org::new();
    let ten = (0..10)
        .map(|n| app_token(&format!("APPtoken{n:04}"), "ci"))
        .collect();
    org.tokens.insert("u1".to_owned(), ten);
    let rotate = ["rotate", "APPtoken0003", "--app-user", "ci-bot", "-q"];
    let out = run(&org.clone().serve(), &rotate);
    out.success();
    assert_eq!(out.stdout, format!("{NEW_FULL_TOKEN}\n"));

    let conflict = ScriptedServer::start(move |request| {
        if request.method == "POST" {
            Canned::json(
                409,
                json!({"message": "Conflict with the application user"}),
            )
        } else {
            org.answer(request)
        }
    });
    let out = run(&conflict, &rotate);
    out.code(1)
        .one_line_error()
        .stderr_contains("Conflict with the application user");
    assert!(!out.stderr.contains("personal"), "{}", out.stderr);
}
