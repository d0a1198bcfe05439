//! Every format writes a value the same way, the way `avn` writes it: numbers as Python's
//! `json.dumps` prints them (`1.0e2` is `100.0`, `-0` is `0`, `1e-7` is `1e-07`), objects in a
//! cell as `json.dumps(value, sort_keys=True)` (`{"a": [1, 2.5], "b": 1}`), in the table, JSON,
//! CSV and YAML alike.

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Run, cmd};

/// One token, as JSON text: number spellings a `serde_json::Value` would not keep.
const BODY: &str = r#"{"tokens": [{"expiry_time": null, "token_prefix": "NUMBERStoken",
    "description": "d", "max_age_seconds": 1.0e2, "extend_when_used": -0,
    "last_used_time": null, "last_ip": {"b": 1, "a": [1, 2.50]}, "last_user_agent": 1E-7}]}"#;

fn run(args: &[&str]) -> Run {
    let server = ScriptedServer::always(Canned::raw(200, "application/json", BODY.as_bytes()));
    let out = cmd().api(&server).args(args).run();
    out.success();
    out
}

#[test]
fn numbers_and_objects_read_the_same_in_every_format() {
    // The row avn 4.18.0 prints for this body.
    let table = run(&["list"]);
    let row = table.stdout.lines().nth(2).expect("a row");
    assert_eq!(
        row,
        r#"null         NUMBERStoken  d            100.0            0                 null            {"a": [1, 2.5], "b": 1}  1e-07"#
    );
    run(&["list", "--json"])
        .stdout_contains("\"max_age_seconds\": 100.0,")
        .stdout_contains("\"extend_when_used\": 0,")
        .stdout_contains("\"last_user_agent\": 1e-07,")
        .stdout_contains("                2.5\n");
    run(&["list", "-o", "yaml"])
        .stdout_contains("\n  max_age_seconds: 100.0\n")
        .stdout_contains("\n  extend_when_used: 0\n")
        .stdout_contains("\n  last_user_agent: 1e-07\n")
        .stdout_contains("\n      - 2.5\n");
    let csv = run(&["list", "-o", "csv"]);
    assert_eq!(
        csv.stdout.lines().nth(1).expect("a row"),
        r#",NUMBERStoken,d,100.0,0,,"{""a"": [1, 2.5], ""b"": 1}",1e-07"#
    );
}
