//! Exit codes, decided here and nowhere else: [`CODES`] is the one list of what each code
//! means. `--help`, the man page's EXIT STATUS and the README's table are made from it (a
//! test compares the README with it).

use crate::api::ApiError;
use crate::config::ConfigError;

pub const SUCCESS: u8 = 0;
pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub(crate) const NOT_AUTHENTICATED: u8 = 3;
pub(crate) const NOT_FOUND: u8 = 4;
/// `audit` ran to the end and found what it was asked to fail on: not an error, a verdict.
pub(crate) const FINDINGS: u8 = 5;
pub(crate) const INTERRUPTED: u8 = 130;

/// Every exit code and its one meaning, in order. A new code gets its constant above and
/// its row here, in numeric order; the help, the man page and the README follow.
pub const CODES: &[(u8, &str)] = &[
    (
        SUCCESS,
        "success (also when stdout is closed early, as in `avn-token list | head -1`)",
    ),
    (
        FAILURE,
        "the request failed: API or network failure, a declined confirmation or a refusal, \
         a new token that could not be written to stdout (it is revoked), or a rotation \
         whose revoke failed; trying again later may work",
    ),
    (
        USAGE,
        "the request is invalid as given, so fix it and do not retry: bad arguments, input \
         or environment (nothing was sent), an ambiguous token prefix, or the API answered \
         400/422",
    ),
    (
        NOT_AUTHENTICATED,
        "not authenticated: no credentials, or the API answered 401/403",
    ),
    (
        NOT_FOUND,
        "not found: no token, application user or organization matches what was named \
         (the API said so)",
    ),
    (
        FINDINGS,
        "findings: `audit` found tokens that should worry you (those `--fail-on` counts)",
    ),
    (INTERRUPTED, "interrupted (Ctrl-C)"),
];

/// `Exit codes:` and each code with its meaning, for `--help` at `width` columns: a
/// meaning's lines break before the word that would pass the width (a word longer than
/// the width has a line of its own), and its continuation lines start under its first word.
pub fn help_text(width: usize) -> String {
    const INDENT: &str = "       ";
    let mut text = String::from("Exit codes:");
    for (code, meaning) in CODES {
        let mut line = format!("  {code:<3}  ");
        for word in meaning.split(' ') {
            if line.len() + word.len() > width && line.len() > INDENT.len() {
                text.push('\n');
                text.push_str(line.trim_end());
                line = INDENT.to_owned();
            }
            line.push_str(word);
            line.push(' ');
        }
        text.push('\n');
        text.push_str(line.trim_end());
    }
    text
}

/// Failures decided by a command itself rather than by the API or the configuration.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CommandError {
    /// The request is invalid as given (ambiguous prefix, empty token on stdin, ...).
    #[error("{0}")]
    Usage(String),
    /// Nothing matches what the user named.
    #[error("{0}")]
    NotFound(String),
    /// The user answered no, or a safety check refused to go on.
    #[error("{0}")]
    Refused(String),
    /// The command did part of its job (its result is on stdout); the message says what
    /// is left undone.
    #[error("{0}")]
    Partial(String),
}

/// A new token that could not be written to stdout: a closed pipe, a full disk, an I/O
/// error (see `output::Printer::deliver`). Unlike a closed pipe after a read (`list | head
/// -1`, a quiet success), this fails the command (exit 1): a token nobody received is lost.
/// [`is_broken_pipe`] says no to any error that holds one, whatever it wraps.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the new token to stdout: {0}")]
pub(crate) struct Undelivered(pub(crate) std::io::Error);

/// The exit code for an error that ended a command.
pub fn code_for(error: &anyhow::Error) -> u8 {
    if is_broken_pipe(error) {
        return SUCCESS;
    }
    for cause in error.chain() {
        if let Some(api) = cause.downcast_ref::<ApiError>() {
            return match api {
                ApiError::Status {
                    status: 401 | 403, ..
                }
                | ApiError::Rejected { .. } => NOT_AUTHENTICATED,
                ApiError::Status { status: 404, .. } => NOT_FOUND,
                // The API refused the request as invalid: sending it again cannot help.
                ApiError::Status {
                    status: 400 | 422, ..
                } => USAGE,
                ApiError::Setup(_) => USAGE,
                _ => FAILURE,
            };
        }
        if let Some(config) = cause.downcast_ref::<ConfigError>() {
            return match config {
                ConfigError::NoCredentials { .. } | ConfigError::BadCredentialsFile { .. } => {
                    NOT_AUTHENTICATED
                }
                ConfigError::WriteCredentials { .. } => FAILURE,
                ConfigError::NoHome | ConfigError::Invalid(_) => USAGE,
            };
        }
        if let Some(command) = cause.downcast_ref::<CommandError>() {
            return match command {
                CommandError::Usage(_) => USAGE,
                CommandError::NotFound(_) => NOT_FOUND,
                CommandError::Refused(_) | CommandError::Partial(_) => FAILURE,
            };
        }
    }
    FAILURE
}

