//! The command line read as `avn`'s parser (Python's argparse) reads it, rewritten into a
//! form clap reads the same way: [`normalize`] runs before clap.
//!
//! Two argparse rules scripts written for `avn` depend on, which clap does not have:
//!
//! - **A long option may be cut to any prefix that names one option of that parser.** Here
//!   the prefix is resolved against `avn`'s options for the command first ([`AVN_OPTIONS`],
//!   for `user access-token create` and for its native name `create` alike), then against
//!   all of avn-token's: `create --d x` is `--description` as in `avn`, although avn-token's
//!   `--deadline` starts the same way. A prefix that names two of `avn`'s options, or none of
//!   them and two of ours, is refused as argparse refuses it (exit 2, nothing sent).
//! - **An argument that starts with `-` is a value when it looks like a negative number
//!   (`-1`, `-1.5`, `-.5`) or contains a space (`-x y`, `--- nightly ---`)**, unless it names
//!   an option (argparse's `_parse_optional` in CPython 3.11, whose order of checks this
//!   follows). For an option's value the rewrite is `--description=-1`; positionals are moved
//!   after a `--`.
//!
//! Every option is written out in full (`--description=d`), so clap resolves nothing itself
//! (`infer_long_args` is off): there is one set of rules, this one. What this module cannot
//! place (an unknown option or command) is passed on unchanged for clap to report.

use std::ffi::{OsStr, OsString};

use clap::error::ErrorKind;
use clap::{Arg, Command};

/// `avn`'s options (aiven-client 4.18.0) for each command avn-token mirrors, keyed by `avn`'s
/// words for the command (`""`: the top level, before any command). Listed as `avn`'s parser
/// holds them: `tests/it/data/avn_options.py options` prints this table from aiven-client's
/// own argparse tree, and `tests/it/cli/argparse.rs` checks the two agree.
pub const AVN_OPTIONS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "-h",
            "--help",
            "--config",
            "--version",
            "--auth-ca",
            "--auth-token",
            "--show-http",
            "--url",
            "--request-timeout",
            "--idle-timeout",
            "--max-age",
        ],
    ),
    (
        "user access-token create",
        &[
            "-h",
            "--help",
            "--description",
            "--max-age-seconds",
            "--extend-when-used",
            "--json",
        ],
    ),
    ("user access-token list", &["-h", "--help", "--json"]),
    (
        "user access-token update",
        &["-h", "--help", "--description", "--json"],
    ),
    ("user access-token revoke", &["-h", "--help"]),
    ("user tokens-expire", &["-h", "--help", "-v", "--verbose"]),
    (
        "application-user create",
        &["-h", "--help", "--json", "--organization-id", "--name"],
    ),
    (
        "application-user list",
        &["-h", "--help", "--json", "--organization-id"],
    ),
    (
        "application-user info",
        &["-h", "--help", "--json", "--organization-id"],
    ),
    (
        "application-user update",
        &["-h", "--help", "--json", "--organization-id", "--name"],
    ),
    (
        "application-user delete",
        &[
            "-h",
            "--help",
            "--json",
            "-f",
            "--force",
            "--organization-id",
        ],
    ),
    (
        "application-user token create",
        &[
            "-h",
            "--help",
            "--json",
            "--organization-id",
            "--description",
            "--max-age-seconds",
            "--extend-when-used",
            "--ip-allowlist",
            "--scopes",
        ],
    ),
    (
        "application-user token list",
        &["-h", "--help", "--json", "--organization-id", "--verbose"],
    ),
    (
        "application-user token info",
        &["-h", "--help", "--json", "--organization-id", "--verbose"],
    ),
    (
        "application-user token revoke",
        &[
            "-h",
            "--help",
            "--json",
            "-f",
            "--force",
            "--organization-id",
        ],
    ),
];

/// avn-token's own names for `avn`'s commands: their options are read as `avn` reads them.
const NATIVE_NAMES: &[(&str, &str)] = &[
    ("create", "user access-token create"),
    ("list", "user access-token list"),
    ("update", "user access-token update"),
    ("revoke", "user access-token revoke"),
    ("expire-all", "user tokens-expire"),
];

