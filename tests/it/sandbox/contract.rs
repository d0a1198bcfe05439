//! The sandbox against the contract of the real API: every endpoint of
//! `shared/reference/aiven-api-facts.md`, called in turn, answers with the status, the
//! required keys and the JSON types the table below expects; every one refuses a call
//! without a token in the API's error shape; and none sends a key the API does not have
//! where that matters (`user_email` in `/v1/me`).
//!
//! Sources of the table (as the facts file names them): OA, Aiven's OpenAPI description
//! (`jeffmaury/intellij-aiven`, `src/main/resources/openapi.json`: the `required` lists of
//! `AccessTokenCreateResponse`, `AccessTokenListResponse`, `UserInfoResponse`,
//! `UserOrganizationsListResponse`; organization `DELETE`s answer 204); GC, the official Go
//! client (`handler/applicationuser/applicationuser.go`: `ApplicationUserOut`,
//! `ApplicationUserAccessTokenCreateOut`, `TokenOut`; `handler/user/user.go`).

use std::collections::HashMap;

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::Value;

use crate::support::sandbox::{Api, Http};

/// A JSON type the contract requires.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    Num,
    /// A number, or null where the API has no value (an application token's maximum age).
    NumOrNull,
    StrOrNull,
    List,
    Object,
}

impl Kind {
    fn matches(self, value: &Value) -> bool {
        match self {
            Kind::Str => value.is_string(),
            Kind::Bool => value.is_boolean(),
            Kind::Num => value.is_number(),
            Kind::NumOrNull => value.is_number() || value.is_null(),
            Kind::StrOrNull => value.is_string() || value.is_null(),
            Kind::List => value.is_array(),
            Kind::Object => value.is_object(),
        }
    }
}

use Kind::*;

/// Required keys of a personal token in a list or an update answer (OA).
const TOKEN: &[(&str, Kind)] = &[
    ("create_time", Str),
    ("created_manually", Bool),
    ("extend_when_used", Bool),
    ("max_age_seconds", Num),
    ("token_prefix", Str),
];
/// Required keys of `POST /v1/access_token`'s answer (OA).
const CREATED_TOKEN: &[(&str, Kind)] = &[
    ("create_time", Str),
    ("created_manually", Bool),
    ("extend_when_used", Bool),
    ("full_token", Str),
    ("max_age_seconds", Num),
    ("token_prefix", Str),
];
/// Required keys of `GET /v1/me`'s `user` (OA `UserInfoResponse`), plus
/// `token_validity_begin`, optional there but read by `avn user info` (AC).
const USER: &[(&str, Kind)] = &[
    ("auth", List),
    ("intercom", Object),
    ("invitations", List),
    ("project_membership", Object),
    ("projects", List),
    ("real_name", Str),
    ("state", Str),
    ("user", Str),
    ("user_id", Str),
    ("token_validity_begin", Str),
];
/// An organization (OA `UserOrganizationsListResponse`).
const ORGANIZATION: &[(&str, Kind)] = &[
    ("account_id", Str),
    ("create_time", Str),
    ("organization_id", Str),
    ("organization_name", Str),
    ("tier", Str),
    ("update_time", Str),
];
/// An application user (GC `ApplicationUserOut`, every field non-optional).
const APP_USER: &[(&str, Kind)] = &[
    ("create_time", Str),
    ("is_super_admin", Bool),
    ("name", Str),
    ("user_email", Str),
    ("user_id", Str),
];
/// An application token in a list (GC `TokenOut`'s non-optional fields, and the optional
/// ones the facts file says may be null: no expiry, no maximum age).
const APP_TOKEN: &[(&str, Kind)] = &[
    ("create_time", Str),
    ("created_manually", Bool),
    ("currently_active", Bool),
    ("token_prefix", Str),
    ("expiry_time", StrOrNull),
    ("max_age_seconds", NumOrNull),
];
/// `{full_token, token_prefix}` (GC `ApplicationUserAccessTokenCreateOut`).
const APP_TOKEN_CREATED: &[(&str, Kind)] = &[("full_token", Str), ("token_prefix", Str)];
/// Revoke and expire answers: `message` is optional (OA), a string when present.
const MESSAGE: &[(&str, Kind)] = &[];

