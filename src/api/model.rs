//! What the API returns: the envelopes each call reads, and [`Token`], kept whole.
//!
//! The envelopes are typed (`#[derive(Deserialize)]`), so a body of the wrong shape is one
//! decode error naming what was expected. A [`Token`] is the JSON object the server sent,
//! every field included, kept as text and read in place (see `raw_json`); typed accessors
//! read the fields commands reason about. Lists and tokens are bounded, so no response
//! can take more than a small multiple of its own size in memory.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::raw_json::{self, Kind, Raw};
use crate::secret::Secret;

/// `GET /v1/access_token`: `{"tokens": [...]}`. (Written out rather than derived: a
/// derived struct also accepts `[[...]]`, a list standing for the object.)
#[derive(Debug)]
pub(super) struct TokenList {
    pub tokens: Vec<Token>,
}

impl<'de> Deserialize<'de> for TokenList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TokenList, D::Error> {
        struct Envelope;
        impl<'de> Visitor<'de> for Envelope {
            type Value = TokenList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object with a \"tokens\" list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TokenList, A::Error> {
                let mut tokens = None;
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if key == "tokens" {
                        tokens = Some(map.next_value::<TokenItems>()?.0);
                    } else {
                        map.next_value::<de::IgnoredAny>()?;
                    }
                }
                let tokens = tokens.ok_or_else(|| de::Error::missing_field("tokens"))?;
                Ok(TokenList { tokens })
            }
        }
        deserializer.deserialize_map(Envelope)
    }
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

/// At most this many tokens in one answer. The real service keeps at most 1000 session and
/// 10 personal tokens per user; a list far beyond that is a broken or hostile server, and
/// refusing it bounds the memory a response can take.
const MAX_TOKENS: usize = 100_000;
/// At most this many fields in one token (the API sends about 15).
const MAX_FIELDS: usize = 1000;
/// Values nest at most this deep (serde_json's own limit for a tree): the output formats
/// walk them recursively.
const MAX_DEPTH: usize = 128;

