//! What the API returns: the envelopes each call reads, and [`Token`], kept whole.
//!
//! A [`Token`] is the JSON object the server sent, every field included: unknown fields must
//! survive to `--json` output, and any field may be null, absent or of a surprising type
//! without making a command fail. Typed accessors read the fields commands reason about.
//! The envelopes around tokens are typed (`#[derive(Deserialize)]`), so a body of the wrong
//! shape is one decode error naming what was expected.

use std::fmt;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::secret::Secret;

/// `GET /v1/access_token`: `{"tokens": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with a \"tokens\" list")]
pub(super) struct TokenList {
    #[serde(deserialize_with = "token_items")]
    pub tokens: Vec<Token>,
}

/// `{"message": "..."}`, where the message is optional (revoke, expire-all).
#[derive(Debug, Deserialize)]
#[serde(expecting = "an object")]
pub(super) struct Message {
    #[serde(default)]
    pub message: Option<String>,
}

/// `GET /v1/me`: `{"user": {...}}`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with a \"user\" object")]
pub(super) struct UserEnvelope {
    pub user: User,
}

/// The user a token belongs to, as `GET /v1/me` describes it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct User {
    /// The email address: the real API's field is `user`, not `user_email`.
    #[serde(default)]
    user: Option<Value>,
}

impl User {
    pub(crate) fn email(&self) -> Option<&str> {
        self.user.as_ref().and_then(Value::as_str)
    }
}

/// One access token as the API describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Token(pub Map<String, Value>);

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Token, D::Error> {
        struct Fields;
        impl<'de> Visitor<'de> for Fields {
            type Value = Token;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a token object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Token, A::Error> {
                let mut fields = Map::new();
                while let Some((key, value)) = map.next_entry::<String, Value>()? {
                    fields.insert(key, value);
                }
                Ok(Token(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}

/// The `tokens` list, named as such when it is something else.
fn token_items<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<Token>, D::Error> {
    struct Items;
    impl<'de> Visitor<'de> for Items {
        type Value = Vec<Token>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of token objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Token>, A::Error> {
            let mut tokens = Vec::new();
            while let Some(token) = seq.next_element::<Token>()? {
                tokens.push(token);
            }
            Ok(tokens)
        }
    }
    deserializer.deserialize_seq(Items)
}

impl Token {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field)
    }

    /// Every field, for the formats that print them all.
    pub(crate) fn fields(&self) -> &Map<String, Value> {
        &self.0
    }

    fn str(&self, field: &str) -> Option<&str> {
        self.0.get(field).and_then(Value::as_str)
    }

    fn bool(&self, field: &str) -> bool {
        self.0.get(field).and_then(Value::as_bool).unwrap_or(false)
    }

    pub(crate) fn token_prefix(&self) -> Option<&str> {
        self.str("token_prefix")
    }

    pub(crate) fn description(&self) -> Option<&str> {
        self.str("description")
    }

    /// True for the token the request was made with.
    pub(crate) fn currently_active(&self) -> bool {
        self.bool("currently_active")
    }

    /// True for personal tokens (`create`), false for session tokens (`login`).
    pub(crate) fn created_manually(&self) -> bool {
        self.bool("created_manually")
    }

    pub(crate) fn extend_when_used(&self) -> bool {
        self.bool("extend_when_used")
    }

    pub(crate) fn max_age_seconds(&self) -> Option<i64> {
        let value = self.0.get("max_age_seconds")?;
        value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e18)
                .map(|f| f as i64)
        })
    }

    /// Only present in the answer to `create`.
    pub(crate) fn full_token(&self) -> Option<Secret> {
        self.str("full_token").map(Secret::new)
    }

    /// A list-of-strings field (`scopes`, `ip_allowlist`); absent, null or odd → empty.
    pub(crate) fn string_list(&self, field: &str) -> Vec<String> {
        match self.0.get(field) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `wanted` (a prefix or a full token) names this token.
    pub(crate) fn matches(&self, wanted: &str) -> bool {
        match self.token_prefix() {
            Some(prefix) if !prefix.is_empty() => {
                wanted.starts_with(prefix) || prefix.starts_with(wanted)
            }
            _ => false,
        }
    }

    /// The same token with `field` set to `value` (the people view marks the token in use).
    pub(crate) fn with(mut self, field: &str, value: Value) -> Token {
        self.0.insert(field.to_owned(), value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(body: &str) -> Result<TokenList, String> {
        serde_json::from_str(body).map_err(|e| e.to_string())
    }

    #[test]
    fn envelopes_name_what_they_expected() {
        assert_eq!(
            list(r#"{"tokens": [{"a": 1}], "x": 2}"#)
                .unwrap()
                .tokens
                .len(),
            1
        );
        assert!(
            list(r#"{"tokens": 5}"#)
                .unwrap_err()
                .contains("a list of token objects")
        );
        assert!(
            list(r#"{"tokens": [1]}"#)
                .unwrap_err()
                .contains("a token object")
        );
        assert!(list("\"x\"").unwrap_err().contains("\"tokens\" list"));
        assert!(list("{}").unwrap_err().contains("missing field `tokens`"));
        let message: Message = serde_json::from_str("{}").unwrap();
        assert_eq!(message.message, None);
        let me: UserEnvelope = serde_json::from_str(r#"{"user": {"user": "a@b.c"}}"#).unwrap();
        assert_eq!(me.user.email(), Some("a@b.c"));
    }

    #[test]
    fn a_float_max_age_is_read_when_whole() {
        let token: Token = serde_json::from_str(r#"{"max_age_seconds": 3600.0}"#).unwrap();
        assert_eq!(token.max_age_seconds(), Some(3600));
        let token: Token = serde_json::from_str(r#"{"max_age_seconds": 1e30}"#).unwrap();
        assert_eq!(token.max_age_seconds(), None);
    }
}
