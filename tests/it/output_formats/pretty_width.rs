//! The pretty table fits the terminal it is shown on, found from the terminal itself when
//! `COLUMNS` is not set (issue 17: a crate's detection, which also works on Windows).

use serde_json::json;

use crate::support::server::{Canned, ScriptedServer};
use crate::support::skips::skip;
use crate::support::{Cmd, bin};

/// On a 60-column pseudo-terminal (util-linux `script`, `stty cols 60`), without `COLUMNS`,
/// no line of `-o pretty` is wider than 60 (it would be 80 were the size not found).
#[cfg(target_os = "linux")]
#[test]
fn pretty_fits_the_terminal_it_is_shown_on() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        skip(
            "-o pretty on a terminal",
            "no util-linux `script` here",
            "install util-linux",
        );
        return;
    }
    let server = ScriptedServer::always(Canned::json(
        200,
        json!({"tokens": [{"token_prefix": "WIDEtoken000", "description": "wide ".repeat(30),
                           "expiry_time": null, "last_ip": "192.0.2.1",
                           "last_user_agent": "agent ".repeat(20)}]}),
    ));
    let command_line = format!("stty cols 60 rows 20; {} list -o pretty", bin().display());
    let out = Cmd::new("script")
        .args(["-qec", &command_line, "/dev/null"])
        .api(&server)
        .env("TERM", "dumb")
        .run();
    out.success().stdout_contains("WIDEtoken000");
    for line in out.stdout.lines() {
        let width = unicode_width::UnicodeWidthStr::width(line.trim_end_matches('\r'));
        assert!(width <= 60, "{width} columns: {line:?}\n{}", out.stdout);
    }
}
