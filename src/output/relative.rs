//! The view for people (`--relative`): times as `in 3 days` / `2 hours ago`, and `never`
//! for a token that does not expire or was never used. (`(in use)` after the token in use
//! is added by `Printer`.)

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::row::Value;
use super::table::{CellFormat, cell};
use crate::raw_json::Kind;

pub(crate) struct RelativeCells {
    now: DateTime<Utc>,
}

impl RelativeCells {
    pub(crate) fn now() -> Self {
        RelativeCells { now: Utc::now() }
    }

    #[cfg(test)]
    pub(crate) fn at(now: DateTime<Utc>) -> Self {
        RelativeCells { now }
    }
}

impl CellFormat for RelativeCells {
    fn cell<'a>(&self, field: &str, value: Value<'a>) -> Cow<'a, str> {
        if field.ends_with("_time") {
            match value.kind() {
                Kind::Null if field == "expiry_time" || field == "last_used_time" => {
                    return Cow::Borrowed("never");
                }
                Kind::String => {
                    let text = value.as_str().unwrap_or_default();
                    if let Ok(time) = DateTime::parse_from_rfc3339(&text) {
                        return Cow::Owned(describe(time.with_timezone(&Utc), self.now));
                    }
                }
                _ => {}
            }
        }
        cell(Some(field), value)
    }
}

/// `in 3 days`, `2 hours ago`, `just now`: the largest whole unit, as people say it.
pub(crate) fn describe(time: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (time - now).num_seconds();
    let magnitude = seconds.unsigned_abs();
    if magnitude < 45 {
        return "just now".to_owned();
    }
    const UNITS: [(u64, &str); 6] = [
        (365 * 86_400, "year"),
        (30 * 86_400, "month"),
        (7 * 86_400, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    // A unit is used from 95% of it on, so 59m59s reads "1 hour", not "60 minutes".
    let (size, name) = UNITS
        .iter()
        .copied()
        .find(|(size, _)| magnitude * 20 >= size * 19)
        .unwrap_or((60, "minute"));
    let count = (magnitude + size / 2) / size;
    let count = count.max(1);
    let unit = if count == 1 {
        name.to_owned()
    } else {
        format!("{name}s")
    };
    if seconds > 0 {
        format!("in {count} {unit}")
    } else {
        format!("{count} {unit} ago")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw_json::Raw;
    use chrono::TimeZone;

    #[test]
    fn phrases() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 12, 0, 0).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(describe(at("2026-01-13T12:00:00Z"), now), "in 3 days");
        assert_eq!(describe(at("2026-01-10T10:00:00.5Z"), now), "2 hours ago");
        assert_eq!(describe(at("2026-01-10T12:00:10Z"), now), "just now");
        assert_eq!(describe(at("2026-01-10T12:01:00Z"), now), "in 1 minute");
        assert_eq!(describe(at("2026-01-10T12:59:59Z"), now), "in 1 hour");
        assert_eq!(describe(at("2026-01-10T12:40:00Z"), now), "in 40 minutes");
        assert_eq!(describe(at("2026-01-09T11:00:00Z"), now), "1 day ago");
        let cells = RelativeCells::at(now);
        assert_eq!(
            cells.cell("expiry_time", Value::Json(Raw::new("null"))),
            "never"
        );
        assert_eq!(cells.cell("last_ip", Value::Null), "null");
        assert_eq!(
            cells.cell("expiry_time", Value::Text("garbage".into())),
            "garbage"
        );
        assert_eq!(
            cells.cell(
                "expiry_time",
                Value::Json(Raw::new("\"2026-01-13T12:00:00Z\""))
            ),
            "in 3 days"
        );
    }
}
