//! The types the sandbox's parts share: a token and an application user as the sandbox keeps
//! them (`store` applies the rules to them, `persist` writes them, `wire` shows them), a
//! checked create request, and a refusal in the API's terms. Nothing here imports the other
//! parts.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use hyper::StatusCode;
use serde::{Deserialize, Serialize};

use crate::facts::{TOKEN_PREFIX_LEN, parse_ip_network};

/// The sandbox's one (human) user (`.invalid` is reserved: it can never be a real address).
pub(crate) const USER_EMAIL: &str = "developer@sandbox.invalid";
/// Its user ID, shaped like the real ones (`u` and 12 hexadecimal digits).
pub(crate) const USER_ID: &str = "u2a5f8c1d9e0b";
/// The one organization the user belongs to, shaped like the real IDs.
pub(crate) const ORGANIZATION_ID: &str = "org4f9a2c6e1b3";
pub(crate) const ORGANIZATION_NAME: &str = "Sandbox Organization";
/// The account ID of the organization's root unit.
pub(crate) const ACCOUNT_ID: &str = "a4f9a2c6e1b3";
/// When the sandbox's user and organization "were created": fixed, so answers are stable
/// across restarts.
pub(crate) const CREATED: &str = "2024-01-01T00:00:00Z";

pub(crate) fn created() -> DateTime<Utc> {
    CREATED.parse().unwrap_or_default()
}

/// A token as the sandbox keeps it (and as the state file stores it). The secret is kept in
/// clear: these tokens open nothing but this sandbox, and keeping them lets a restarted
/// sandbox go on accepting the session token scripts already hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredToken {
    pub(crate) full_token: String,
    /// The application user the token belongs to; `None`: the sandbox's human user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) app_user: Option<String>,
    pub(crate) create_time: DateTime<Utc>,
    pub(crate) created_manually: bool,
    pub(crate) description: String,
    pub(crate) expiry_time: Option<DateTime<Utc>>,
    pub(crate) extend_when_used: bool,
    pub(crate) max_age_seconds: Option<i64>,
    #[serde(default)]
    pub(crate) last_ip: Option<String>,
    #[serde(default)]
    pub(crate) last_used_time: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) last_user_agent: Option<String>,
    #[serde(default)]
    pub(crate) scopes: Option<Vec<String>>,
    #[serde(default)]
    pub(crate) ip_allowlist: Option<Vec<String>>,
}

impl StoredToken {
    pub(crate) fn prefix(&self) -> &str {
        crate::secret::visible_prefix(&self.full_token)
    }

    pub(crate) fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expiry_time.is_none_or(|expiry| expiry > now)
    }

    /// Whether `wanted` names this token: its full value, or a prefix of its `token_prefix`
    /// (longer partial values are refused, so a prefix never reveals more of the secret).
    pub(super) fn answers_to(&self, wanted: &str) -> bool {
        wanted == self.full_token
            || (wanted.chars().count() <= TOKEN_PREFIX_LEN && self.full_token.starts_with(wanted))
    }

    pub(super) fn allows(&self, ip: IpAddr) -> bool {
        match &self.ip_allowlist {
            Some(list) if !list.is_empty() => list
                .iter()
                .filter_map(|entry| parse_ip_network(entry))
                .any(|network| network.contains(&ip)),
            _ => true,
        }
    }
}

/// An application user (an organization's service account) as the sandbox keeps it; its
/// tokens are [`StoredToken`]s whose `app_user` is its `user_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AppUser {
    pub(crate) user_id: String,
    pub(crate) name: String,
    pub(crate) user_email: String,
    pub(crate) is_super_admin: bool,
    pub(crate) create_time: DateTime<Utc>,
}

/// The `error_code` of each failure, in the `errors` items where the API puts it (GC's
/// `error_test.go`: `{"error_code": ..., "message": ..., "status": ...}`). Aiven documents
/// codes for a few other endpoints only (OA), so these names are the sandbox's own: the
/// README lists them.
pub(crate) mod code {
    pub(crate) const INVALID_REQUEST: &str = "invalid_request";
    pub(crate) const AUTHENTICATION_FAILED: &str = "authentication_failed";
    pub(crate) const IP_NOT_ALLOWED: &str = "ip_not_allowed";
    pub(crate) const INSUFFICIENT_SCOPE: &str = "insufficient_scope";
    pub(crate) const RESTRICTION_EXCEEDED: &str = "restriction_exceeded";
    pub(crate) const PERMISSION_DENIED: &str = "permission_denied";
    pub(crate) const NOT_FOUND: &str = "not_found";
    pub(crate) const TOKEN_NOT_FOUND: &str = "token_not_found";
    pub(crate) const ORGANIZATION_NOT_FOUND: &str = "organization_not_found";
    pub(crate) const APPLICATION_USER_NOT_FOUND: &str = "application_user_not_found";
    pub(crate) const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
    pub(crate) const REQUEST_TIMEOUT: &str = "request_timeout";
    pub(crate) const AMBIGUOUS_TOKEN_PREFIX: &str = "ambiguous_token_prefix";
    pub(crate) const TOKEN_LIMIT_EXCEEDED: &str = "token_limit_exceeded";
    pub(crate) const APPLICATION_USER_LIMIT_EXCEEDED: &str = "application_user_limit_exceeded";
    pub(crate) const REQUEST_TOO_LARGE: &str = "request_too_large";
    pub(crate) const STATE_NOT_SAVED: &str = "state_not_saved";
}

/// A failed call: its status, the API's `error_code` for it, and the message the API's
/// error shape carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    /// For 405: the methods the path takes (the `Allow` header).
    pub(crate) allow: Option<&'static str>,
}

impl Failure {
    pub(crate) fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
            allow: None,
        }
    }

    pub(crate) fn method_not_allowed(message: impl Into<String>, allow: &'static str) -> Failure {
        Failure {
            allow: Some(allow),
            ..Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                code::METHOD_NOT_ALLOWED,
                message,
            )
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, code::INVALID_REQUEST, message)
    }

    pub(crate) fn forbidden(code: &'static str, message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::FORBIDDEN, code, message)
    }

    pub(crate) fn not_found(code: &'static str, message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, code, message)
    }

    pub(crate) fn conflict(code: &'static str, message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::CONFLICT, code, message)
    }
}

/// What a token create request (`POST /v1/access_token`, or an application user's
/// `access-tokens`) asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewToken {
    pub(crate) description: String,
    /// `None`: the owner's default (30 days for personal tokens, never for application
    /// tokens).
    pub(crate) max_age_seconds: Option<i64>,
    pub(crate) extend_when_used: bool,
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) ip_allowlist: Option<Vec<String>>,
}