/// stdout was closed by the reader (`| head -1`): not a failure, as for any Unix tool,
/// except when what could not be written is a new token ([`Undelivered`]).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    let closed = |cause: &(dyn std::error::Error + 'static)| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    };
    !error.chain().any(|cause| cause.is::<Undelivered>()) && error.chain().any(closed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's exit-code table says what [`CODES`] says, row for row.
    #[test]
    fn readme_table_matches_codes() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("## Exit codes")
            .nth(1)
            .expect("README has an Exit codes section");
        let rows: Vec<(u8, String)> = section
            .lines()
            .skip_while(|line| !line.starts_with("| code"))
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
                let code = cells[0].trim().parse().expect("a code");
                (code, cells[1].trim().replace("\\|", "|"))
            })
            .collect();
        let expected: Vec<(u8, String)> = CODES
            .iter()
            .map(|(code, meaning)| (*code, (*meaning).to_owned()))
            .collect();
        assert_eq!(rows, expected, "README.md's exit-code table is out of date");
    }

    /// A closed pipe ends a read quietly (0), and fails a command whose new token it lost
    /// (1), whatever the error around it.
    #[test]
    fn a_closed_pipe_is_success_unless_a_new_token_was_lost() {
        let closed = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let read = anyhow::Error::from(closed()).context("writing the list");
        assert!(is_broken_pipe(&read));
        assert_eq!(code_for(&read), SUCCESS);
        let lost = anyhow::Error::from(Undelivered(closed())).context("rotating");
        assert!(!is_broken_pipe(&lost));
        assert_eq!(code_for(&lost), FAILURE);
    }

    /// At any width: each code with its meaning's words all there in order, from column 7 on
    /// every line (the continuation lines under the first word), each line as full as the
    /// width allows (the next line's first word would not have fit), and none longer than the
    /// width unless it is one word. Narrower than a code and its first word (5, 12), the two
    /// stay on one line.
    #[test]
    fn help_text_wraps_at_the_width_with_continuation_lines_aligned() {
        for width in [5, 12, 20, 40, 60, 79, 80, 100, 200] {
            let text = help_text(width);
            let mut lines = text.lines();
            assert_eq!(lines.next(), Some("Exit codes:"));
            let lines: Vec<(&str, &str)> = lines
                .map(|line| {
                    assert!(
                        line.len() > 7,
                        "at {width} columns, a line holds no word of a meaning:\n{text}"
                    );
                    line.split_at(7)
                })
                .collect();
            let mut found: Vec<(String, String)> = Vec::new();
            for (code, words) in &lines {
                match (code.trim(), found.last_mut()) {
                    ("", Some((_, meaning))) => *meaning = format!("{meaning} {words}"),
                    (code, _) => found.push((code.to_owned(), (*words).to_owned())),
                }
            }
            let expected: Vec<(String, String)> = CODES
                .iter()
                .map(|(code, meaning)| (code.to_string(), (*meaning).to_owned()))
                .collect();
            assert_eq!(found, expected, "at {width} columns:\n{text}");
            for (index, (_, words)) in lines.iter().enumerate() {
                let length = 7 + words.len();
                assert!(
                    length <= width || !words.contains(' '),
                    "at {width} columns, a line is too long:\n{text}"
                );
                if let Some(("       ", next)) = lines.get(index + 1) {
                    let first_word = next.split(' ').next().unwrap_or_default();
                    assert!(
                        length + 1 + first_word.len() > width,
                        "at {width} columns, {first_word:?} would have fit above it:\n{text}"
                    );
                }
            }
        }
    }

    #[test]
    fn invalid_requests_exit_2() {
        for status in [400, 422] {
            let error = anyhow::Error::from(ApiError::Status {
                status,
                message: "bad".into(),
            });
            assert_eq!(code_for(&error), USAGE);
        }
        let error = anyhow::Error::from(ApiError::Status {
            status: 500,
            message: "oops".into(),
        });
        assert_eq!(code_for(&error), FAILURE);
    }
}