/// One access token as the API describes it, kept whole: the JSON object's text as the
/// server sent it, and where each field is in it.
///
/// Every field survives to `--json` output, and any field may be null, absent or of a
/// surprising type without making a command fail. Nothing is decoded until it is read: a
/// token costs one copy of its text plus 16 bytes a field, whatever its shape.
#[derive(Clone, Default)]
pub struct Token {
    text: Box<str>,
    /// `(key, value)` byte ranges in `text`; the key with its quotes.
    fields: Vec<(Span, Span)>,
    /// Top-level string values that had escapes, unescaped once, by field index: so that
    /// [`Token::str`] can always lend a `&str`.
    unescaped: Vec<(u32, Box<str>)>,
    /// Whether any key has an escape (`"a\u0062"`): only then must lookups decode keys.
    escaped_keys: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(start: usize, end: usize) -> Option<Span> {
        Some(Span {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }
}

impl PartialEq for Token {
    /// The same fields with the same values, however the text was written.
    fn eq(&self, other: &Token) -> bool {
        let map = |token: &Token| serde_json::from_str::<Map<String, Value>>(&token.text).ok();
        map(self) == map(other)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A created token's text holds `full_token`: never print it.
        f.debug_struct("Token")
            .field("token_prefix", &self.token_prefix())
            .field("fields", &self.fields.len())
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Index the text of one JSON object; `None` when it is not an object or is too big.
    fn index(text: Box<str>) -> Result<Token, &'static str> {
        let raw = Raw::new(&text);
        if raw.kind() != Kind::Object {
            return Err("a token object");
        }
        let offset = raw.text().as_ptr() as usize - text.as_ptr() as usize;
        let mut fields = Vec::with_capacity(16);
        let mut unescaped = Vec::new();
        let mut escaped_keys = false;
        for (key_start, key_end, value_start, value_end) in raw.entries().spans() {
            if fields.len() == MAX_FIELDS {
                return Err("a token with at most 1000 fields");
            }
            let at = |i: usize| i + offset;
            let (Some(key), Some(value)) = (
                Span::of(at(key_start), at(key_end)),
                Span::of(at(value_start), at(value_end)),
            ) else {
                return Err("a token smaller than 4 GiB");
            };
            escaped_keys |= text[at(key_start)..at(key_end)].contains('\\');
            let value_text = Raw::new(&text[at(value_start)..at(value_end)]);
            match value_text.kind() {
                Kind::String if value_text.text().contains('\\') => {
                    let index = u32::try_from(fields.len()).unwrap_or(u32::MAX);
                    unescaped.push((index, raw_json::unquote(value_text.text()).into()));
                }
                Kind::Array | Kind::Object if value_text.depth() > MAX_DEPTH => {
                    return Err("a token nested at most 128 levels deep");
                }
                _ => {}
            }
            fields.push((key, value));
        }
        Ok(Token {
            text,
            fields,
            unescaped,
            escaped_keys,
        })
    }

    /// A token made of `fields` (tests, and records that do not come from the wire).
    pub fn from_map(fields: &Map<String, Value>) -> Token {
        let text = Value::Object(fields.clone()).to_string();
        Token::index(text.into()).unwrap_or_default()
    }

    fn key(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    /// The last field named `field` (as serde_json keeps the last of duplicate keys).
    fn find(&self, field: &str) -> Option<usize> {
        let wanted = field.as_bytes();
        let text = self.text.as_bytes();
        self.fields.iter().rposition(|(key, _)| {
            // Keys are quoted literals: compare what is between the quotes (as bytes: this
            // runs for every cell of a table), and decode only when some key of this token
            // has escapes.
            let inner = text.get(key.start as usize + 1..(key.end as usize).saturating_sub(1));
            inner == Some(wanted)
                || self.escaped_keys && raw_json::unquote(self.key(*key)) == field
        })
    }

    /// A field's JSON text, walked in place (what the output formats render from).
    pub(crate) fn raw(&self, field: &str) -> Option<Raw<'_>> {
        self.find(field)
            .map(|index| Raw::new(self.key(self.fields[index].1)))
    }

    /// A field as a JSON value, decoded on demand (`None` when absent).
    pub fn get(&self, field: &str) -> Option<Value> {
        let raw = self.raw(field)?;
        Some(serde_json::from_str(raw.text()).unwrap_or(Value::Null))
    }

    /// Every field in the order sent, duplicates included: `(key literal, value)`.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, Raw<'_>)> {
        self.fields
            .iter()
            .map(|(key, value)| (self.key(*key), Raw::new(self.key(*value))))
    }

    /// A string field, unescaped; `None` when absent or not a string.
    fn str(&self, field: &str) -> Option<&str> {
        let index = self.find(field)?;
        let value = self.key(self.fields[index].1);
        let inner = value.strip_prefix('"')?.strip_suffix('"')?;
        if !inner.contains('\\') {
            return Some(inner);
        }
        let index = u32::try_from(index).ok()?;
        self.unescaped
            .iter()
            .find(|(at, _)| *at == index)
            .map(|(_, text)| &**text)
    }

    fn bool(&self, field: &str) -> bool {
        self.raw(field).and_then(Raw::as_bool).unwrap_or(false)
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
        self.raw("max_age_seconds").and_then(Raw::as_i64)
    }

    /// Only present in the answer to `create`.
    pub(crate) fn full_token(&self) -> Option<Secret> {
        self.str("full_token").map(Secret::new)
    }

    /// A list-of-strings field (`scopes`, `ip_allowlist`); absent, null or odd → empty.
    pub(crate) fn string_list(&self, field: &str) -> Vec<String> {
        self.raw(field)
            .map(|raw| {
                raw.items()
                    .filter_map(|item| item.as_str().map(|text| text.into_owned()))
                    .collect()
            })
            .unwrap_or_default()
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

    /// The same token with `field` set to the string `value` (the people view marks the
    /// token in use this way).
    pub(crate) fn with_str(&self, field: &str, value: &str) -> Token {
        let mut fields: Map<String, Value> = self
            .entries()
            .map(|(key, raw)| {
                let value = serde_json::from_str(raw.text()).unwrap_or(Value::Null);
                (raw_json::unquote(key).into_owned(), value)
            })
            .collect();
        fields.insert(field.to_owned(), Value::String(value.to_owned()));
        Token::from_map(&fields)
    }
}

impl Serialize for Token {
    /// The object as the server sent it (serializers that accept raw JSON get it as is).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match serde_json::value::RawValue::from_string(self.text.to_string()) {
            Ok(raw) => raw.serialize(serializer),
            Err(error) => Err(serde::ser::Error::custom(error)),
        }
    }
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Token, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let text: Box<str> = raw.into();
        Token::index(text).map_err(|expected| {
            de::Error::invalid_value(de::Unexpected::Other("another JSON value"), &expected)
        })
    }
}

/// The `tokens` list, named as such when it is something else, and bounded.
struct TokenItems(Vec<Token>);

impl<'de> Deserialize<'de> for TokenItems {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TokenItems, D::Error> {
        deserializer.deserialize_seq(Items).map(TokenItems)
    }
}

struct Items;

impl<'de> Visitor<'de> for Items {
    type Value = Vec<Token>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of token objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Token>, A::Error> {
        let mut tokens = Vec::new();
        while let Some(token) = seq.next_element::<Token>()? {
            if tokens.len() == MAX_TOKENS {
                return Err(de::Error::custom(format!(
                    "the response lists more than {MAX_TOKENS} tokens"
                )));
            }
            tokens.push(token);
        }
        Ok(tokens)
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
        assert!(list("[[]]").unwrap_err().contains("\"tokens\" list"));
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
