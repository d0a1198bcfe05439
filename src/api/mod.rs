//! The Aiven API client: typed async calls for personal access tokens, the user, and
//! organizations' application users and their tokens (`app_users`).
//!
//! A [`Client`] is built from its own [`ClientOptions`] (not the whole configuration) and
//! reports to a [`Sink`] rather than to the screen. Every call goes through
//! `transport::Http::call` (or `call_with`, for a decoder of its own), which adds the `aivenv1` Authorization header, retries what is
//! safe to retry, enforces `--request-timeout`, scrubs secrets out of everything the server
//! sends and traces `--show-http` (`redact`), decodes the answer into the envelope types of
//! `model`, and turns every failure into one [`ApiError`]. The proxy, if any, is chosen by
//! `proxy`.

mod app_users;
mod error;
mod model;
mod path;
mod proxy;
mod redact;
mod tls;
mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

pub(crate) use app_users::AppUser;
pub use error::ApiError;
pub use model::Token;
pub(crate) use model::{Field, Record, User};
pub(crate) use proxy::ProxyEnv;

use crate::diag::Sink;
use crate::secret::Secret;
use model::{Message, UserEnvelope};
use path::ApiPath;
use transport::{Http, Method};

/// Everything a [`Client`] needs to know, and nothing else.
#[derive(Clone)]
pub(crate) struct ClientOptions {
    /// API base URL, without a trailing slash.
    pub base_url: reqwest::Url,
    /// PEM bundle of CA certificates to trust instead of the compiled-in Mozilla roots.
    pub auth_ca: Option<CaBundle>,
    /// Verify with the operating system's certificate store instead (`--system-ca`); the
    /// `auth_ca` bundle, if any, is trusted too.
    pub system_ca: bool,
    /// How long calls may take (see [`Deadline`]): always bounded, every call ends.
    pub deadline: Deadline,
    /// How long transient failures are retried.
    pub retry_budget: Duration,
    /// Trace every request and response to the sink.
    pub show_http: bool,
    /// Allow the token over plain http:// to a non-loopback host.
    pub allow_insecure_http: bool,
    /// The proxy variables from the environment (`proxy` decides what they mean here).
    pub proxy: ProxyEnv,
    /// Where traces and progress notes go.
    pub sink: Arc<dyn Sink>,
}

/// How long API calls may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deadline {
    /// `--request-timeout`: each call, retries included, within this.
    EachCall(Duration),
    /// The default: all the calls of one command together within this (time spent waiting
    /// for a person at a prompt excepted), so that every command ends in about a minute
    /// whatever the server does.
    AllCalls(Duration),
}

/// A CA bundle file, and which setting named it (for messages: `--auth-ca`,
/// `SSL_CERT_FILE`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaBundle {
    pub path: PathBuf,
    pub from: std::borrow::Cow<'static, str>,
}

/// What `POST /v1/access_token` takes. `scopes` and `ip_allowlist` are sent only when set,
/// so the request an `avn`-style create sends is exactly what `avn` sends.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct NewToken {
    pub description: String,
    pub extend_when_used: bool,
    pub max_age_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ip_allowlist: Vec<String>,
}

/// What `PUT /v1/access_token/{prefix}` takes.
#[derive(Serialize)]
struct TokenUpdate<'a> {
    description: &'a str,
}

/// An authenticated client for one API base URL.
pub(crate) struct Client {
    http: Http,
}

impl Client {
    /// A client that authenticates with `token`. Fails (without any network traffic) on a
    /// bad CA file, or when the token would travel in clear text to a non-loopback host.
    pub(crate) fn new(options: &ClientOptions, token: &Secret) -> Result<Client, ApiError> {
        Ok(Client {
            http: Http::new(options, token.clone())?,
        })
    }

    /// Time spent waiting for a person (a confirmation prompt) does not count against the
    /// command's deadline ([`Deadline::AllCalls`]).
    pub(crate) fn pause(&self, waited: Duration) {
        self.http.pause(waited);
    }

    /// `GET /v1/access_token`: every (unexpired) token of the user.
    pub(crate) async fn list_tokens(&self) -> Result<Vec<Token>, ApiError> {
        let path = ApiPath::endpoint("/access_token");
        self.http
            .call_with(Method::Get, &path, None, model::token_list)
            .await
    }

