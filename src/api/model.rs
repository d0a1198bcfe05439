//! What the API returns: the envelopes each call reads, and the objects it describes, kept
//! whole: a [`Token`], an application user (`app_users`).
//!
//! The envelopes are typed (`#[derive(Deserialize)]`), so a body of the wrong shape is one
//! decode error naming what was expected. An object the API describes is a [`Record`]: the
//! JSON object the server sent, every field included, kept as text and read in place (see
//! `raw_json`); the models' typed accessors read the fields commands reason about. What
//! the output shows of them is its own business (`output::Row`). Lists and records are
//! bounded, so no response can take more than a small multiple of its own size in memory.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::raw_json::{self, Kind, Raw};
use crate::secret::Secret;

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
    #[serde(default, deserialize_with = "string_or_none")]
    user: Option<String>,
}

impl User {
    pub(crate) fn email(&self) -> Option<&str> {
        self.user.as_deref()
    }
}

/// A field read only when it is a string: anything else is `None`, and is skipped without
/// being built (a server may put a list of millions of numbers there).
pub(super) fn string_or_none<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    struct OnlyText;
    impl<'de> Visitor<'de> for OnlyText {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<String>, E> {
            Ok(Some(text.to_owned()))
        }
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
            while map
                .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
                .is_some()
            {}
            Ok(None)
        }
    }
    deserializer.deserialize_any(OnlyText)
}

/// At most this many tokens (or application users) in one answer. The real service keeps
/// at most 1000 session and 10 personal tokens per user; a list far beyond that is a broken
/// or hostile server, and refusing it bounds the memory a response can take.
const MAX_TOKENS: usize = 100_000;
/// At most this many fields in one answer, all records together (about 15 a token), and in
/// one record: each costs 16 bytes of index, so this bounds the index to 32 MiB.
const MAX_FIELDS: usize = 2_000_000;
const MAX_FIELDS_PER_TOKEN: usize = 1000;

/// A JSON object the API sent (a token, an application user), kept whole: where each of
/// its fields is in the response's JSON text, which all records of a response share.
///
/// Every field survives to `--json` output, and any field may be null, absent or of a
/// surprising type without making a command fail. Nothing is decoded until it is read: a
/// list of records costs its response's text plus 16 bytes a field, whatever its shape,
/// and one allocation a record.
#[derive(Clone)]
pub(crate) struct Record {
    /// The JSON text the spans point into (the whole response, for a listed record).
    text: Arc<String>,
    /// `(key, value)`: the key without its quotes, the value's JSON text.
    fields: Vec<(Span, Span)>,
    /// Keys and top-level string values that had escapes (`"a\u0062"`), decoded once, by
    /// field index (keys) and field index + `1 << 31` (values): so that lookups compare
    /// plain bytes and [`Record::str`] can always lend a `&str`.
    decoded: Vec<(u32, Box<str>)>,
    /// How deeply the most nested field's lists and objects nest (0: all scalars), so that
    /// the output knows without looking again whether a record is too deep to print.
    deepest: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

const VALUE: u32 = 1 << 31;

impl PartialEq for Record {
    /// The same fields with the same values, however the text was written.
    fn eq(&self, other: &Record) -> bool {
        self.to_map() == other.to_map()
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A created token holds `full_token`: never print the fields.
        f.debug_struct("Record")
            .field("fields", &self.fields.len())
            .finish_non_exhaustive()
    }
}

impl Record {
    fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    fn decoded(&self, tag: u32) -> Option<&str> {
        self.decoded
            .iter()
            .find(|(at, _)| *at == tag)
            .map(|(_, text)| &**text)
    }

    /// The field's name, unescaped.
    fn key(&self, index: usize) -> &str {
        let tag = u32::try_from(index).unwrap_or(u32::MAX);
        self.decoded(tag)
            .unwrap_or_else(|| self.slice(self.fields[index].0))
    }

    /// The last field named `field` (as serde_json keeps the last of duplicate keys).
    fn find(&self, field: &str) -> Option<usize> {
        let wanted = field.as_bytes();
        let text = self.text.as_bytes();
        let plain = |key: &Span| text.get(key.start as usize..key.end as usize) == Some(wanted);
        if self.decoded.iter().all(|(tag, _)| tag & VALUE != 0) {
            // No key had escapes (nearly always): compare bytes in place. This runs for
            // every cell of a table.
            self.fields.iter().rposition(|(key, _)| plain(key))
        } else {
            (0..self.fields.len())
                .rev()
                .find(|&index| self.key(index) == field)
        }
    }

    /// A field's JSON text, walked in place (what the output formats render from).
    pub(crate) fn raw(&self, field: &str) -> Option<Raw<'_>> {
        self.find(field)
            .map(|index| Raw::new(self.slice(self.fields[index].1)))
    }

