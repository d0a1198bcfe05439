//! A token that never leaks through formatting.
//!
//! `Debug` and `Display` both print `(redacted)`, so a token can sit inside any error,
//! struct or log line without ending up on a terminal or in CI logs. The only way to the
//! characters is [`Secret::expose`], which makes every use easy to find.

use std::fmt;
use std::str::FromStr;

use crate::facts::TOKEN_PREFIX_LEN;

/// An API token (or any other secret string).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret's characters. Call only where they must leave the process: the
    /// `Authorization` header, the credentials file, the one place `create` prints it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first characters, as the API's `token_prefix` shows them: safe to print.
    pub fn prefix(&self) -> &str {
        visible_prefix(&self.0)
    }
}

/// The first [`TOKEN_PREFIX_LEN`] characters of a token (the API's `token_prefix`): what
/// may be shown of something that might be a full token.
pub(crate) fn visible_prefix(text: &str) -> &str {
    let end = text
        .char_indices()
        .nth(TOKEN_PREFIX_LEN)
        .map_or(text.len(), |(index, _)| index);
    &text[..end]
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(redacted)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Secret(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn formatting_never_shows_the_value() {
        let secret = Secret::new("hunter2-very-secret-token");
        assert_eq!(format!("{secret}"), "(redacted)");
        assert_eq!(format!("{secret:?}"), "(redacted)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some((redacted))");
        assert_eq!(secret.expose(), "hunter2-very-secret-token");
        assert_eq!(secret.prefix(), "hunter2-very");
        assert_eq!(Secret::new("short").prefix(), "short");
    }
}
