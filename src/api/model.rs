//! What the API returns, kept whole.
//!
//! A [`Token`] is the JSON object the server sent, every field included: unknown fields must
//! survive to `--json` output, and any field may be null, absent or of a surprising type
//! without making a command fail. Typed accessors read the fields commands reason about.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Secret;

/// One access token as the API describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(pub Map<String, Value>);

impl Token {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }

    fn str(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(Value::as_str)
    }

    fn bool(&self, field: &str) -> bool {
        self.0.get(field).and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn token_prefix(&self) -> Option<&str> {
        self.str("token_prefix")
    }

    pub fn description(&self) -> Option<&str> {
        self.str("description")
    }

    /// True for the token the request was made with.
    pub fn currently_active(&self) -> bool {
        self.bool("currently_active")
    }

    /// True for personal tokens (`create`), false for session tokens (`login`).
    pub fn created_manually(&self) -> bool {
        self.bool("created_manually")
    }

    pub fn extend_when_used(&self) -> bool {
        self.bool("extend_when_used")
    }

    pub fn max_age_seconds(&self) -> Option<i64> {
        let value = self.0.get("max_age_seconds")?;
        value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        })
    }

    /// Only present in the answer to `create`.
    pub fn full_token(&self) -> Option<Secret> {
        self.str("full_token").map(Secret::new)
    }

    /// A list-of-strings field (`scopes`, `ip_allowlist`); absent, null or odd → empty.
    pub fn string_list(&self, field: &str) -> Vec<String> {
        match self.0.get(field) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `wanted` (a prefix or a full token) names this token.
    pub fn matches(&self, wanted: &str) -> bool {
        match self.token_prefix() {
            Some(prefix) if !prefix.is_empty() => {
                wanted.starts_with(prefix) || prefix.starts_with(wanted)
            }
            _ => false,
        }
    }
}