/// Levels of `avn`'s command tree that hold only subcommands: its parser there has `-h`.
const AVN_GROUPS: &[&str] = &[
    "user",
    "user access-token",
    "application-user",
    "application-user token",
];

/// `avn`'s options for the command at `path` (avn-token's words for it), or `None` where
/// `avn` has no such command.
fn avn_options(path: &[&str]) -> Option<&'static [&'static str]> {
    let words = path.join(" ");
    let avn_words = NATIVE_NAMES
        .iter()
        .find(|(native, _)| *native == words)
        .map_or(words.as_str(), |(_, avn)| avn);
    if AVN_GROUPS.contains(&avn_words) {
        return Some(&["-h", "--help"]);
    }
    AVN_OPTIONS
        .iter()
        .find(|(command, _)| *command == avn_words)
        .map(|(_, options)| *options)
}

/// One command of the tree as the walk in [`normalize`] sees it.
struct Level<'a> {
    /// The whole tree (for errors).
    root: &'a Command,
    command: &'a Command,
    /// What clap adds to every command when it builds the tree: the root's global options
    /// and `-h/--help` (and `-V/--version` at the top). The tree is walked unbuilt, as clap
    /// parses it, building only the commands on the path: building all of it (every
    /// subcommand's copies of the global options) cost every run ~300 KB of memory.
    inherited: &'a [Arg],
    /// `avn`'s options for it, when `avn` has the command.
    avn: Option<&'static [&'static str]>,
    /// avn-token's words for it (`["user", "access-token", "create"]`), for messages.
    path: Vec<&'a str>,
}