/// One call of the contract, run in table order. `{name}` in the path is filled in from
/// what earlier rows saved.
struct Row {
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    status: u16,
    /// Required keys of the answer's top level.
    keys: &'static [(&'static str, Kind)],
    /// `(key, required keys)`: the answer's `key` is a list (or an object), each element
    /// with these keys.
    nested: Option<(&'static str, &'static [(&'static str, Kind)])>,
    /// `(JSON pointer into the answer, name)` to save for later paths.
    save: &'static [(&'static str, &'static str)],
}

const fn row(
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    status: u16,
) -> Row {
    Row {
        method,
        path,
        body,
        status,
        keys: &[],
        nested: None,
        save: &[],
    }
}

const CONTRACT: &[Row] = &[
    Row {
        keys: &[("tokens", List)],
        nested: Some(("tokens", TOKEN)),
        ..row("GET", "/v1/access_token", None, 200)
    },
    Row {
        keys: CREATED_TOKEN,
        save: &[("/token_prefix", "prefix")],
        ..row(
            "POST",
            "/v1/access_token",
            Some(r#"{"description":"contract","max_age_seconds":3600.0,"extend_when_used":true}"#),
            200,
        )
    },
    Row {
        keys: TOKEN,
        ..row(
            "PUT",
            "/v1/access_token/{prefix}",
            Some(r#"{"description":"renamed"}"#),
            200,
        )
    },
    Row {
        keys: MESSAGE,
        ..row("DELETE", "/v1/access_token/{prefix}", None, 200)
    },
    Row {
        keys: &[("user", Object)],
        nested: Some(("user", USER)),
        ..row("GET", "/v1/me", None, 200)
    },
    Row {
        keys: &[("organizations", List)],
        nested: Some(("organizations", ORGANIZATION)),
        save: &[("/organizations/0/organization_id", "org")],
        ..row("GET", "/v1/organizations", None, 200)
    },
    Row {
        keys: APP_USER,
        save: &[("/user_id", "user")],
        ..row(
            "POST",
            "/v1/organization/{org}/application-users",
            Some(r#"{"name":"contract"}"#),
            200,
        )
    },
    Row {
        keys: &[("application_users", List)],
        nested: Some(("application_users", APP_USER)),
        ..row("GET", "/v1/organization/{org}/application-users", None, 200)
    },
    Row {
        keys: APP_USER,
        ..row(
            "GET",
            "/v1/organization/{org}/application-users/{user}",
            None,
            200,
        )
    },
    Row {
        keys: APP_USER,
        ..row(
            "PATCH",
            "/v1/organization/{org}/application-users/{user}",
            Some(r#"{"name":"renamed","is_super_admin":false}"#),
            200,
        )
    },
    Row {
        keys: APP_TOKEN_CREATED,
        save: &[("/token_prefix", "app_prefix")],
        ..row(
            "POST",
            "/v1/organization/{org}/application-users/{user}/access-tokens",
            Some(r#"{"description":"contract"}"#),
            200,
        )
    },
    Row {
        keys: &[("tokens", List)],
        nested: Some(("tokens", APP_TOKEN)),
        ..row(
            "GET",
            "/v1/organization/{org}/application-users/{user}/access-tokens",
            None,
            200,
        )
    },
    row(
        "DELETE",
        "/v1/organization/{org}/application-users/{user}/access-tokens/{app_prefix}",
        None,
        204,
    ),
    row(
        "DELETE",
        "/v1/organization/{org}/application-users/{user}",
        None,
        204,
    ),
    // Last: these end the calling token (logout is called with a token of its own).
    Row {
        keys: MESSAGE,
        ..row("POST", "/v1/me/logout", None, 200)
    },
    Row {
        keys: MESSAGE,
        ..row("POST", "/v1/me/expire_tokens", None, 200)
    },
];

/// `path` with every `{name}` replaced by its saved value, percent-encoded.
fn fill(path: &str, saved: &HashMap<&str, String>) -> String {
    let mut filled = path.to_owned();
    for (name, value) in saved {
        let encoded: String = value
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        filled = filled.replace(&format!("{{{name}}}"), &encoded);
    }
    assert!(!filled.contains('{'), "unfilled {filled}");
    filled
}

#[track_caller]
fn check_keys(context: &str, value: &Value, keys: &[(&str, Kind)]) {
    for (key, kind) in keys {
        let found = value.get(*key).unwrap_or(&Value::Null);
        assert!(
            value.get(*key).is_some() && kind.matches(found),
            "{context}: `{key}` must be {kind:?}, is {found} in {value}"
        );
    }
}

#[test]
fn every_endpoint_keeps_the_contract() {
    let sandbox = BackgroundSandbox::start(Options::default()).expect("start");
    let mut api = Api::new(&sandbox.url(), sandbox.token().expose());
    let mut saved: HashMap<&str, String> = HashMap::new();
    // Logout ends the calling token: it gets one of its own.
    let created = api.create(r#"{"description":"to log out"}"#);
    let logout_token = created["full_token"].as_str().expect("a token").to_owned();
    for row in CONTRACT {
        let path = fill(row.path, &saved);
        let context = format!("{} {}", row.method, row.path);
        let answer = if row.path == "/v1/me/logout" {
            Api::new(&sandbox.url(), &logout_token).send(row.method, &path, row.body)
        } else {
            api.send(row.method, &path, row.body)
        };
        assert_eq!(
            answer.status,
            row.status,
            "{context}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        if row.status == 204 {
            answer.no_content();
            continue;
        }
        let body = answer.json();
        check_keys(&context, &body, row.keys);
        if let Some(message) = body.get("message") {
            assert!(message.is_string(), "{context}: {body}");
        }
        if let Some((key, keys)) = row.nested {
            match &body[key] {
                Value::Array(items) => {
                    assert!(!items.is_empty(), "{context}: `{key}` is empty");
                    for item in items {
                        check_keys(&context, item, keys);
                    }
                }
                object => check_keys(&context, object, keys),
            }
        }
        for (pointer, name) in row.save {
            let value = body.pointer(pointer).and_then(Value::as_str);
            saved.insert(name, value.expect("a value to save").to_owned());
        }
        if row.path == "/v1/me" {
            assert!(
                body["user"].get("user_email").is_none(),
                "the API's email field is `user`: {body}"
            );
        }
    }
    // Logout revoked its token, and expire_tokens the session.
    Api::new(&sandbox.url(), &logout_token)
        .get("/v1/me")
        .error(403);
    api.get("/v1/me").error(403);
}

#[test]
fn every_endpoint_refuses_a_call_without_a_token_in_the_apis_error_shape() {
    let sandbox = BackgroundSandbox::start(Options::default()).expect("start");
    let mut http = Http::new(&sandbox.url());
    let saved: HashMap<&str, String> = [
        ("prefix", "abc"),
        ("org", "org0"),
        ("user", "u0"),
        ("app_prefix", "abc"),
    ]
    .into_iter()
    .map(|(name, value)| (name, value.to_owned()))
    .collect();
    for row in CONTRACT {
        let path = fill(row.path, &saved);
        let answer = http
            .call(row.method, &path, None, row.body)
            .expect("an answer");
        let (_, code) = answer.error_with_code(403);
        assert_eq!(code, "authentication_failed", "{} {}", row.method, row.path);
    }
    assert_eq!(
        sandbox.requests().len(),
        CONTRACT.len(),
        "every row was called"
    );
}