    /// A field as a JSON value, decoded on demand (`None` when absent).
    fn get(&self, field: &str) -> Option<Value> {
        let raw = self.raw(field)?;
        Some(serde_json::from_str(raw.text()).unwrap_or(Value::Null))
    }

    /// How deeply the most nested field's lists and objects nest (0 when all are scalars).
    pub(crate) fn depth(&self) -> usize {
        self.deepest
    }

    /// How many fields there are, duplicates included.
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Every field in the order sent, duplicates included: `(name, value)`.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Cow<'_, str>, Raw<'_>)> {
        (0..self.fields.len()).map(|index| {
            (
                Cow::Borrowed(self.key(index)),
                Raw::new(self.slice(self.fields[index].1)),
            )
        })
    }

    /// The fields as a JSON map (the last of duplicate keys kept).
    fn to_map(&self) -> Map<String, Value> {
        self.entries()
            .map(|(key, raw)| {
                let value = serde_json::from_str(raw.text()).unwrap_or(Value::Null);
                (key.into_owned(), value)
            })
            .collect()
    }

    /// A string field, unescaped; `None` when absent or not a string.
    pub(crate) fn str(&self, field: &str) -> Option<&str> {
        let index = self.find(field)?;
        let value = self.slice(self.fields[index].1);
        let inner = value.strip_prefix('"')?.strip_suffix('"')?;
        if !inner.contains('\\') {
            return Some(inner);
        }
        self.decoded(u32::try_from(index).ok()? | VALUE)
    }

    fn bool(&self, field: &str) -> bool {
        self.raw(field).and_then(Raw::as_bool).unwrap_or(false)
    }

    /// The size of the JSON text this record keeps (shared by all records of one list).
    fn text_len(&self) -> usize {
        self.text.len()
    }
}

impl<'de> Deserialize<'de> for Record {
    /// One object on its own (a single-item answer, tests): its text is copied.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Record, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let text = Arc::new(raw.get().to_owned());
        let mut budget = MAX_FIELDS;
        let seed = RecordSeed {
            text: &text,
            budget: &mut budget,
        };
        let mut inner = serde_json::Deserializer::from_str(&text);
        seed.deserialize(&mut inner).map_err(de::Error::custom)
    }
}

/// What [`Field::Unreadable`] says of a list.
const LIST: &str = "a list";

/// A field of an answer, read where guessing could do harm (the restrictions `rotate`
/// copies): absent, `null`, a value of the expected type, or present but of another type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field<T> {
    Absent,
    Null,
    Value(T),
    /// Present but not of the expected type: what was found, in words (`a string`).
    Unreadable(&'static str),
}

/// One access token as the API describes it, kept whole (a [`Record`]).
#[derive(Clone, PartialEq, Deserialize)]
#[serde(transparent)]
pub struct Token(Record);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A created token holds `full_token`: never print the fields.
        f.debug_struct("Token")
            .field("token_prefix", &self.token_prefix())
            .field("fields", &self.0.fields.len())
            .finish_non_exhaustive()
    }
}

impl Token {
    /// Every field the API sent, for the output to show.
    pub(crate) fn record(&self) -> &Record {
        &self.0
    }

    /// A field as a JSON value, decoded on demand (`None` when absent).
    pub fn get(&self, field: &str) -> Option<Value> {
        self.0.get(field)
    }

    /// The size of the JSON text this token keeps (shared by all tokens of one list).
    pub(crate) fn text_len(&self) -> usize {
        self.0.text_len()
    }

    pub(crate) fn token_prefix(&self) -> Option<&str> {
        self.0.str("token_prefix")
    }

    pub(crate) fn description(&self) -> Option<&str> {
        self.0.str("description")
    }

    /// True for the token the request was made with.
    pub(crate) fn currently_active(&self) -> bool {
        self.0.bool("currently_active")
    }

    /// True for personal tokens (`create`), false for session tokens (`login`).
    pub(crate) fn created_manually(&self) -> bool {
        self.0.bool("created_manually")
    }

    /// `extend_when_used`, read strictly ([`Field`]).
    pub(crate) fn extend_when_used(&self) -> Field<bool> {
        self.read("extend_when_used", |raw| raw.as_bool())
    }

    /// `max_age_seconds`, read strictly ([`Field`]): a whole number of seconds.
    pub(crate) fn max_age_seconds(&self) -> Field<i64> {
        self.read("max_age_seconds", |raw| raw.as_i64())
    }

    /// A list-of-strings field (`scopes`, `ip_allowlist`), read strictly ([`Field`]): a
    /// list holding anything but strings is unreadable, not the strings it holds.
    pub(crate) fn strings(&self, field: &str) -> Field<Vec<String>> {
        let read = self.read(field, |raw| {
            if raw.kind() != Kind::Array {
                return None;
            }
            raw.items()
                .map(|item| item.as_str().map(Cow::into_owned))
                .collect()
        });
        match read {
            Field::Unreadable(LIST) => {
                Field::Unreadable("a list holding other things than strings")
            }
            other => other,
        }
    }

