//! One object as `avn --json` prints a `single_item` response (`application-user info`,
//! `application-user token create`): `json.dumps(obj, indent=4, sort_keys=True)`, the
//! object itself rather than a one-element list.

use super::formats;
use crate::api::Token;

/// The object, 4-space indented with sorted keys.
///
/// It is the one-element list [`formats::json`] writes, without the list: that text is
/// `[`, the object's lines each indented by four spaces, `]`. Pretty JSON never has a raw
/// line break inside a string (it is written `\n`), so removing the outer lines and one
/// level of indent leaves exactly the object as `json.dumps` indents it, and the key order
/// and number formatting stay those of the one JSON writer.
pub(super) fn json_object(record: &Token) -> String {
    let list = formats::to_string(|out| formats::json(out, std::slice::from_ref(record)));
    let Some(object) = list
        .strip_prefix("[\n")
        .and_then(|rest| rest.strip_suffix("\n]\n"))
    else {
        return list;
    };
    let mut out = String::with_capacity(object.len() + 1);
    for line in object.lines() {
        out.push_str(line.strip_prefix("    ").unwrap_or(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: serde_json::Value) -> String {
        json_object(&Token::from_map(value.as_object().unwrap()))
    }

    #[test]
    fn the_object_as_json_dumps_indents_it() {
        assert_eq!(
            object(json!({"b": [1, {"y": null}], "a": "x\ny", "c": {}})),
            "{\n    \"a\": \"x\\ny\",\n    \"b\": [\n        1,\n        {\n            \"y\": null\n        }\n    ],\n    \"c\": {}\n}\n"
        );
        assert_eq!(object(json!({})), "{}\n");
    }
}
