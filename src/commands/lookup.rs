//! What several commands share: finding the one token a prefix names, the one wording for
//! a prefix that names no token or several, and describing a token in a confirmation
//! question. (Handing a new token over is `deliver`'s.)
//!
//! Every command says the same thing for the same problem: an unknown prefix is exit 4
//! ([`not_found`]), an ambiguous one exit 2, naming the tokens it matches ([`ambiguous`]),
//! whether the command looked the prefix up in the list itself (info, rotate) or the API did
//! (revoke, update: `Owner::explain_prefix_error`).

use anyhow::Result;

use crate::api::Token;
use crate::exit::CommandError;
use crate::secret::visible_prefix;

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
