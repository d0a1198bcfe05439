//! What several commands share: finding the one token a prefix names, the one wording for
//! a prefix that names no token or several, describing a token in a confirmation question,
//! and checking a new token's secret before it is shown.
//!
//! Every command says the same thing for the same problem: an unknown prefix is exit 4
//! ([`not_found`]), an ambiguous one exit 2, naming the tokens it matches ([`ambiguous`]),
//! whether the command looked the prefix up in the list itself (info, rotate) or the API did
//! (revoke, update: `Owner::explain_prefix_error`).

use anyhow::{Result, anyhow};

use crate::api::Token;
use crate::exit::CommandError;
use crate::safe_text::is_plain_base64;
use crate::secret::{Secret, visible_prefix};

/// The one token `wanted` (a prefix, a shorter prefix, or a full token) names in `tokens`.
/// Commands that have no single-token endpoint (info, rotate) find it this way. `listing`
/// says where the tokens are, for the error when none matches ([`not_found`]).
/// (A blank `wanted` never gets here: the argument parser refuses it.)
pub(super) fn find_token<'a>(
    tokens: &'a [Token],
    wanted: &str,
    listing: &str,
) -> Result<&'a Token> {
    match matching(tokens, wanted).as_slice() {
        [one] => Ok(one),
        [] => Err(not_found(wanted, listing).into()),
        many => Err(ambiguous(wanted, many).into()),
    }
}

/// The tokens `wanted` names: the one whose prefix it is exactly (as `avn` finds a token),
/// else every token it is a prefix of, or a whole token of. (Real prefixes all have 12
/// characters; lists made by hand may have `tok1` beside `tok10`.)
pub(super) fn matching<'a>(tokens: &'a [Token], wanted: &str) -> Vec<&'a Token> {
    let wanted = wanted.trim();
    let exact: Vec<&Token> = tokens
        .iter()
        .filter(|t| t.token_prefix() == Some(wanted))
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    tokens.iter().filter(|t| t.matches(wanted)).collect()
}

/// `wanted` as it may be shown: as typed, but never more of it than a token prefix (it may
/// be a whole token), with `…` when it was cut.
fn shown(wanted: &str) -> String {
    let visible = visible_prefix(wanted);
    if visible.len() < wanted.len() {
        format!("{visible}…")
    } else {
        visible.to_owned()
    }
}

/// No token matches `wanted` (exit 4); `listing` says where the tokens are
/// (`Owner::listing`: "`avn-token list` shows your tokens").
pub(super) fn not_found(wanted: &str, listing: &str) -> CommandError {
    CommandError::NotFound(format!(
        "no token matches prefix `{}`; {listing}",
        shown(wanted)
    ))
}

/// `wanted` matches several tokens (exit 2): name them.
pub(super) fn ambiguous(wanted: &str, many: &[&Token]) -> CommandError {
    CommandError::Usage(format!(
        "prefix `{}` matches {} tokens ({}); give more characters",
        shown(wanted),
        many.len(),
        many.iter()
            .filter_map(|t| t.token_prefix())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// `Revoke token 6JsKDclT3OMQ ("ci deploy")?`
pub(super) fn describe_for_prompt(verb: &str, token: &Token) -> String {
    format!(
        "{verb} token {} ({:?})?",
        token.token_prefix().unwrap_or("?"),
        token.description().unwrap_or("")
    )
}

/// The full token of a token just created, checked before anything of the token is shown,
/// in any format (`-q` prints it bare for `$(...)`): it must be there, or the new token
/// cannot be used (avn's table fails on the missing column too), and be plain base64, what
/// the API issues. Anything else (a hostile server's terminal control sequence, a
/// placeholder) is an error (exit 1), never printed.
pub(super) fn new_full_token(token: &Token) -> Result<Secret> {
    match token.full_token() {
        Some(full) if is_plain_base64(full.expose()) => Ok(full),
        Some(_) => Err(anyhow!(
            "the API sent a new token that is not plain base64, so it was not printed{}",
            created(token)
        )),
        None => Err(anyhow!(
            "the API created a token but sent no \"full_token\"{}",
            created(token)
        )),
    }
}

/// `; token 6JsKDclT3OMQ was created`, for the errors above: the create did happen.
fn created(token: &Token) -> String {
    token
        .token_prefix()
        .map(|prefix| format!("; token {prefix} was created"))
        .unwrap_or_default()
}
