//! The API's JSON, both ways: request bodies checked against the sandbox's limits; tokens,
//! application users, the organization and the user as the real service shows them; and
//! the error shape every failed call answers with.

use chrono::{DateTime, Utc};
use http_body_util::Full;
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::header::{self, HeaderValue};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::model::{
    ACCOUNT_ID, AppUser, Failure, NewToken, ORGANIZATION_ID, ORGANIZATION_NAME, StoredToken,
    USER_EMAIL, USER_ID, code, created,
};
use crate::facts::{self, MAX_AGE_SECONDS, MAX_DESCRIPTION_CHARS, MAX_LIST_ENTRIES};

/// Longest application user name, in characters: the API declares none (GC); the sandbox
/// takes the limit the API has for a person's `real_name` (OA).
const MAX_NAME_CHARS: usize = 256;

/// Every answer is one buffer, sent with its length.
pub(crate) type Response = hyper::Response<Full<Bytes>>;

/// `{"message": ..., "errors": [{"error_code": ..., "message": ..., "status": ...}]}`, as
/// the real API (OA's failed responses; GC's `error_test.go` for `error_code`).
pub(crate) fn error(failure: Failure) -> Response {
    let body = json!({
        "message": failure.message,
        "errors": [{
            "error_code": failure.code,
            "message": failure.message,
            "status": failure.status.as_u16(),
        }],
    });
    let mut response = json_response(failure.status, body.to_string().into_bytes());
    if let Some(allow) = failure.allow {
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    response
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = empty(status);
    *response.body_mut() = Full::new(Bytes::from(body));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn empty(status: StatusCode) -> Response {
    let mut response = Response::default();
    *response.status_mut() = status;
    response
}

/// `200` with `body` serialized; serialization of these plain structs cannot fail, but if
/// it ever did the client gets a well-formed error rather than a broken body.
pub(crate) fn ok(body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_response(StatusCode::OK, bytes),
        Err(error) => self::error(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code::STATE_NOT_SAVED,
            format!("cannot encode the response: {error}"),
        )),
    }
}

/// `204 No Content`: what the API answers to deleting an organization's things (OA's
/// organization `DELETE`s), application users and their tokens included.
pub(crate) fn no_content() -> Response {
    empty(StatusCode::NO_CONTENT)
}

/// A message-only answer (`DELETE`, `expire_tokens`).
pub(crate) fn message(text: &str) -> Response {
    ok(&json!({ "message": text }))
}

/// The body of `POST /v1/access_token` (and of an application user's `access-tokens`,
/// which takes the same fields: GC). Unknown fields are ignored, as new API fields must
/// not break old servers any more than old clients.
pub(crate) fn parse_create(body: &[u8]) -> Result<NewToken, Failure> {
    let fields = object(body)?;
    Ok(NewToken {
        description: description(&fields)?,
        max_age_seconds: max_age_seconds(&fields)?,
        extend_when_used: optional_bool(&fields, "extend_when_used")?.unwrap_or(false),
        scopes: string_list(&fields, "scopes", check_scope)?,
        ip_allowlist: string_list(&fields, "ip_allowlist", check_network)?,
    })
}

/// The body of `POST .../application-users` and `PATCH .../application-users/{user_id}`:
/// the name (required) and the super admin state (optional).
pub(crate) fn parse_app_user(body: &[u8]) -> Result<(String, Option<bool>), Failure> {
    let fields = object(body)?;
    let name = required_text(&fields, "name", MAX_NAME_CHARS)?;
    Ok((name, optional_bool(&fields, "is_super_admin")?))
}

fn optional_bool(fields: &Map<String, Value>, name: &str) -> Result<Option<bool>, Failure> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => Err(Failure::bad_request(format!("'{name}' must be a boolean"))),
    }
}

/// The body of `PUT /v1/access_token/{prefix}`: the new description.
pub(crate) fn parse_update(body: &[u8]) -> Result<String, Failure> {
    description(&object(body)?)
}

fn object(body: &[u8]) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(Failure::bad_request(
            "The request body must be a JSON object",
        )),
        Err(error) if body.iter().all(u8::is_ascii_whitespace) => Err(Failure::bad_request(
            format!("The request body is empty: a JSON object is required ({error})"),
        )),
        Err(error) => Err(Failure::bad_request(format!(
            "The request body is not valid JSON: {error}"
        ))),
    }
}

