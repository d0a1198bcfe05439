//! Issue 19.6: an empty answer (`{}`, or no body at all, which reads as `{}`) to `update`
//! or to `application-user info` (and `create`/`update`, which print the same) is a
//! one-line error, as the README says, not a header, a rule and a row of blanks with
//! status 0.

use serde_json::json;

use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Cmd, Run, avn_binary, cmd};

const TOKEN: &str = "empty+answers/test=token0123456789abcdefABCDEF==";

fn empty_answers() -> Vec<(&'static str, Canned)> {
    vec![
        ("{}", Canned::json(200, json!({}))),
        ("an empty body", Canned::raw(200, "text/plain", b"")),
        ("204", Canned::raw(204, "text/plain", b"")),
    ]
}

fn run(program: Cmd, server: &ScriptedServer, args: &[&str]) -> Run {
    program
        .url(server.url())
        .args(["--auth-token", TOKEN])
        .args(args)
        .run()
}

const UPDATE: &[&str] = &[
    "user",
    "access-token",
    "update",
    "XCJ3+bgWywIh",
    "--description",
    "d",
];
const APP_USER_COMMANDS: &[&[&str]] = &[
    &[
        "application-user",
        "info",
        "u1234abcd",
        "--organization-id",
        "org1",
    ],
    &[
        "application-user",
        "create",
        "--name",
        "n",
        "--organization-id",
        "org1",
    ],
    &[
        "application-user",
        "update",
        "u1234abcd",
        "--name",
        "n",
        "--organization-id",
        "org1",
    ],
];

#[test]
fn an_empty_answer_is_an_error_in_every_format() {
    for (what, reply) in empty_answers() {
        let server = ScriptedServer::always(reply);
        for command in std::iter::once(UPDATE).chain(APP_USER_COMMANDS.iter().copied()) {
            for format in [&[][..], &["--json"], &["-o", "yaml"], &["-o", "pretty"]] {
                let out = run(cmd(), &server, &[command, format].concat());
                assert_eq!(
                    out.status,
                    Some(1),
                    "{what} {command:?} {format:?}: {out:?}"
                );
                out.one_line_error().stderr_contains("empty object");
            }
        }
        let update = run(
            cmd(),
            &server,
            &["update", "XCJ3+bgWywIh", "--description", "d"],
        );
        update.code(1).one_line_error();
        update.stderr_contains("`avn-token info XCJ3+bgWywIh` shows the token");
    }
}

/// `avn`'s table fails on such an answer too (the columns are missing): the same outcome,
/// and nothing on stdout. (`avn --json` prints `{}`, a deliberate difference.)
#[test]
fn avns_table_fails_on_it_too() {
    let Some(avn) = avn_binary() else { return };
    for (what, reply) in empty_answers() {
        for command in std::iter::once(UPDATE).chain(APP_USER_COMMANDS.iter().copied()) {
            let (for_avn, for_us) = (
                ScriptedServer::always(reply.clone()),
                ScriptedServer::always(reply.clone()),
            );
            let reference = run(Cmd::python(&avn), &for_avn, command);
            let ours = run(cmd(), &for_us, command);
            assert!(
                !reference.succeeded(),
                "{what} {command:?}: avn {reference:?}"
            );
            ours.code(1).one_line_error();
        }
    }
}