    /// `field` as `convert` reads its value, telling absent from null from a value of
    /// another type.
    fn read<T>(&self, field: &str, convert: impl FnOnce(Raw<'_>) -> Option<T>) -> Field<T> {
        let Some(raw) = self.0.raw(field) else {
            return Field::Absent;
        };
        if raw.kind() == Kind::Null {
            return Field::Null;
        }
        let found = match raw.kind() {
            Kind::String => "a string",
            Kind::Object => "an object",
            Kind::Array => LIST,
            Kind::Number => "a number",
            Kind::Bool(_) | Kind::Null => "true or false",
        };
        convert(raw).map_or(Field::Unreadable(found), Field::Value)
    }

    /// Only present in the answer to `create`.
    pub(crate) fn full_token(&self) -> Option<Secret> {
        self.0.str("full_token").map(Secret::new)
    }

    /// A list-of-strings field (`scopes`, `ip_allowlist`); absent, null or odd → empty.
    pub(crate) fn string_list(&self, field: &str) -> Vec<String> {
        self.0
            .raw(field)
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
}

/// The tokens of a `GET .../access_token` answer, `{"tokens": [...]}`, read in one pass
/// over the body, which the tokens then share. An empty body reads as `{}` (and fails for
/// want of `tokens`).
pub(super) fn token_list(body: Vec<u8>) -> Result<Vec<Token>, serde_json::Error> {
    let records = record_list(body, "tokens")?;
    Ok(records.into_iter().map(Token).collect())
}

/// [`token_list`] for any `{"LIST": [{...}, ...]}` answer (application users), so that
/// every list costs its body plus a bounded amount per record, and has as many at most.
pub(super) fn record_list(
    body: Vec<u8>,
    list: &'static str,
) -> Result<Vec<Record>, serde_json::Error> {
    // `Arc<String>`, not `Arc<str>`: wrapping the body moves it, where `Arc<str>` copies.
    let text = match String::from_utf8(body) {
        Ok(text) if text.trim().is_empty() => Arc::new("{}".to_owned()),
        Ok(text) => Arc::new(text),
        // serde_json says where the bytes stop being UTF-8, and what it expected there.
        Err(error) => {
            return Err(serde_json::from_slice::<de::IgnoredAny>(error.as_bytes())
                .err()
                .unwrap_or_else(|| de::Error::custom("the body is not UTF-8")));
        }
    };
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let records = ListSeed { text: &text, list }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(records)
}

/// Reads `{"tokens": [...]}` (only an object: a derived struct would also take `[[...]]`).
struct ListSeed<'t> {
    text: &'t Arc<String>,
    list: &'static str,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = Vec<Record>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Record>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = Vec<Record>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a \"{}\" list", self.list)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Record>, A::Error> {
        let mut records = None;
        while let Some(Key(key)) = map.next_key()? {
            if key == self.list {
                let items = ItemsSeed {
                    text: self.text,
                    list: self.list,
                };
                records = Some(map.next_value_seed(items)?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        records.ok_or_else(|| de::Error::missing_field(self.list))
    }
}

/// The `tokens` list, named as such when it is something else, and bounded.
struct ItemsSeed<'t> {
    text: &'t Arc<String>,
    list: &'static str,
}

impl<'de> DeserializeSeed<'de> for ItemsSeed<'_> {
    type Value = Vec<Record>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Vec<Record>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ItemsSeed<'_> {
    type Value = Vec<Record>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of token objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Record>, A::Error> {
        let mut records = Vec::new();
        let mut budget = MAX_FIELDS;
        loop {
            let seed = RecordSeed {
                text: self.text,
                budget: &mut budget,
            };
            let Some(record) = seq.next_element_seed(seed)? else {
                return Ok(records);
            };
            if records.len() == MAX_TOKENS {
                return Err(de::Error::custom(format!(
                    "the response lists more than {MAX_TOKENS} {}",
                    self.list.replace('_', " ")
                )));
            }
            records.push(record);
        }
    }
}

/// A key, borrowed from the text when it has no escapes (serde's own `Cow` always copies).
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key<'de>, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// One object, its fields located by where serde_json found them in `text` (which must be
/// the very text being deserialized: the spans are pointer offsets into it).
struct RecordSeed<'t> {
    text: &'t Arc<String>,
    /// Fields still allowed in this response.
    budget: &'t mut usize,
}