fn description(fields: &Map<String, Value>) -> Result<String, Failure> {
    required_text(fields, "description", MAX_DESCRIPTION_CHARS)
}

/// The string field `name`: present, not blank, at most `max_chars` characters.
fn required_text(
    fields: &Map<String, Value>,
    name: &str,
    max_chars: usize,
) -> Result<String, Failure> {
    let text = match fields.get(name) {
        Some(Value::String(text)) => text,
        None | Some(Value::Null) => {
            return Err(Failure::bad_request(format!("'{name}' is required")));
        }
        Some(_) => return Err(Failure::bad_request(format!("'{name}' must be a string"))),
    };
    if text.trim().is_empty() {
        return Err(Failure::bad_request(format!("'{name}' must not be empty")));
    }
    if text.chars().count() > max_chars {
        return Err(Failure::bad_request(format!(
            "'{name}' must be at most {max_chars} characters"
        )));
    }
    Ok(text.clone())
}

fn max_age_seconds(fields: &Map<String, Value>) -> Result<Option<i64>, Failure> {
    let value = match fields.get("max_age_seconds") {
        None | Some(Value::Null) => return Ok(None),
        Some(value) => value,
    };
    // A JSON number (OA: `number`), so `3600.0` is 3600; only whole seconds make sense.
    let whole = match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            let float = number.as_f64()?;
            (float.fract() == 0.0 && float.abs() < 1e15).then_some(float as i64)
        }),
        _ => None,
    };
    match whole {
        Some(seconds) if MAX_AGE_SECONDS.contains(&seconds) => Ok(Some(seconds)),
        _ => Err(Failure::bad_request(format!(
            "'max_age_seconds' must be null or a whole number from {} to {} (ten years), not {value}",
            MAX_AGE_SECONDS.start(),
            MAX_AGE_SECONDS.end()
        ))),
    }
}

