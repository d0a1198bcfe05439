//! The types the sandbox's parts share: a token as the sandbox keeps it (`store` applies the
//! rules to it, `persist` writes it, `wire` shows it), a checked create request, and a
//! refusal in the API's terms. Nothing here imports the other parts.

use std::net::IpAddr;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::facts::{TOKEN_PREFIX_LEN, parse_ip_network};

/// The one user of the sandbox (`.invalid` is reserved: it can never be a real address).
pub(crate) const USER_EMAIL: &str = "developer@sandbox.invalid";

/// A token as the sandbox keeps it (and as the state file stores it). The secret is kept in
/// clear: these tokens open nothing but this sandbox, and keeping them lets a restarted
/// sandbox go on accepting the session token scripts already hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredToken {
    pub(crate) full_token: String,
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

/// A failed call: its status and the message the API's error shape carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// For 405: the methods the path takes (the `Allow` header).
    pub(crate) allow: Option<&'static str>,
}

impl Failure {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
            allow: None,
        }
    }

    pub(crate) fn method_not_allowed(message: impl Into<String>, allow: &'static str) -> Failure {
        Failure {
            allow: Some(allow),
            ..Failure::new(StatusCode::METHOD_NOT_ALLOWED, message)
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn forbidden(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::FORBIDDEN, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::NOT_FOUND, message)
    }

    pub(crate) fn conflict(message: impl Into<String>) -> Failure {
        Failure::new(StatusCode::CONFLICT, message)
    }
}

/// What `POST /v1/access_token` asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewToken {
    pub(crate) description: String,
    /// `None`: the default (30 days).
    pub(crate) max_age_seconds: Option<i64>,
    pub(crate) extend_when_used: bool,
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) ip_allowlist: Option<Vec<String>>,
}
