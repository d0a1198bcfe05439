//! `avn-token __complete -- WORDS...`: what the completion scripts (`completions`) ask for
//! the words only the API knows: a token prefix (`revoke`, `info`, `update`, `rotate`, and
//! `avn`'s spellings), an application user (`--app-user`, `avn`'s user ID positional) and an
//! organization (`--organization-id`).
//!
//! The answer, on stdout: a first line with the text being completed, then one candidate a
//! line, `VALUE<TAB>HINT`. Exit 1 with nothing printed means "not a word completed here"
//! and the script completes statically (options, commands, files).
//!
//! A completion runs on every TAB, so it must never get in the way: the command line's own
//! credentials and URL, a short deadline (1 s; `--deadline` before `__complete` changes it)
//! with no retries, never a prompt, a write or anything on stderr; on any failure (no
//! credentials, a server that is down or slow) it offers nothing. What it offers comes from
//! a server, so it is untrusted: a value is offered only when a shell can insert it as it
//! is (base64 and a few more plain characters: no quoting, no metacharacter, not an
//! option), and never more of a token than its 12-character prefix; hints lose control
//! characters and are cut short.

use std::time::Duration;

use anyhow::Result;
use clap::{ArgMatches, Command, FromArgMatches};

use super::Context;
use super::owner::{self, Owner};
use crate::cli::{self, CompleteArgs, GlobalArgs, OrganizationArg, OwnerArgs};
use crate::output::write_stdout;
use crate::safe_text::is_hazard;
use crate::secret::visible_prefix;

/// How long a completion may take when `__complete` is not given `--deadline`.
const DEADLINE: Duration = Duration::from_secs(1);

/// Exit status for "not a word completed here": the script falls back to its own.
const NOT_DYNAMIC: u8 = 1;

/// What the word under the cursor is.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
    /// A token prefix: yours, or with `--app-user` (or `avn`'s user ID positional) an
    /// application user's.
    Tokens { app_user: Option<String> },
    /// `--app-user`'s value: a name (or an ID when the name needs quoting).
    AppUsers,
    /// `avn`'s positional application user ID.
    AppUserIds,
    /// `--organization-id`'s value.
    Organizations,
}

/// Where the cursor is: what is wanted, the text typed so far, and the command line before
/// it as clap read it.
struct Position {
    wanted: Wanted,
    typed: String,
    matches: ArgMatches,
}

pub(super) async fn run(args: &CompleteArgs, global: &GlobalArgs) -> Result<u8> {
    let words = if args.line {
        shell_words(args.words.join(" ").as_str())
    } else {
        args.words.clone()
    };
    let Some(position) = position(&words) else {
        return Ok(NOT_DYNAMIC);
    };
    let deadline = global.deadline.unwrap_or(DEADLINE);
    // The client's own deadline bounds each call; this bounds the rest (reading the
    // credentials, several calls) as well.
    let candidates = tokio::time::timeout(deadline, candidates(&position, deadline))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let mut out = format!("{}\n", position.typed);
    for (value, hint) in candidates
        .into_iter()
        .filter(|(value, _)| value.starts_with(&position.typed))
    {
        out.push_str(&format!("{value}\t{hint}\n"));
    }
    write_stdout(&out)?;
    Ok(0)
}

/// What the word under the cursor (the last of `words`) is, if the API knows its values.
fn position(words: &[String]) -> Option<Position> {
    let (current, before) = words.split_last()?;
    if current.contains(['\n', '\t']) {
        return None;
    }
    let mut before: Vec<String> = before.iter().skip(1).cloned().collect();
    // `--app-user=ci` under the cursor: the option, then its value being typed.
    let typed = match current
        .strip_prefix("--")
        .and_then(|rest| rest.split_once('='))
    {
        Some((option, value)) => {
            before.push(format!("--{option}"));
            value.to_owned()
        }
        None if current.starts_with('-') => return None, // an option being typed
        None => current.clone(),
    };
    let mut root = cli::parser("");
    root.build();
    let args = std::iter::once("avn-token".to_owned()).chain(before);
    let normalized = cli::argv::normalize(args.map(Into::into), &root).ok()?;
    let wanted = wanted(&root, &normalized)?;
    let matches = root
        .ignore_errors(true)
        .try_get_matches_from(&normalized)
        .ok()?;
    Some(Position {
        wanted,
        typed,
        matches,
    })
}