/// An optional list of strings, each checked by `check` (which says what is wrong).
fn string_list(
    fields: &Map<String, Value>,
    name: &str,
    check: fn(&str) -> Result<(), String>,
) -> Result<Option<Vec<String>>, Failure> {
    let items = match fields.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => {
            return Err(Failure::bad_request(format!(
                "'{name}' must be a list of strings"
            )));
        }
    };
    if items.len() > MAX_LIST_ENTRIES {
        return Err(Failure::bad_request(format!(
            "'{name}' may have at most {MAX_LIST_ENTRIES} entries"
        )));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(text) => check(text)
                .map(|()| text.clone())
                .map_err(|why| Failure::bad_request(format!("'{name}': {why}"))),
            _ => Err(Failure::bad_request(format!(
                "'{name}' must be a list of strings"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A scope must be one the API declares (OA): `all`, an area, or an area's `:read` or
/// `:write`.
fn check_scope(scope: &str) -> Result<(), String> {
    if facts::is_known_scope(scope) {
        return Ok(());
    }
    Err(format!(
        "unknown scope {}: scopes are 'all', or one of {} alone or followed by ':read' or \
         ':write'",
        Value::from(scope),
        facts::SCOPE_AREAS.join(", ")
    ))
}

fn check_network(entry: &str) -> Result<(), String> {
    match facts::parse_ip_network(entry) {
        Some(_) => Ok(()),
        None => Err(format!(
            "{} is not an IP address or CIDR network (like 192.0.2.0/24)",
            Value::from(entry)
        )),
    }
}

/// A time as the real service writes it: UTC, microseconds, `Z`.
#[derive(Clone, Copy)]
struct ApiTime(DateTime<Utc>);

impl Serialize for ApiTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%dT%H:%M:%S%.6fZ"))
    }
}

/// A token as `GET /v1/access_token` shows it (plus `full_token` right after `POST`).
#[derive(Serialize)]
pub(crate) struct TokenView<'a> {
    create_time: ApiTime,
    created_manually: bool,
    currently_active: bool,
    description: &'a str,
    expiry_time: Option<ApiTime>,
    extend_when_used: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_token: Option<&'a str>,
    ip_allowlist: Option<&'a [String]>,
    last_ip: Option<&'a str>,
    last_used_time: Option<ApiTime>,
    last_user_agent: Option<&'a str>,
    last_user_agent_human_readable: Option<String>,
    max_age_seconds: Option<i64>,
    scopes: Option<&'a [String]>,
    token_prefix: &'a str,
}

impl<'a> TokenView<'a> {
    pub(crate) fn of(token: &'a StoredToken, currently_active: bool) -> TokenView<'a> {
        TokenView {
            create_time: ApiTime(token.create_time),
            created_manually: token.created_manually,
            currently_active,
            description: &token.description,
            expiry_time: token.expiry_time.map(ApiTime),
            extend_when_used: token.extend_when_used,
            full_token: None,
            ip_allowlist: token.ip_allowlist.as_deref(),
            last_ip: token.last_ip.as_deref(),
            last_used_time: token.last_used_time.map(ApiTime),
            last_user_agent: token.last_user_agent.as_deref(),
            last_user_agent_human_readable: token.last_user_agent.as_deref().map(human_agent),
            max_age_seconds: token.max_age_seconds,
            scopes: token.scopes.as_deref(),
            token_prefix: token.prefix(),
        }
    }

    /// The answer to `POST`: the only time the whole secret is shown.
    pub(crate) fn with_full_token(mut self, token: &'a StoredToken) -> TokenView<'a> {
        self.full_token = Some(&token.full_token);
        self
    }
}

/// `{"tokens": [...]}`
#[derive(Serialize)]
pub(crate) struct TokenList<'a> {
    pub(crate) tokens: Vec<TokenView<'a>>,
}

/// The answer to creating an application token (GC): the whole token, once, and its prefix.
#[derive(Serialize)]
pub(crate) struct NewAppToken<'a> {
    full_token: &'a str,
    token_prefix: &'a str,
}

impl<'a> NewAppToken<'a> {
    pub(crate) fn of(token: &'a StoredToken) -> NewAppToken<'a> {
        NewAppToken {
            full_token: &token.full_token,
            token_prefix: token.prefix(),
        }
    }
}

/// An application user as the API shows it (GC `ApplicationUserOut`).
#[derive(Serialize)]
pub(crate) struct AppUserView<'a> {
    create_time: ApiTime,
    is_super_admin: bool,
    name: &'a str,
    user_email: &'a str,
    user_id: &'a str,
}

impl<'a> AppUserView<'a> {
    pub(crate) fn of(user: &'a AppUser) -> AppUserView<'a> {
        AppUserView {
            create_time: ApiTime(user.create_time),
            is_super_admin: user.is_super_admin,
            name: &user.name,
            user_email: &user.user_email,
            user_id: &user.user_id,
        }
    }
}

/// `{"application_users": [...]}`
#[derive(Serialize)]
pub(crate) struct AppUserList<'a> {
    pub(crate) application_users: Vec<AppUserView<'a>>,
}

/// `GET /v1/organizations`: the one organization (every key OA marks required).
pub(crate) fn organizations() -> Value {
    let created = ApiTime(created());
    json!({
        "organizations": [{
            "account_id": ACCOUNT_ID,
            "create_time": created,
            "organization_id": ORGANIZATION_ID,
            "organization_name": ORGANIZATION_NAME,
            "tier": "business",
            "update_time": created,
        }]
    })
}

/// `GET /v1/project`: the caller's projects, none (as `/v1/me` says), with the keys OA marks
/// required (`ProjectListResponse`). `avn user login --token` reads it after storing the
/// token, to pick a default project.
pub(crate) fn projects() -> Value {
    json!({"project_membership": {}, "project_memberships": {}, "projects": []})
}

/// `aiven-client/4.18.0 (extra)` → `aiven-client 4.18.0`: the product, as people read it.
fn human_agent(agent: &str) -> String {
    let product = agent.split_whitespace().next().unwrap_or_default();
    match product.split_once('/') {
        Some((name, version)) if !name.is_empty() => format!("{name} {version}"),
        _ => product.to_owned(),
    }
}

/// `GET /v1/me`: the calling user, the sandbox's person or an application user (`app`),
/// with every key OA marks required and exactly the API's names (the email is `user`; there
/// is no `user_email`). `token_validity_begin`: when the user last expired its tokens.
pub(crate) fn me(app: Option<&AppUser>, token_validity_begin: Option<DateTime<Utc>>) -> Value {
    let (email, name, user_id, since, auth) = match app {
        Some(user) => (
            user.user_email.as_str(),
            user.name.as_str(),
            user.user_id.as_str(),
            user.create_time,
            json!([]),
        ),
        None => (
            USER_EMAIL,
            "Sandbox Developer",
            USER_ID,
            created(),
            json!(["password"]),
        ),
    };
    json!({
        "user": {
            "auth": auth,
            "create_time": ApiTime(since),
            "features": {},
            "intercom": {"app_id": "sandbox", "hmac": "0".repeat(64)},
            "invitations": [],
            "managed_by_scim": false,
            "project_membership": {},
            "project_memberships": {},
            "projects": [],
            "real_name": name,
            "state": "active",
            "tenant": "aiven",
            "token_validity_begin": ApiTime(token_validity_begin.unwrap_or(since)),
            "user": email,
            "user_id": user_id,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create_status(body: &str) -> Result<NewToken, u16> {
        parse_create(body.as_bytes()).map_err(|f| f.status.as_u16())
    }

    #[test]
    fn create_body_is_checked() {
        let ok = create_status(r#"{"description":"ci","max_age_seconds":null}"#);
        assert_eq!(ok.map(|t| t.max_age_seconds), Ok(None));
        for (body, seconds) in [
            (r#"{"description":"d","max_age_seconds":600}"#, 600),
            (r#"{"description":"d","max_age_seconds":3600.0}"#, 3600),
            (
                r#"{"description":"d","max_age_seconds":315360000}"#,
                315_360_000,
            ),
        ] {
            let created = create_status(body).map(|t| t.max_age_seconds);
            assert_eq!(created, Ok(Some(seconds)), "{body}");
        }
        let scoped = create_status(r#"{"description":"d","scopes":["all","user:read"]}"#);
        assert!(scoped.is_ok());
        for bad in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"description":"  "}"#,
            r#"{"description":7}"#,
            r#"{"description":"d","max_age_seconds":1.5}"#,
            r#"{"description":"d","max_age_seconds":0}"#,
            r#"{"description":"d","max_age_seconds":1}"#,
            r#"{"description":"d","max_age_seconds":599}"#,
            r#"{"description":"d","max_age_seconds":599.0}"#,
            r#"{"description":"d","max_age_seconds":3600.5}"#,
            r#"{"description":"d","max_age_seconds":1e300}"#,
            r#"{"description":"d","scopes":["projects:admin"]}"#,
            r#"{"description":"d","scopes":["users"]}"#,
            r#"{"description":"d","max_age_seconds":"60"}"#,
            r#"{"description":"d","max_age_seconds":315360001}"#,
            r#"{"description":"d","extend_when_used":"yes"}"#,
            r#"{"description":"d","scopes":"all"}"#,
            r#"{"description":"d","scopes":["has space"]}"#,
            r#"{"description":"d","ip_allowlist":["10.0.0.0/33"]}"#,
            r#"{"description":"d","ip_allowlist":[5]}"#,
        ] {
            assert_eq!(create_status(bad).map(|_| ()), Err(400), "{bad}");
        }
        let long = format!(
            r#"{{"description":"{}"}}"#,
            "é".repeat(MAX_DESCRIPTION_CHARS)
        );
        assert!(create_status(&long).is_ok());
        let too_long = format!(
            r#"{{"description":"{}"}}"#,
            "x".repeat(MAX_DESCRIPTION_CHARS + 1)
        );
        assert_eq!(create_status(&too_long).map(|_| ()), Err(400));
    }

    #[test]
    fn agents_read_as_products() {
        assert_eq!(human_agent("aiven-client/4.18.0"), "aiven-client 4.18.0");
        assert_eq!(human_agent("curl/8.5.0 extra"), "curl 8.5.0");
        assert_eq!(human_agent("odd"), "odd");
        assert_eq!(human_agent(""), "");
    }
}
