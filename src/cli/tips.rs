//! Tips clap cannot give, added to its usage errors before they are rendered (so they come
//! out in clap's words and styles, as `tip: ...`):
//!
//! - an option that other commands have (`info X -q`): which commands, instead of clap's
//!   `to pass '-q' as a value, use '-- -q'` (the command line is read as argparse reads
//!   it, so what starts with `-` here is meant as an option, not as a value);
//! - a command by a name other tools give it (`delete` for `revoke`, `ls` for `list`):
//!   clap's "a similar subcommand exists", which clap finds only for names spelled alike.

use clap::Command;
use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// `error` with the tips of this module where they apply; `root` is the built tree.
pub fn add_tips(
    mut error: clap::Error,
    root: &Command,
    args: &[std::ffi::OsString],
) -> clap::Error {
    let context = |error: &clap::Error, kind| match error.get(kind) {
        Some(ContextValue::String(text)) => Some(text.clone()),
        _ => None,
    };
    match error.kind() {
        ErrorKind::UnknownArgument => {
            let mut tips: Vec<StyledStr> = context(&error, ContextKind::InvalidArg)
                .and_then(|typed| option_owners(root, &typed))
                .map(StyledStr::from)
                .into_iter()
                .collect();
            if let Some(ContextValue::StyledStrs(clap_tips)) = error.get(ContextKind::Suggested) {
                tips.extend(
                    clap_tips
                        .iter()
                        .filter(|tip| !tip.to_string().contains("as a value"))
                        .cloned(),
                );
            }
            error.insert(ContextKind::Suggested, ContextValue::StyledStrs(tips));
        }
        ErrorKind::InvalidSubcommand if error.get(ContextKind::SuggestedSubcommand).is_none() => {
            let suggested = context(&error, ContextKind::InvalidSubcommand)
                .map(|typed| synonyms(root, args, &typed))
                .unwrap_or_default();
            if !suggested.is_empty() {
                error.insert(
                    ContextKind::SuggestedSubcommand,
                    ContextValue::Strings(suggested),
                );
            }
        }
        _ => {}
    }
    error
}

/// `-q is an option of create and rotate`, for an option the command does not have, when
/// other commands have it.
fn option_owners(root: &Command, typed: &str) -> Option<String> {
    let typed = typed.split_once('=').map_or(typed, |(option, _)| option);
    let mut owners = Vec::new();
    let mut visit = vec![(String::new(), root)];
    while let Some((path, command)) = visit.pop() {
        let spelled = |arg: &clap::Arg| {
            let long = arg.get_long().map(|long| format!("--{long}"));
            let short = arg.get_short().map(|short| format!("-{short}"));
            [long, short].iter().any(|s| s.as_deref() == Some(typed))
        };
        if let Some(arg) = command
            .get_arguments()
            .find(|arg| !arg.is_hide_set() && spelled(arg))
        {
            if arg.is_global_set() {
                return None; // accepted everywhere: not the problem
            }
            owners.push(path.clone());
        }
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            let path = format!("{path} {}", sub.get_name());
            visit.push((path.trim_start().to_owned(), sub));
        }
    }
    owners.sort();
    let owners = match owners.as_slice() {
        [] => return None,
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} and `{last}`",
            init.iter()
                .map(|owner| format!("`{owner}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Some(format!("{typed} is an option of {owners}"))
}

/// Words people type for a command that has another name here (`delete` for `revoke`),
/// in groups: a word of a group suggests the group's commands that exist where it was typed.
const SYNONYMS: &[&[&str]] = &[
    &["revoke", "delete", "remove", "rm", "del", "destroy", "drop"],
    &["list", "ls"],
    &["create", "new", "add", "generate", "issue", "mint"],
    &[
        "info", "show", "get", "view", "describe", "inspect", "details",
    ],
    &["update", "edit", "set", "rename", "modify", "change"],
    &[
        "rotate",
        "renew",
        "regenerate",
        "refresh",
        "roll",
        "replace",
    ],
    &["expire-all", "expire", "revoke-all", "tokens-expire"],
    &["login", "signin", "sign-in"],
    &["logout", "signout", "sign-out"],
    &["completions", "completion", "complete"],
    &["token", "tokens"],
];

/// The commands [`SYNONYMS`] suggests for `typed`, where it was typed: the command whose
/// subcommand it was meant to be, found by following the command names in `args`.
fn synonyms(root: &Command, args: &[std::ffi::OsString], typed: &str) -> Vec<String> {
    let mut command = root;
    for word in args.iter().skip(1).filter_map(|word| word.to_str()) {
        if word == typed {
            break;
        }
        if let Some(sub) = command.find_subcommand(word) {
            command = sub;
        }
    }
    let lower = typed.to_ascii_lowercase();
    SYNONYMS
        .iter()
        .filter(|group| group.contains(&lower.as_str()))
        .flat_map(|group| group.iter())
        .filter(|name| **name != lower)
        .filter_map(|name| command.find_subcommand(name))
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().to_owned())
        .collect()
}