impl RecordSeed<'_> {
    /// `part`'s place in the text, when it lies inside it (borrowed, not decoded).
    fn span(&self, part: &str) -> Option<Span> {
        let base = self.text.as_ptr() as usize;
        let start = (part.as_ptr() as usize).checked_sub(base)?;
        let end = start + part.len();
        if end > self.text.len() {
            return None;
        }
        Some(Span {
            start: u32::try_from(start).ok()?,
            end: u32::try_from(end).ok()?,
        })
    }
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Record;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Record, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Record;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a token object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Record, A::Error> {
        let mut fields = Vec::with_capacity(16);
        let mut decoded = Vec::new();
        let mut deepest = 0;
        while let Some(Key(key)) = map.next_key()? {
            let value: &'de RawValue = map.next_value()?;
            if fields.len() == MAX_FIELDS_PER_TOKEN || *self.budget == 0 {
                return Err(de::Error::custom(
                    "the response has more fields than any list of tokens",
                ));
            }
            *self.budget -= 1;
            let index = u32::try_from(fields.len()).map_err(de::Error::custom)?;
            let key_span = match &key {
                Cow::Borrowed(name) => self.span(name),
                Cow::Owned(_) => None,
            };
            let key_span = key_span.unwrap_or_else(|| {
                decoded.push((index, key.clone().into_owned().into_boxed_str()));
                Span::default()
            });
            let value_span = self
                .span(value.get())
                .ok_or_else(|| de::Error::custom("a token outside the response"))?;
            // However deep a value nests, serde_json read it without recursing, and so
            // does `depth`: only the output walks values, those it prints, up to a limit.
            let raw = Raw::new(value.get());
            match raw.kind() {
                Kind::String if raw.text().contains('\\') => {
                    decoded.push((index | VALUE, raw_json::unquote(raw.text()).into()));
                }
                Kind::Array | Kind::Object => deepest = deepest.max(raw.depth()),
                _ => {}
            }
            fields.push((key_span, value_span));
        }
        Ok(Record {
            text: self.text.clone(),
            fields,
            decoded,
            deepest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(body: &str) -> Result<Vec<Token>, String> {
        token_list(body.as_bytes().to_vec()).map_err(|e| e.to_string())
    }

    #[test]
    fn envelopes_name_what_they_expected() {
        assert_eq!(list(r#"{"tokens": [{"a": 1}], "x": 2}"#).unwrap().len(), 1);
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
    fn tokens_share_the_body_and_read_escapes() {
        let tokens = list(
            r#"{"tokens": [{"token_prefix": "a\/b", "d\u0065scription": "x", "n": 1, "n": 2},
                          {"token_prefix": "plain", "scopes": ["user:read", 5]}]}"#,
        )
        .unwrap();
        assert_eq!(tokens[0].token_prefix(), Some("a/b"));
        assert_eq!(tokens[0].description(), Some("x"));
        assert_eq!(tokens[0].get("n"), Some(Value::from(2)));
        assert_eq!(tokens[1].string_list("scopes"), ["user:read"]);
        assert!(Arc::ptr_eq(&tokens[0].0.text, &tokens[1].0.text));
        let deep = format!(
            "{{\"tokens\": [{{\"x\": {}{}}}]}}",
            "[".repeat(200),
            "]".repeat(200)
        );
        // Read without recursing, at any depth: only the output walks values.
        assert_eq!(list(&deep).unwrap()[0].0.raw("x").unwrap().depth(), 200);
        assert!(list("{\"tokens\": []} x").is_err());
    }

    #[test]
    fn a_float_max_age_is_read_when_whole() {
        let token: Token = serde_json::from_str(r#"{"max_age_seconds": 3600.0}"#).unwrap();
        assert_eq!(token.max_age_seconds(), Field::Value(3600));
        for odd in ["1e30", "3600.5", "\"3600\""] {
            let token: Token =
                serde_json::from_str(&format!(r#"{{"max_age_seconds": {odd}}}"#)).unwrap();
            assert!(
                matches!(token.max_age_seconds(), Field::Unreadable(_)),
                "{odd}"
            );
        }
    }

    /// Strict reads tell absent, null, the expected type and anything else apart.
    #[test]
    fn fields_read_strictly() {
        let token: Token = serde_json::from_str(
            r#"{"scopes": ["a", "b"], "ip_allowlist": null, "extend_when_used": "yes",
                "bad": ["a", 1], "empty": []}"#,
        )
        .unwrap();
        assert_eq!(
            token.strings("scopes"),
            Field::Value(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(token.strings("empty"), Field::Value(vec![]));
        assert_eq!(token.strings("ip_allowlist"), Field::Null);
        assert_eq!(token.strings("absent"), Field::Absent);
        assert_eq!(
            token.strings("bad"),
            Field::Unreadable("a list holding other things than strings")
        );
        assert_eq!(token.extend_when_used(), Field::Unreadable("a string"));
        assert_eq!(token.max_age_seconds(), Field::Absent);
    }
}