/// What the next word of the normalized command line `argv` is.
fn wanted(root: &Command, argv: &[std::ffi::OsString]) -> Option<Wanted> {
    let mut command = root;
    let mut path: Vec<&str> = Vec::new();
    let mut positionals: Vec<String> = Vec::new();
    let mut waiting = None;
    let mut separated = false;
    for word in argv.iter().skip(1) {
        let word = word.to_str()?;
        waiting = None;
        if separated {
            positionals.push(word.to_owned());
        } else if word == "--" {
            separated = true;
        } else if word.starts_with('-') && word != "-" {
            // Values are attached by now (`--url=...`), and an option that takes one is
            // spelled by its long name (`-o` is `--output`: `cli::argv::normalize`, whose
            // tests check that every such option has one): an option alone is waiting for
            // its value.
            let name = word.strip_prefix("--").filter(|name| !name.contains('='));
            waiting = command.get_arguments().find(|arg| {
                arg.get_action().takes_values() && name.is_some() && arg.get_long() == name
            });
        } else if command.has_subcommands() && positionals.is_empty() {
            command = command.find_subcommand(word)?;
            path.push(command.get_name());
        } else {
            positionals.push(word.to_owned());
        }
    }
    if let Some(option) = waiting {
        return match option.get_id().as_str() {
            "app_user" => Some(Wanted::AppUsers),
            "organization_id" => Some(Wanted::Organizations),
            _ => None,
        };
    }
    match (path.as_slice(), positionals.as_slice()) {
        (["revoke" | "info" | "update" | "rotate"], [])
        | (["user", "access-token", "revoke" | "update"], []) => {
            Some(Wanted::Tokens { app_user: None })
        }
        (["application-user", "info" | "update" | "delete"], [])
        | (["application-user", "token", _], []) => Some(Wanted::AppUserIds),
        (["application-user", "token", "info" | "revoke"], [user]) => Some(Wanted::Tokens {
            app_user: Some(user.clone()),
        }),
        _ => None,
    }
}

/// The candidates, `(value, hint)`, from the API.
async fn candidates(position: &Position, deadline: Duration) -> Result<Vec<(String, String)>> {
    let mut global = GlobalArgs::from_arg_matches(&position.matches)?;
    // Quick and quiet, whatever the completed command line asks for itself.
    global.deadline = Some(deadline);
    global.request_timeout = None;
    global.retry_budget = Duration::ZERO;
    global.show_http = false;
    let ctx = Context::quiet(&global)?;
    let leaf = leaf(&position.matches);
    let text = |id: &str| leaf.try_get_one::<String>(id).ok().flatten().cloned();
    let organization = OrganizationArg {
        organization_id: text("organization_id"),
    };
    let client = ctx.client()?;
    let in_use = ctx.config().token()?.expose().to_owned();
    let found: Vec<(String, String)> = match &position.wanted {
        Wanted::Tokens { app_user } => {
            let owner = match app_user {
                // `avn`'s positional: the ID itself.
                Some(user_id) => Owner::AppUser {
                    organization_id: owner::required_organization(&ctx, &organization).await?,
                    user_id: user_id.clone(),
                    name: None,
                },
                None => {
                    let args = OwnerArgs {
                        app_user: text("app_user"),
                        organization,
                    };
                    owner::resolve(&ctx, &args).await?
                }
            };
            let tokens = owner.list_tokens(client).await?;
            tokens
                .iter()
                .filter_map(|token| {
                    let prefix = visible_prefix(token.token_prefix()?);
                    // A token so short that its prefix is all of it is not offered whole.
                    if prefix == in_use {
                        return None;
                    }
                    let mut hint = hint(token.description().unwrap_or(""));
                    if token.currently_active() {
                        hint.push_str(" (in use)");
                    }
                    Some((prefix.to_owned(), hint))
                })
                .collect()
        }
        Wanted::AppUsers | Wanted::AppUserIds => {
            let organization_id = owner::required_organization(&ctx, &organization).await?;
            let users = client.list_app_users(&organization_id).await?;
            let names: Vec<Option<String>> = users.iter().map(|user| user.name()).collect();
            users
                .iter()
                .filter_map(|user| {
                    let user_id = user.user_id()?;
                    let name = user.name().unwrap_or_default();
                    let unique = names.iter().flatten().filter(|n| **n == name).count() == 1;
                    // `--app-user` takes a name when it names one user and needs no quoting.
                    if position.wanted == Wanted::AppUsers && unique && plain(&name) {
                        Some((name, hint(&user_id)))
                    } else {
                        Some((user_id, hint(&name)))
                    }
                })
                .collect()
        }
        Wanted::Organizations => client
            .organizations()
            .await?
            .into_iter()
            .map(|org| {
                let name = org.name().unwrap_or_default().to_owned();
                (org.organization_id, hint(&name))
            })
            .collect(),
    };
    Ok(found
        .into_iter()
        .filter(|(value, _)| plain(value))
        .collect())
}

