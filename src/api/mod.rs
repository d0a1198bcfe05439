//! The Aiven API client: typed async calls for the access-token endpoints.
//!
//! Every call goes through [`Client::call`], which adds the `aivenv1` Authorization header,
//! retries what is safe to retry, enforces `--request-timeout`, prints `--show-http`
//! traces with secrets redacted, and turns every failure into one [`ApiError`].

mod error;
mod http;
mod model;

use serde_json::{Map, Value, json};

pub use error::ApiError;
pub use model::Token;

use crate::config::Config;
use crate::secret::Secret;
use http::ApiPath;

/// What `POST /v1/access_token` takes.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub description: String,
    pub max_age_seconds: Option<i64>,
    pub extend_when_used: bool,
    pub scopes: Vec<String>,
    pub ip_allowlist: Vec<String>,
}

impl NewToken {
    /// The request body. `scopes` and `ip_allowlist` are sent only when set, so the request
    /// `avn`-style creates is exactly what `avn` sends.
    fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert("description".into(), json!(self.description));
        body.insert("extend_when_used".into(), json!(self.extend_when_used));
        body.insert("max_age_seconds".into(), json!(self.max_age_seconds));
        if !self.scopes.is_empty() {
            body.insert("scopes".into(), json!(self.scopes));
        }
        if !self.ip_allowlist.is_empty() {
            body.insert("ip_allowlist".into(), json!(self.ip_allowlist));
        }
        Value::Object(body)
    }
}

/// An authenticated client for one API base URL.
pub struct Client {
    http: http::Http,
}

impl Client {
    /// A client that authenticates with `token`. Fails (without any network traffic) on a
    /// bad CA file, or when the token would travel in clear text to a non-loopback host.
    pub fn new(config: &Config, token: &Secret) -> Result<Client, ApiError> {
        Ok(Client {
            http: http::Http::new(config, token.clone())?,
        })
    }

    /// `GET /v1/access_token`: every (unexpired) token of the user.
    pub async fn list_tokens(&self) -> Result<Vec<Token>, ApiError> {
        let (status, body) = self
            .http
            .call(http::Method::Get, &ApiPath::new("/access_token"), None)
            .await?;
        token_list(status, body)
    }

    /// `POST /v1/access_token`: the new token, with `full_token`. Never retried once the
    /// request may have reached the server: a duplicate would eat into the 10-token quota.
    pub async fn create_token(&self, new: &NewToken) -> Result<Token, ApiError> {
        let (status, body) = self
            .http
            .call(
                http::Method::Post,
                &ApiPath::new("/access_token"),
                Some(new.body()),
            )
            .await?;
        object(body, status)
    }

    /// `PUT /v1/access_token/{prefix}`: change the description.
    pub async fn update_token(&self, prefix: &str, description: &str) -> Result<Token, ApiError> {
        let path = ApiPath::with_segment("/access_token/", prefix);
        let body = json!({ "description": description });
        let (status, body) = self.http.call(http::Method::Put, &path, Some(body)).await?;
        object(body, status)
    }

    /// `DELETE /v1/access_token/{prefix}`.
    pub async fn revoke_token(&self, prefix: &str) -> Result<(), ApiError> {
        let path = ApiPath::with_segment("/access_token/", prefix);
        self.http.call(http::Method::Delete, &path, None).await?;
        Ok(())
    }

    /// `POST /v1/me/expire_tokens`: the server's message.
    pub async fn expire_all_tokens(&self) -> Result<String, ApiError> {
        let (status, body) = self
            .http
            .call(http::Method::Post, &ApiPath::new("/me/expire_tokens"), None)
            .await?;
        match field(&body, "message", status)? {
            Value::String(message) => Ok(message.clone()),
            _ => Err(decode(status, "\"message\" is not a string")),
        }
    }

    /// `GET /v1/me`: the user the token belongs to (used to verify a token).
    pub async fn me(&self) -> Result<Map<String, Value>, ApiError> {
        let (status, body) = self
            .http
            .call(http::Method::Get, &ApiPath::new("/me"), None)
            .await?;
        match field(&body, "user", status)? {
            Value::Object(user) => Ok(user.clone()),
            _ => Err(decode(status, "\"user\" is not an object")),
        }
    }
}

/// The tokens in the body of a 2xx `GET /v1/access_token` answer: what `list_tokens`
/// returns, from raw bytes (any bytes: the result is tokens or an error, never a panic).
pub fn parse_token_list(status: u16, body: &[u8]) -> Result<Vec<Token>, ApiError> {
    let (status, body) = http::parse_body(status, body)?;
    token_list(status, body)
}

fn token_list(status: u16, body: Value) -> Result<Vec<Token>, ApiError> {
    let tokens = match body {
        Value::Object(mut fields) => fields.remove("tokens"),
        _ => None,
    };
    let Some(tokens) = tokens else {
        return Err(decode(status, "no \"tokens\" field in the response"));
    };
    let Value::Array(items) = tokens else {
        return Err(decode(status, "\"tokens\" is not a list"));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Object(fields) => Ok(Token(fields)),
            _ => Err(decode(
                status,
                &format!("token #{} is not an object", index + 1),
            )),
        })
        .collect()
}

fn decode(status: u16, detail: &str) -> ApiError {
    ApiError::Decode {
        status,
        detail: detail.to_owned(),
    }
}

fn field<'a>(body: &'a Value, name: &str, status: u16) -> Result<&'a Value, ApiError> {
    body.get(name)
        .ok_or_else(|| decode(status, &format!("no \"{name}\" field in the response")))
}

fn object(body: Value, status: u16) -> Result<Token, ApiError> {
    match body {
        Value::Object(fields) => Ok(Token(fields)),
        _ => Err(decode(status, "expected a JSON object")),
    }
}

/// Characters left as they are in a path segment: exactly what Python's
/// `urllib.parse.quote(part, safe="")` (used by `avn`) leaves, so both send the same URL.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A token prefix (or full token) as one percent-encoded path segment: `/`→`%2F`, `+`→`%2B`,
/// `=`→`%3D`. `.` and `..` are encoded too, or URL normalisation would eat them.
pub fn path_segment(prefix: &str) -> String {
    match prefix {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => percent_encoding::utf8_percent_encode(prefix, SEGMENT).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_one_segment() {
        assert_eq!(path_segment("a/b+c=="), "a%2Fb%2Bc%3D%3D");
        assert_eq!(path_segment("XCJ3+bgWywIh"), "XCJ3%2BbgWywIh");
        assert_eq!(path_segment("ok-._~"), "ok-._~");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("é ?#"), "%C3%A9%20%3F%23");
    }

    #[test]
    fn create_body_matches_avn() {
        let body = NewToken {
            description: "d".into(),
            ..NewToken::default()
        }
        .body();
        assert_eq!(
            body,
            json!({"description": "d", "extend_when_used": false, "max_age_seconds": null})
        );
    }
}
