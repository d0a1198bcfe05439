//! What several commands share: finding the one token a prefix names, and describing a
//! token in a confirmation question.

use anyhow::Result;

use crate::api::Token;
use crate::exit::CommandError;
use crate::secret::visible_prefix;

/// The one token `wanted` (a prefix, a shorter prefix, or a full token) names in `tokens`.
/// Commands that have no single-token endpoint (info, rotate) find it this way.
pub(super) fn find_token<'a>(tokens: &'a [Token], wanted: &str) -> Result<&'a Token> {
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return Err(CommandError::Usage("the token prefix must not be empty".into()).into());
    }
    let matches: Vec<&Token> = tokens.iter().filter(|t| t.matches(wanted)).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CommandError::NotFound(format!(
            "no token matches prefix `{}`; `avn-token list` shows your tokens",
            visible_prefix(wanted)
        ))
        .into()),
        many => Err(CommandError::Usage(format!(
            "prefix `{}` matches {} tokens ({}); give more characters",
            visible_prefix(wanted),
            many.len(),
            many.iter()
                .filter_map(|t| t.token_prefix())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

/// `Revoke token 6JsKDclT3OMQ ("ci deploy")?`
pub(super) fn describe_for_prompt(verb: &str, token: &Token) -> String {
    format!(
        "{verb} token {} ({:?})?",
        token.token_prefix().unwrap_or("?"),
        token.description().unwrap_or("")
    )
}