/// The matches of the last command named on the line.
fn leaf(matches: &ArgMatches) -> &ArgMatches {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    leaf
}

/// A value a shell can insert as it is: no quoting needed, no metacharacter, not read as an
/// option: base64 (what prefixes are), and `.`, `_`, `@`, `-` (names and IDs).
fn plain(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 200
        && !value.starts_with('-')
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/=._@-".contains(&b))
}

/// A hint shown beside a value (fish, zsh): one line, no control characters or bidi
/// overrides, at most 60 characters.
fn hint(text: &str) -> String {
    const WIDTH: usize = 60;
    let flat: String = text
        .chars()
        .map(|c| if is_hazard(c) { ' ' } else { c })
        .collect();
    let words: Vec<&str> = flat.split_whitespace().collect();
    let flat = words.join(" ");
    if flat.chars().count() <= WIDTH {
        return flat;
    }
    let cut: String = flat.chars().take(WIDTH - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Shell text split into words as a POSIX shell splits them (bash's `COMP_LINE`): blanks
/// between words, `'...'`, `"..."` and `\` quoting. The last word is the one under the
/// cursor: `""` when the text ends with a blank, and an open quote continues it.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.next() {
                            Some(next @ ('"' | '\\' | '$' | '`')) => word.push(next),
                            Some(next) => {
                                word.push('\\');
                                word.push(next);
                            }
                            None => {}
                        },
                        c => word.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    words.push(word);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wanted_for(line: &str) -> Option<Wanted> {
        position(&shell_words(line)).map(|position| position.wanted)
    }

    #[test]
    fn what_the_word_under_the_cursor_is() {
        let tokens = Some(Wanted::Tokens { app_user: None });
        for line in [
            "avn-token revoke ",
            "avn-token revoke 6Js",
            "avn-token --url http://x info ",
            "avn-token rotate --app-user ci-bot ",
            "avn-token update ",
            "avn-token user access-token revoke ",
        ] {
            assert_eq!(wanted_for(line), tokens, "{line}");
        }
        assert_eq!(
            wanted_for("avn-token application-user token revoke u1 "),
            Some(Wanted::Tokens {
                app_user: Some("u1".into())
            })
        );
        for line in [
            "avn-token revoke --app-user ",
            "avn-token list --app-user c",
            "avn-token list --app-user=c",
            "avn-token list --app ",
        ] {
            assert_eq!(wanted_for(line), Some(Wanted::AppUsers), "{line}");
        }
        assert_eq!(
            wanted_for("avn-token application-user list --organization-id "),
            Some(Wanted::Organizations)
        );
        assert_eq!(
            wanted_for("avn-token application-user token list "),
            Some(Wanted::AppUserIds)
        );
        for line in [
            "avn-token ",
            "avn-token revoke --",
            "avn-token revoke X ",
            "avn-token list ",
            "avn-token list --url ",
            "avn-token --auth ",
            "avn-token frob ",
        ] {
            assert_eq!(wanted_for(line), None, "{line}");
        }
    }

    #[test]
    fn lines_are_split_as_a_shell_splits_them() {
        assert_eq!(shell_words("a b  c"), ["a", "b", "c"]);
        assert_eq!(shell_words("a b "), ["a", "b", ""]);
        assert_eq!(
            shell_words(r#"a 'b c' "d \"e" f\ g"#),
            ["a", "b c", "d \"e", "f g"]
        );
        assert_eq!(shell_words("a \"open quo"), ["a", "open quo"]);
        assert_eq!(shell_words(""), [""]);
    }

    #[test]
    fn only_plain_values_and_clean_hints() {
        for good in ["6JsKDclT3OMQ", "ab/+=cdEFgh1", "ci-bot", "u1.a_b@x"] {
            assert!(plain(good), "{good}");
        }
        for bad in [
            "", "-x", "a b", "a;b", "$(x)", "`x`", "a\nb", "a'b", "a\"b", "tök", "a:b",
        ] {
            assert!(!plain(bad), "{bad:?}");
        }
        assert_eq!(hint("line\nbreak\t\u{1b}[2J \u{202e}x"), "line break [2J x");
        assert_eq!(hint(&"x".repeat(100)).chars().count(), 60);
    }
}