    /// `POST /v1/access_token`: the new token, with `full_token`. Never retried once the
    /// request may have reached the server: a duplicate would eat into the 10-token quota.
    /// The new token is kept out of everything later calls show (the transport does that
    /// for any `full_token` an answer carries).
    pub(crate) async fn create_token(&self, new: &NewToken) -> Result<Token, ApiError> {
        let path = ApiPath::endpoint("/access_token");
        self.http
            .call(Method::Post, &path, Some(encode_body(new)?))
            .await
    }

    /// `PUT /v1/access_token/{prefix}`: change the description.
    pub(crate) async fn update_token(
        &self,
        prefix: &str,
        description: &str,
    ) -> Result<Token, ApiError> {
        let path = ApiPath::with_segment("/access_token/", prefix);
        let body = encode_body(&TokenUpdate { description })?;
        self.http.call(Method::Put, &path, Some(body)).await
    }

    /// `DELETE /v1/access_token/{prefix}`.
    pub(crate) async fn revoke_token(&self, prefix: &str) -> Result<(), ApiError> {
        let path = ApiPath::with_segment("/access_token/", prefix);
        let _: serde::de::IgnoredAny = self.http.call(Method::Delete, &path, None).await?;
        Ok(())
    }

    /// `POST /v1/me/expire_tokens`: the server's message, if it sent one.
    pub(crate) async fn expire_all_tokens(&self) -> Result<Option<String>, ApiError> {
        let path = ApiPath::endpoint("/me/expire_tokens");
        let answer: Message = self.http.call(Method::Post, &path, None).await?;
        Ok(answer.message)
    }

    /// `POST /v1/me/logout`: revoke the token this client authenticates with (what
    /// Aiven's API offers for logging out; it needs no scope, so a restricted token can
    /// log itself out). A server without that endpoint (a 404 that names no token, or 405:
    /// an older sandbox, a proxy that filters it) gets `DELETE /v1/access_token/{token}`
    /// instead, which is what `avn user logout` (aiven-client 4.18) sends.
    pub(crate) async fn logout(&self) -> Result<(), ApiError> {
        let path = ApiPath::endpoint("/me/logout");
        match self
            .http
            .call::<serde::de::IgnoredAny>(Method::Post, &path, None)
            .await
        {
            Ok(_) => Ok(()),
            Err(ApiError::NoEndpoint { .. } | ApiError::Status { status: 405, .. }) => {
                self.revoke_token(self.http.token().expose()).await
            }
            Err(error) => Err(error),
        }
    }

    /// `GET /v1/me`: the user the token belongs to (used to verify a token).
    pub(crate) async fn me(&self) -> Result<User, ApiError> {
        let answer: UserEnvelope = self
            .http
            .call(Method::Get, &ApiPath::endpoint("/me"), None)
            .await?;
        Ok(answer.user)
    }
}

/// A request body as JSON. The request types are plain structs of strings, numbers and
/// lists, for which encoding cannot fail; if it ever did, that is a setup error, not a panic.
fn encode_body(body: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(body)
        .map_err(|e| ApiError::Setup(format!("cannot encode the request body: {e}")))
}

/// The tokens in the body of a 2xx `GET /v1/access_token` answer, exactly as `list_tokens`
/// reads them (any bytes: the result is tokens or an error, never a panic).
pub fn parse_token_list(status: u16, body: &[u8]) -> Result<Vec<Token>, ApiError> {
    transport::decode_body(status, body.to_vec(), model::token_list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_body_matches_avn() {
        let body = encode_body(&NewToken {
            description: "d".into(),
            ..NewToken::default()
        })
        .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            json!({"description": "d", "extend_when_used": false, "max_age_seconds": null})
        );
        let scoped = encode_body(&NewToken {
            description: "d".into(),
            scopes: vec!["user:read".into()],
            ..NewToken::default()
        })
        .unwrap();
        assert_eq!(
            String::from_utf8(scoped).unwrap(),
            r#"{"description":"d","extend_when_used":false,"max_age_seconds":null,"scopes":["user:read"]}"#
        );
    }
}
