//! Colour in help and messages: on a terminal only, never with `NO_COLOR`, never in a pipe
//! (what scripts and this suite read), and usage errors stay one line either way.

use crate::support::cmd;

/// Runs whose help or message is styled on a terminal: help (stdout), a command's help
/// shown for a missing subcommand (stderr), usage errors (clap's, made one line), and an
/// error of our own.
const STYLED_RUNS: &[&[&str]] = &[
    &["--help"],
    &["create", "--help"],
    &["application-user"],
    &["create", "--bogus"],
    &["-o", "xml", "list"],
    &["list"],
];

#[test]
fn a_pipe_gets_no_escape_sequence_even_where_a_terminal_would_get_colour() {
    for arguments in STYLED_RUNS {
        // Everything that would colour a terminal, but stdout and stderr are pipes.
        let run = cmd()
            .args(*arguments)
            .env("NO_COLOR", "")
            .env("TERM", "xterm-256color")
            .env("CLICOLOR", "1")
            .run();
        assert!(
            !run.stdout.is_empty() || !run.stderr.is_empty(),
            "{arguments:?}"
        );
        for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !text.contains('\u{1b}'),
                "{arguments:?}: an escape on {stream}: {text:?}"
            );
        }
    }
}

/// `avn-token ARGUMENTS` on a pseudo-terminal whose `TERM` supports colour, `NO_COLOR` set
/// to `no_color`: what the terminal received (stdout and stderr together, lines ending in
/// CRLF), or `None` where there is no terminal to have (`support::script_terminal`).
fn on_a_colour_terminal(arguments: &str, no_color: &str) -> Option<String> {
    let run = crate::support::script_terminal(arguments)?
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", no_color)
        .run();
    Some(run.stdout)
}

/// Escape sequences removed: the text a terminal shows.
fn without_escapes(text: &str) -> String {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: `ESC [`, parameters, one final byte in @..~.
            assert_eq!(chars.next(), Some('['), "only CSI sequences: {text:?}");
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[test]
fn a_terminal_gets_coloured_help_and_errors_and_no_color_turns_them_off() {
    const BOLD_GREEN: &str = "\u{1b}[1m\u{1b}[32m";
    const BOLD_RED: &str = "\u{1b}[1m\u{1b}[31m";
    const BOLD_YELLOW: &str = "\u{1b}[1m\u{1b}[33m";
    let Some(help) = on_a_colour_terminal("--help", "") else {
        return;
    };
    assert!(help.contains(&format!("{BOLD_GREEN}Usage:")), "{help:?}");

    // A usage error: the label, and the refused argument as clap highlights it, on one
    // line.
    let error = on_a_colour_terminal("create --bogus", "").unwrap();
    assert!(error.starts_with(&format!("{BOLD_RED}error:")), "{error:?}");
    assert!(
        error.contains(&format!("'{BOLD_YELLOW}--bogus")),
        "{error:?}"
    );
    assert_eq!(error.lines().count(), 1, "{error:?}");
    assert_eq!(
        without_escapes(&error),
        "error: unexpected argument '--bogus' found (see `avn-token create --help`)\r\n"
    );

    // An error of our own.
    let own = on_a_colour_terminal("list --url notaurl", "").unwrap();
    assert!(own.starts_with(&format!("{BOLD_RED}error:")), "{own:?}");

    // NO_COLOR (any value but empty): the same text, no escape at all.
    for (arguments, coloured) in [
        ("--help", &help),
        ("create --bogus", &error),
        ("list --url notaurl", &own),
    ] {
        let plain = on_a_colour_terminal(arguments, "1").unwrap();
        assert!(!plain.contains('\u{1b}'), "{arguments}: {plain:?}");
        assert_eq!(plain, without_escapes(coloured), "{arguments}");
    }
}

#[test]
fn a_typed_escape_sequence_does_not_reach_the_terminal_through_a_coloured_error() {
    // An unknown argument holding a clear-screen sequence and a bell: clap quotes it in
    // its (styled) message; only our colours may reach the terminal.
    let Some(error) = on_a_colour_terminal("create \"--x$(printf '\\033[2J\\007')y\"", "") else {
        return;
    };
    assert!(error.contains("--x"), "{error:?}");
    assert!(!error.contains("\u{1b}[2J"), "{error:?}");
    assert!(!error.contains('\u{7}'), "{error:?}");
    assert_eq!(error.lines().count(), 1, "{error:?}");
}
