//! What the writers render: a [`Row`] of named [`Value`]s, one per token, application user
//! or audit finding, apart from the API's models.
//!
//! Most rows are an API object shown whole (a token, an application user): the row borrows
//! its [`Record`] and reads the fields in place, so a list of 10,000 tokens is shown without
//! copying a field. Fields set here take the place of the record's field of the same name
//! (`(in use)` after a prefix, a new application token's secret from the create answer
//! beside its listed details), or are the whole row (an audit row: owner, findings, and a
//! few of the token's fields). Nothing is encoded to JSON text and read back to make one.

use std::borrow::Cow;

use crate::api::{AppUser, Record, Token};
use crate::raw_json::{self, Kind, Raw};

/// One value of a row: what the API sent, or what was made here.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A value of an API answer, as its JSON text (read in place: `raw_json`).
    Json(Raw<'a>),
    Null,
    Bool(bool),
    Int(i64),
    Text(Cow<'a, str>),
    /// A list of texts (findings, scopes).
    Texts(Vec<Cow<'a, str>>),
}

impl<'a> Value<'a> {
    /// `text`, or null when there is none.
    pub(crate) fn text_or_null(text: Option<impl Into<Cow<'a, str>>>) -> Value<'a> {
        text.map_or(Value::Null, |text| Value::Text(text.into()))
    }

    /// A record's field, null when absent.
    pub(crate) fn field(record: &'a Record, name: &str) -> Value<'a> {
        record.raw(name).map_or(Value::Null, Value::Json)
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Value::Json(raw) => raw.kind(),
            Value::Null => Kind::Null,
            Value::Bool(flag) => Kind::Bool(*flag),
            Value::Int(_) => Kind::Number,
            Value::Text(_) => Kind::String,
            Value::Texts(_) => Kind::Array,
        }
    }

    /// A number's JSON text (`None` for anything else).
    pub(crate) fn number(&self) -> Option<Cow<'a, str>> {
        match self {
            Value::Json(raw) if raw.kind() == Kind::Number => Some(Cow::Borrowed(raw.text())),
            Value::Int(number) => Some(Cow::Owned(number.to_string())),
            _ => None,
        }
    }

    /// A string, unescaped (`None` for anything else).
    pub(crate) fn as_str(&self) -> Option<Cow<'a, str>> {
        match self {
            Value::Json(raw) => raw.as_str(),
            Value::Text(text) => Some(text.clone()),
            _ => None,
        }
    }

    /// A string as the server wrote it, quotes and escapes included: writers of JSON copy it
    /// when it needs no escape of theirs.
    pub(crate) fn json_literal(&self) -> Option<&'a str> {
        match self {
            Value::Json(raw) if raw.kind() == Kind::String => Some(raw.text()),
            _ => None,
        }
    }

    /// The JSON text when the API sent this value (objects are never made here).
    pub(crate) fn raw(&self) -> Option<Raw<'a>> {
        match self {
            Value::Json(raw) => Some(*raw),
            _ => None,
        }
    }

    /// The items of a list (nothing for anything else).
    pub(crate) fn items(&self) -> Items<'_> {
        match self {
            Value::Json(raw) => Items::Json(raw.items()),
            Value::Texts(texts) => Items::Texts(texts.iter()),
            _ => Items::Texts([].iter()),
        }
    }

    /// How deeply lists and objects nest in the value (0 for a scalar), found without
    /// recursing: what the writers' recursion into it would take.
    pub(crate) fn depth(&self) -> usize {
        match self {
            Value::Json(raw) if matches!(raw.kind(), Kind::Array | Kind::Object) => raw.depth(),
            Value::Texts(_) => 1,
            _ => 0,
        }
    }

    /// Whether a list or an object holds anything.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Value::Json(raw) => match raw.kind() {
                Kind::Array => raw.items().next().is_none(),
                Kind::Object => raw.entries().next().is_none(),
                _ => false,
            },
            Value::Texts(texts) => texts.is_empty(),
            _ => false,
        }
    }
}

/// Runs `recurse`, one more level into a value, with room on the stack for it: when this
/// stack runs low, a new segment is taken from the heap (`stacker`, as rustc does), so a
/// value as deep as the output prints (1000 levels) prints on any thread of any platform
/// (a Windows main thread has 1 MiB; the writers take a few hundred bytes a level, a debug
/// build more than 1 KiB).
pub(super) fn deeper<R>(recurse: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, recurse)
}

/// See [`Value::items`].
pub(crate) enum Items<'v> {
    Json(raw_json::Items<'v>),
    Texts(std::slice::Iter<'v, Cow<'v, str>>),
}