impl<'a> Level<'a> {
    /// Its options: its own, then those clap gives every command (an own one of the same
    /// name comes first, as clap's).
    fn arguments(&self) -> impl Iterator<Item = &'a Arg> {
        self.command.get_arguments().chain(self.inherited.iter())
    }

    /// The option spelled `--name` exactly (its long name or an alias).
    fn long(&self, name: &str) -> Option<&'a Arg> {
        self.arguments().find(|arg| {
            arg.get_long() == Some(name)
                || arg
                    .get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&name))
        })
    }

    fn short(&self, letter: char) -> Option<&'a Arg> {
        self.arguments().find(|arg| {
            arg.get_short() == Some(letter)
                || arg
                    .get_all_short_aliases()
                    .is_some_and(|aliases| aliases.contains(&letter))
        })
    }

    /// Every spelling of every option: `--description`, `--scope`, `-o`.
    fn spellings(&self) -> Vec<String> {
        let mut all = Vec::new();
        for arg in self.arguments() {
            all.extend(arg.get_long().map(|long| format!("--{long}")));
            for alias in arg.get_all_aliases().unwrap_or_default() {
                all.push(format!("--{alias}"));
            }
            all.extend(arg.get_short().map(|short| format!("-{short}")));
            for alias in arg.get_all_short_aliases().unwrap_or_default() {
                all.push(format!("-{alias}"));
            }
        }
        all
    }

    /// The option strings argparse would classify arguments with: `avn`'s where the
    /// command is `avn`'s, else avn-token's.
    fn classifying_spellings(&self) -> Vec<String> {
        match self.avn {
            Some(avn) => avn.iter().map(|s| (*s).to_owned()).collect(),
            None => self.spellings(),
        }
    }

    /// The option `--prefix` names: exactly, else as a prefix of one of `avn`'s options,
    /// else of one of avn-token's.
    fn resolve_long(&self, prefix: &str) -> Result<Option<&'a Arg>, clap::Error> {
        if let Some(arg) = self.long(prefix) {
            return Ok(Some(arg));
        }
        let avn: Vec<(&'a Arg, String)> = self
            .avn
            .unwrap_or_default()
            .iter()
            .filter_map(|spelled| spelled.strip_prefix("--"))
            .filter(|name| name.starts_with(prefix))
            .filter_map(|name| Some((self.long(name)?, format!("--{name}"))))
            .collect();
        if let Some(found) = self.unique(prefix, avn)? {
            return Ok(Some(found));
        }
        let ours: Vec<(&'a Arg, String)> = self
            .spellings()
            .into_iter()
            .filter_map(|spelled| {
                let name = spelled.strip_prefix("--")?;
                name.starts_with(prefix)
                    .then(|| Some((self.long(name)?, spelled.clone())))?
            })
            .collect();
        self.unique(prefix, ours)
    }

    /// The one option among `matches`, none, or argparse's refusal when there are several.
    fn unique(
        &self,
        prefix: &str,
        mut matches: Vec<(&'a Arg, String)>,
    ) -> Result<Option<&'a Arg>, clap::Error> {
        matches.dedup_by(|a, b| a.0.get_id() == b.0.get_id());
        let mut ids: Vec<&str> = matches
            .iter()
            .map(|(arg, _)| arg.get_id().as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        match ids.len() {
            0 => Ok(None),
            1 => Ok(Some(matches[0].0)),
            _ => {
                let names: Vec<&str> = matches.iter().map(|(_, name)| name.as_str()).collect();
                Err(self.error(format!(
                    "ambiguous option: --{prefix} could match {}",
                    names.join(", ")
                )))
            }
        }
    }

    /// A usage error of this command, with its usage line. The tree is built here, on the
    /// error's path only: clap checks a command's options against each other (and the
    /// global ones) when it formats the usage.
    fn error(&self, message: String) -> clap::Error {
        let mut root = self.root.clone();
        root.build();
        let mut command = &root;
        for name in &self.path {
            if let Some(sub) = command.find_subcommand(name) {
                command = sub;
            }
        }
        command.clone().error(ErrorKind::UnknownArgument, message)
    }

    /// Whether argparse reads `arg` as a value (a positional, or an option's argument)
    /// rather than an option: `_parse_optional`, in its order.
    fn is_value(&self, arg: &OsStr) -> bool {
        let Some(text) = arg.to_str() else {
            // Not UTF-8: no option is spelled so; a value unless it starts like one.
            return !arg.as_encoded_bytes().starts_with(b"-");
        };
        if text.is_empty() || !text.starts_with('-') || text == "-" {
            return true;
        }
        let spellings = self.classifying_spellings();
        let names = |spelled: &str| spellings.iter().any(|s| s == spelled);
        if names(text) {
            return false;
        }
        if text
            .split_once('=')
            .is_some_and(|(option, _)| names(option))
        {
            return false;
        }
        // `_get_option_tuples`: a prefix of a long option (before any `=`), or a short
        // option with its value attached.
        let matched = if text.starts_with("--") {
            let prefix = text.split_once('=').map_or(text, |(option, _)| option);
            spellings.iter().any(|s| s.starts_with(prefix))
        } else {
            let short: String = text.chars().take(2).collect();
            spellings.iter().any(|s| *s == short || s.starts_with(text))
        };
        if matched {
            return false;
        }
        looks_like_a_negative_number(text) || text.contains(' ')
    }
}

/// argparse's `_negative_number_matcher`: `^-\d+$|^-\d*\.\d+$`. (No option of avn-token or
/// `avn` looks like a negative number, which would turn this off.)
fn looks_like_a_negative_number(text: &str) -> bool {
    let Some(number) = text.strip_prefix('-') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match number.split_once('.') {
        None => !number.is_empty() && digits(number),
        Some((whole, fraction)) => digits(whole) && !fraction.is_empty() && digits(fraction),
    }
}

/// What the walk keeps of the current command's arguments.
enum Item {
    /// An option, written out (`--description=d`), or passed on as it was.
    Option(OsString),
    /// A positional value.
    Positional(OsString),
}

fn joined(option: &str, value: &OsStr) -> OsString {
    let mut text = OsString::from(option);
    text.push("=");
    text.push(value);
    text
}

/// The command line `args` (the program name first) parsed by `parser`, read as argparse
/// reads it ([`normalize`]); a usage error carries the tips clap cannot give
/// ([`super::tips`]).
pub fn parse(
    mut parser: Command,
    args: impl IntoIterator<Item = OsString>,
) -> Result<super::Cli, clap::Error> {
    use clap::FromArgMatches;

    let args = normalize(args, &parser)?;
    parser
        .try_get_matches_from_mut(&args)
        .and_then(|matches| super::Cli::from_arg_matches(&matches))
        .map_err(|error| super::tips::add_tips(error, &parser, &args))
}

/// `args` (the program name first) as clap must see them to read them as argparse does;
/// `root` is the command tree, built or not. An ambiguous option prefix is the error.
pub fn normalize(
    args: impl IntoIterator<Item = OsString>,
    root: &Command,
) -> Result<Vec<OsString>, clap::Error> {
    // What clap's build adds to each command (see `Level::inherited`).
    let help = Arg::new("help")
        .short('h')
        .long("help")
        .action(clap::ArgAction::Help);
    let at_the_top = [
        help.clone(),
        Arg::new("version")
            .short('V')
            .long("version")
            .action(clap::ArgAction::Version),
    ];
    let below: Vec<Arg> = root
        .get_arguments()
        .filter(|arg| arg.is_global_set())
        .cloned()
        .chain([help])
        .collect();
    let mut args: std::collections::VecDeque<OsString> = args.into_iter().collect();
    let mut out: Vec<OsString> = args.pop_front().into_iter().collect();
    let mut level = Level {
        root,
        command: root,
        inherited: &at_the_top,
        avn: avn_options(&[]),
        path: Vec::new(),
    };
    let mut items: Vec<Item> = Vec::new();
    let mut separated = false;
    while let Some(arg) = args.pop_front() {
        if arg == "--" {
            separated = true;
            items.extend(args.drain(..).map(Item::Positional));
            break;
        }
        if level.is_value(&arg) {
            let has_positionals = items.iter().any(|i| matches!(i, Item::Positional(_)));
            if level.command.has_subcommands() && !has_positionals {
                let Some(sub) = level.command.find_subcommand(&arg) else {
                    // Not a command: clap says so, with its suggestions.
                    items.push(Item::Positional(arg));
                    items.extend(args.drain(..).map(Item::Option));
                    break;
                };
                flush(&mut out, std::mem::take(&mut items), false);
                out.push(arg);
                let mut path = std::mem::take(&mut level.path);
                path.push(sub.get_name());
                level = Level {
                    root,
                    command: sub,
                    inherited: &below,
                    avn: avn_options(&path),
                    path,
                };
                continue;
            }
            items.push(Item::Positional(arg));
            continue;
        }
        items.extend(read_option(&level, arg, &mut args)?);
    }
    let hyphenated = items.iter().any(|item| match item {
        Item::Positional(value) => value.as_encoded_bytes().starts_with(b"-") && value != "-",
        Item::Option(_) => false,
    });
    flush(&mut out, items, separated || hyphenated);
    Ok(out)
}

/// The current command's arguments, in order, or with the options first and the
/// positionals after a `--` (so that clap reads `-1` as a value).
fn flush(out: &mut Vec<OsString>, items: Vec<Item>, separate: bool) {
    if !separate {
        out.extend(items.into_iter().map(|item| match item {
            Item::Option(text) | Item::Positional(text) => text,
        }));
        return;
    }
    let (mut positionals, mut options) = (Vec::new(), Vec::new());
    for item in items {
        match item {
            Item::Option(text) => options.push(text),
            Item::Positional(text) => positionals.push(text),
        }
    }
    out.extend(options);
    out.push("--".into());
    out.extend(positionals);
}

/// The option `arg` (which argparse reads as one), written out, with its value taken from
/// `args` when it has one there.
fn read_option(
    level: &Level<'_>,
    arg: OsString,
    args: &mut std::collections::VecDeque<OsString>,
) -> Result<Vec<Item>, clap::Error> {
    let Some(text) = arg.to_str() else {
        return Ok(vec![Item::Option(arg)]);
    };
    // Its value is the next argument, when argparse reads that as a value. Missing, clap
    // says so; an option in its place is said here, with how to give such a value.
    let mut value_from_next = |option: String| -> Result<Item, clap::Error> {
        match args.front() {
            Some(next) if level.is_value(next) => {
                let next = args.pop_front().unwrap_or_default();
                Ok(Item::Option(joined(&option, &next)))
            }
            Some(next) => {
                let next = next.to_string_lossy();
                Err(level.error(format!(
                    "a value is required for '{option}' but none was supplied: `{next}` reads \
                     as an option; to give it as the value, write {option}={next}"
                )))
            }
            None => Ok(Item::Option(option.into())),
        }
    };
    if let Some(long) = text.strip_prefix("--") {
        let (prefix, attached) = match long.split_once('=') {
            Some((prefix, value)) => (prefix, Some(value)),
            None => (long, None),
        };
        let Some(found) = level.resolve_long(prefix)? else {
            return Ok(vec![Item::Option(arg)]);
        };
        let name = format!("--{}", found.get_long().unwrap_or(prefix));
        return Ok(vec![match attached {
            Some(value) => Item::Option(joined(&name, OsStr::new(value))),
            None if takes_value(found) => value_from_next(name)?,
            None => Item::Option(name.into()),
        }]);
    }
    // Short options, possibly several together (`-fy`), the last perhaps with its value
    // attached (`-ojson`, `-o=json`) or next.
    for (at, letter) in text[1..].char_indices() {
        let Some(found) = level.short(letter) else {
            break;
        };
        if !takes_value(found) {
            continue;
        }
        let rest = &text[1 + at + letter.len_utf8()..];
        if !rest.is_empty() {
            break; // the value is attached, as clap reads it too
        }
        let name = match found.get_long() {
            Some(long) => format!("--{long}"),
            None => format!("-{letter}"),
        };
        let cluster = &text[..1 + at];
        let mut items = Vec::new();
        if cluster.len() > 1 {
            items.push(Item::Option(cluster.into()));
        }
        items.push(value_from_next(name)?);
        return Ok(items);
    }
    Ok(vec![Item::Option(arg)])
}

fn takes_value(arg: &Arg) -> bool {
    arg.get_action().takes_values()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(args: &[&str]) -> Result<Vec<String>, String> {
        let mut root = crate::cli::parser("");
        root.build();
        let args = std::iter::once("avn-token")
            .chain(args.iter().copied())
            .map(OsString::from);
        normalize(args, &root)
            .map(|out| {
                out.into_iter()
                    .skip(1)
                    .map(|arg| arg.into_string().unwrap())
                    .collect()
            })
            .map_err(|error| error.to_string())
    }

    fn ok(args: &[&str]) -> Vec<String> {
        normalized(args).unwrap()
    }

    #[test]
    fn avn_options_win_a_prefix_only_our_additions_make_ambiguous() {
        for spelling in [
            &["create", "--d", "x"][..],
            &["user", "access-token", "create", "--d", "x"],
        ] {
            assert!(
                ok(spelling).contains(&"--description=x".to_owned()),
                "{spelling:?}"
            );
        }
        // --ex: avn's --extend-when-used, although --expires-in starts so too.
        assert!(
            ok(&["create", "--description", "x", "--ex"]).contains(&"--extend-when-used".into())
        );
        // Before the command: avn's --request-timeout, not --retry-budget or --relative.
        assert_eq!(ok(&["--re", "5", "list"]), ["--request-timeout=5", "list"]);
        // Only ours match: unique among ours.
        assert_eq!(ok(&["list", "--app", "bot"]), ["list", "--app-user=bot"]);
        // Two of avn's: refused as argparse refuses it.
        let error = normalized(&["--auth", "x", "list"]).unwrap_err();
        assert!(
            error.contains("ambiguous option: --auth could match --auth-ca, --auth-token"),
            "{error}"
        );
        // None of avn's, two of ours.
        let error = normalized(&["info", "--re", "5", "X"]).unwrap_err();
        assert!(
            error.contains("ambiguous option: --re could match"),
            "{error}"
        );
    }

    #[test]
    fn values_starting_with_a_hyphen_as_argparse_reads_them() {
        assert_eq!(
            ok(&["create", "--description", "-1"]),
            ["create", "--description=-1"]
        );
        assert_eq!(
            ok(&["create", "--description", "--- nightly ---"]),
            ["create", "--description=--- nightly ---"]
        );
        // Not values: an option in the value's place is an error saying how to give one.
        let error = normalized(&["create", "--description", "-x"]).unwrap_err();
        assert!(error.contains("write --description=-x"), "{error}");
        assert_eq!(
            ok(&["create", "--description"]),
            ["create", "--description"]
        );
        assert_eq!(
            ok(&["revoke", "-1", "--force"]),
            ["revoke", "--force", "--", "-1"]
        );
        assert_eq!(ok(&["revoke", "-"]), ["revoke", "-"]);
        assert_eq!(
            ok(&["update", "-x y", "--desc", "d"]),
            ["update", "--description=d", "--", "-x y"]
        );
        // Where the command is avn's, avn's options decide: `-o x` names no option of avn's.
        assert_eq!(
            ok(&["create", "--description", "-o x"]),
            ["create", "--description=-o x"]
        );
        assert_eq!(
            ok(&["info", "X", "-o", "json"]),
            ["info", "X", "--output=json"]
        );
        assert_eq!(ok(&["info", "X", "-ojson"]), ["info", "X", "-ojson"]);
        assert_eq!(
            ok(&["rotate", "X", "-yo", "json"]),
            ["rotate", "X", "-y", "--output=json"]
        );
    }

    #[test]
    fn what_argparse_reads_as_a_negative_number() {
        for yes in ["-1", "-10", "-1.5", "-.5", "-0"] {
            assert!(looks_like_a_negative_number(yes), "{yes}");
        }
        for no in ["-", "-1.", "-1e3", "-x", "--1", "-1.2.3", "-."] {
            assert!(!looks_like_a_negative_number(no), "{no}");
        }
    }

    #[test]
    fn separators_and_unknown_commands_pass_through() {
        assert_eq!(
            ok(&["sandbox", "--exec", "--", "sh", "-c", "x"]),
            ["sandbox", "--exec", "--", "sh", "-c", "x"]
        );
        assert_eq!(ok(&["delete", "--d", "x"]), ["delete", "--d", "x"]);
        assert_eq!(ok(&["--frob", "list"]), ["--frob", "list"]);
    }

    /// The rewrite knows every option's arity: none takes more than one value per use.
    #[test]
    fn every_option_takes_one_value_or_none() {
        fn check(command: &Command) {
            for arg in command.get_arguments().filter(|arg| !arg.is_positional()) {
                let values = arg.get_num_args().expect("built");
                assert!(
                    values.min_values() == values.max_values() && values.max_values() <= 1,
                    "{}: --{:?} takes {values:?}",
                    command.get_name(),
                    arg.get_long()
                );
                assert!(
                    !arg.get_short().is_some_and(|s| s.is_ascii_digit()),
                    "a short option that looks like a negative number changes argparse's rule"
                );
                // `normalize` then spells it by its long name (`-o` is `--output`), the
                // one spelling `commands::complete` looks for.
                assert!(
                    arg.get_short().is_none() || !takes_value(arg) || arg.get_long().is_some(),
                    "{}: -{:?} takes a value and has no long name",
                    command.get_name(),
                    arg.get_short()
                );
            }
            command.get_subcommands().for_each(check);
        }
        let mut root = crate::cli::parser("");
        root.build();
        check(&root);
    }

    /// Every command named in the table is one of avn-token's, and every option of avn's is
    /// one of ours there (except avn's `-v/--verbose` on the native `expire-all`).
    #[test]
    fn the_table_names_our_commands_and_options() {
        let mut root = crate::cli::parser("");
        root.build();
        for (words, options) in AVN_OPTIONS {
            let mut command = &root;
            for word in words.split_whitespace() {
                command = command.find_subcommand(word).expect(words);
            }
            let level = Level {
                root: &root,
                command,
                inherited: &[],
                avn: None,
                path: Vec::new(),
            };
            let ours = level.spellings();
            for option in *options {
                assert!(ours.contains(&(*option).to_owned()), "{words}: {option}");
            }
        }
    }
}
