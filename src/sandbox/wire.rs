//! The API's JSON, both ways: request bodies checked against the sandbox's limits, tokens as
//! the real service shows them, and the error shape every failed call answers with.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::model::{Failure, NewToken, StoredToken, USER_EMAIL};
use crate::facts::{self, MAX_DESCRIPTION_CHARS, MAX_LIST_ENTRIES};

/// Accepted `max_age_seconds`: one second (short-lived tokens in tests) to ten years.
const MAX_AGE_RANGE: std::ops::RangeInclusive<i64> = 1..=10 * 365 * 24 * 60 * 60;
/// Longest accepted scope name, in bytes.
const MAX_SCOPE_BYTES: usize = 128;

impl IntoResponse for Failure {
    /// `{"message": ..., "errors": [{"message": ..., "status": ...}]}`, as the real API.
    fn into_response(self) -> Response {
        let body = json!({
            "message": self.message,
            "errors": [{"message": self.message, "status": self.status.as_u16()}],
        });
        let mut response = json_response(self.status, body.to_string().into_bytes());
        if let Some(allow) = self.allow {
            response
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static(allow));
        }
        response
    }
}

pub(crate) fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// `200` with `body` serialized; serialization of these plain structs cannot fail, but if
/// it ever did the client gets a well-formed error rather than a broken body.
pub(crate) fn ok(body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_response(StatusCode::OK, bytes),
        Err(error) => Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("cannot encode the response: {error}"),
        )
        .into_response(),
    }
}

/// A message-only answer (`DELETE`, `expire_tokens`).
pub(crate) fn message(text: &str) -> Response {
    ok(&json!({ "message": text }))
}

/// The body of `POST /v1/access_token`. Unknown fields are ignored, as new API fields must
/// not break old servers any more than old clients.
pub(crate) fn parse_create(body: &[u8]) -> Result<NewToken, Failure> {
    let fields = object(body)?;
    Ok(NewToken {
        description: description(&fields)?,
        max_age_seconds: max_age_seconds(&fields)?,
        extend_when_used: match fields.get("extend_when_used") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(value)) => *value,
            Some(_) => return Err(Failure::bad_request("'extend_when_used' must be a boolean")),
        },
        scopes: string_list(&fields, "scopes", check_scope)?,
        ip_allowlist: string_list(&fields, "ip_allowlist", check_network)?,
    })
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
    let text = match fields.get("description") {
        Some(Value::String(text)) => text,
        None | Some(Value::Null) => return Err(Failure::bad_request("'description' is required")),
        Some(_) => return Err(Failure::bad_request("'description' must be a string")),
    };
    if text.trim().is_empty() {
        return Err(Failure::bad_request("'description' must not be empty"));
    }
    if text.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Failure::bad_request(format!(
            "'description' must be at most {MAX_DESCRIPTION_CHARS} characters"
        )));
    }
    Ok(text.clone())
}

fn max_age_seconds(fields: &Map<String, Value>) -> Result<Option<i64>, Failure> {
    let value = match fields.get("max_age_seconds") {
        None | Some(Value::Null) => return Ok(None),
        Some(value) => value,
    };
    match value.as_i64() {
        Some(seconds) if MAX_AGE_RANGE.contains(&seconds) => Ok(Some(seconds)),
        _ => Err(Failure::bad_request(format!(
            "'max_age_seconds' must be null or an integer from {} to {} (ten years), not {value}",
            MAX_AGE_RANGE.start(),
            MAX_AGE_RANGE.end()
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

fn check_scope(scope: &str) -> Result<(), String> {
    if scope.is_empty() || scope.len() > MAX_SCOPE_BYTES {
        return Err(format!("a scope must be 1 to {MAX_SCOPE_BYTES} characters"));
    }
    if !scope.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!(
            "scope {} may contain only printable ASCII without spaces",
            Value::from(scope)
        ));
    }
    Ok(())
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

/// `aiven-client/4.18.0 (extra)` → `aiven-client 4.18.0`: the product, as people read it.
fn human_agent(agent: &str) -> String {
    let product = agent.split_whitespace().next().unwrap_or_default();
    match product.split_once('/') {
        Some((name, version)) if !name.is_empty() => format!("{name} {version}"),
        _ => product.to_owned(),
    }
}

/// `GET /v1/me`: the sandbox's one user.
pub(crate) fn me() -> Value {
    json!({
        "user": {
            "user": USER_EMAIL,
            "user_email": USER_EMAIL,
            "real_name": "Sandbox Developer",
            "state": "active",
            "user_id": "u-sandbox",
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
        for bad in [
            "",
            "not json",
            "[]",
            "{}",
            r#"{"description":"  "}"#,
            r#"{"description":7}"#,
            r#"{"description":"d","max_age_seconds":1.5}"#,
            r#"{"description":"d","max_age_seconds":0}"#,
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