impl<'v> Iterator for Items<'v> {
    type Item = Value<'v>;

    fn next(&mut self) -> Option<Value<'v>> {
        match self {
            Items::Json(items) => items.next().map(Value::Json),
            Items::Texts(texts) => texts.next().map(|text| Value::Text(Cow::Borrowed(text))),
        }
    }
}

/// One row: a record's fields (an API object kept whole) and fields set here.
#[derive(Clone, Default)]
pub struct Row<'a> {
    record: Option<&'a Record>,
    /// Fields set here, in the order set: each takes the place of the record's field of
    /// the same name.
    set: Vec<(&'static str, Value<'a>)>,
}

impl<'a> Row<'a> {
    /// A row of fields set here only.
    pub(crate) fn new() -> Row<'a> {
        Row::default()
    }

    /// The record's fields, as the API sent them.
    pub(crate) fn of(record: &'a Record) -> Row<'a> {
        Row {
            record: Some(record),
            set: Vec::new(),
        }
    }

    /// The row with `name` set to `value` (in place of the field of that name).
    pub(crate) fn with(mut self, name: &'static str, value: Value<'a>) -> Row<'a> {
        self.set.retain(|(set, _)| *set != name);
        self.set.push((name, value));
        self
    }

    /// The field `name`: the one set here, else the record's (`None` when absent).
    pub(crate) fn get(&self, name: &str) -> Option<Value<'a>> {
        match self.set.iter().find(|(set, _)| *set == name) {
            Some((_, value)) => Some(value.clone()),
            None => self.record?.raw(name).map(Value::Json),
        }
    }

    /// How many fields [`Row::entries`] gives at most.
    pub(crate) fn len(&self) -> usize {
        self.record.map_or(0, Record::len) + self.set.len()
    }

    /// Every field: the record's in the order sent (duplicates included, as a JSON object
    /// may have them), those set here in their place, then the other fields set here.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Cow<'a, str>, Value<'a>)> + '_ {
        let record = self.record.into_iter().flat_map(|record| record.entries());
        let sent = record
            .filter(|(name, _)| !self.set.iter().any(|(set, _)| set == name))
            .map(|(name, raw)| (name, Value::Json(raw)));
        let set = self
            .set
            .iter()
            .map(|(name, value)| (Cow::Borrowed(*name), value.clone()));
        sent.chain(set)
    }

    /// How deeply the most nested field's lists and objects nest (0 when all are scalars):
    /// known from the record without looking at its fields again.
    pub(crate) fn depth(&self) -> usize {
        let set = self.set.iter().map(|(_, value)| value.depth());
        let record = self.record.map(Record::depth);
        set.chain(record).max().unwrap_or(0)
    }

    /// A string field, unescaped.
    pub(crate) fn text(&self, name: &str) -> Option<Cow<'a, str>> {
        self.get(name)?.as_str()
    }

    /// A boolean field; anything else is false.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|value| value.kind() == Kind::Bool(true))
    }

    /// An integral number that fits an `i64` (`3600`, and `3600.0` as JSON allows).
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        match self.get(name)? {
            Value::Int(number) => Some(number),
            Value::Json(raw) => raw.as_i64(),
            _ => None,
        }
    }

    /// The strings of a list field (other items, and anything but a list: nothing).
    pub(crate) fn texts(&self, name: &str) -> Vec<String> {
        let Some(value) = self.get(name) else {
            return Vec::new();
        };
        value
            .items()
            .filter_map(|item| item.as_str().map(Cow::into_owned))
            .collect()
    }
}

impl<'a> From<&'a Token> for Row<'a> {
    fn from(token: &'a Token) -> Row<'a> {
        Row::of(token.record())
    }
}

impl<'a> From<&'a AppUser> for Row<'a> {
    fn from(user: &'a AppUser) -> Row<'a> {
        Row::of(user.record())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_set_here_take_the_place_of_the_records() {
        let record: Record =
            serde_json::from_str(r#"{"a": 1, "b": "x", "a": 2, "c": [true]}"#).unwrap();
        let row = Row::of(&record)
            .with("b", Value::Text("y".into()))
            .with("d", Value::Texts(vec!["p".into(), "q".into()]));
        assert_eq!(row.text("b").as_deref(), Some("y"));
        assert_eq!(row.int("a"), Some(2));
        assert_eq!(row.texts("d"), ["p", "q"]);
        let names: Vec<Cow<'_, str>> = row.entries().map(|(name, _)| name).collect();
        assert_eq!(names, ["a", "a", "c", "b", "d"]);
        assert!(Row::new().get("a").is_none());
        assert_eq!(Value::field(&record, "zz"), Value::Null);
    }
}
