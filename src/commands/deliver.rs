//! Handing a new token over, the one moment its secret is shown, by the rule every command
//! that creates a token follows (`create` and `rotate`, with or without `--app-user`, and
//! `application-user token create`): **it succeeds only if the token reached its output.**
//!
//! The new token is checked (its `full_token` must be there, in plain base64) and written
//! and flushed before the command does anything it cannot undo: `rotate` revokes the old
//! token only afterwards. When it cannot be written (stdout is a closed pipe, as in
//! `create -q | true`, or a full disk, or another I/O error), nobody holds it, so it is
//! revoked (best effort, within the command's deadline), the token it was to replace is
//! kept, and the command fails (exit 1) saying which token is still valid and whether the
//! new one was revoked or may still exist. An answer whose token cannot be shown fails the
//! same way, but its token is only named, not revoked: without a secret that is a token,
//! nothing shows which token the answer's prefix names. Only prefixes are named: the
//! secret never reaches stderr.

use std::io;

use anyhow::{Result, anyhow};

use super::Context;
use super::owner::Owner;
use crate::api::Token;
use crate::output::Printer;
use crate::safe_text::is_plain_base64;
use crate::secret::{Secret, visible_prefix};

/// Hand over the new token of `answer` (the API's answer to a create, for `owner`):
/// `write` writes it with the printer's methods, given the checked secret. `replaces` is
/// the token `rotate` replaces, which stays valid when the new one is not delivered. On
/// failure the error says what became of each.
pub(super) async fn deliver(
    ctx: &Context,
    owner: &Owner,
    answer: &Token,
    replaces: Option<&Token>,
    write: impl FnOnce(&Printer, &Secret) -> io::Result<()>,
) -> Result<()> {
    let kept = replaces
        .map(|old| {
            format!(
                "; the old token {} was NOT revoked and is still valid",
                old.token_prefix().map(visible_prefix).unwrap_or("?")
            )
        })
        .unwrap_or_default();
    let full = match new_full_token(answer) {
        Ok(full) => full,
        // Nothing shows that a token was made (no secret, or not one the API issues), so
        // nothing is revoked on the answer's word: its prefix could name another token.
        Err(refused) => return Err(anyhow!("{refused}{}{kept}", unclaimed(owner, answer))),
    };
    let Err(undelivered) = ctx.printer.deliver(|printer| write(printer, &full)) else {
        return Ok(());
    };
    let outcome = withdraw(ctx, owner, answer, &full, replaces).await;
    Err(anyhow!("{undelivered}; {outcome}{kept}"))
}

/// The full token of a token just created, checked before anything of it is shown, in any
/// format (`-q` prints it bare for `$(...)`): it must be there, or the new token cannot be
/// used (`avn`'s table fails on the missing column too), and be plain base64, what the API
/// issues. Anything else (a hostile server's terminal control sequence, a placeholder, a
/// proxy's `(redacted)`) is never printed: the error says why.
fn new_full_token(token: &Token) -> Result<Secret, &'static str> {
    match token.full_token() {
        Some(full) if is_plain_base64(full.expose()) => Ok(full),
        Some(_) => Err("the API sent a new token that is not plain base64, so it was not printed"),
        None => Err("the API created a token but sent no \"full_token\""),
    }
}

/// `; token 6JsKDclT3OMQ was created ...`, for an answer whose token cannot be shown: the
/// create did happen, and the token is of no use to anyone.
fn unclaimed(owner: &Owner, answer: &Token) -> String {
    answer
        .token_prefix()
        .filter(|prefix| !prefix.is_empty())
        .map(|prefix| {
            let shown = visible_prefix(prefix);
            format!(
                "; token {shown} was created, and nobody has it: revoke it with \
                 `avn-token revoke{} {shown}`",
                owner.cli_flag()
            )
        })
        .unwrap_or_default()
}

/// Revoke a new token nobody received, and say what became of it. It is named by the
/// answer's prefix when its secret starts with it (else the answer is not telling which
/// token it is), or by its secret's first characters when the answer has none.
async fn withdraw(
    ctx: &Context,
    owner: &Owner,
    answer: &Token,
    full: &Secret,
    replaces: Option<&Token>,
) -> String {
    let prefix = match answer.token_prefix().filter(|p| !p.is_empty()) {
        Some(prefix) if full.expose().starts_with(prefix) => prefix,
        Some(prefix) => {
            return format!(
                "the answer's token prefix {} is not how the new token starts, so the new \
                 token was not revoked and may still exist",
                visible_prefix(prefix)
            );
        }
        None => full.prefix(),
    };
    // Shown as a prefix however long the server made it: it could be the whole secret.
    let shown = visible_prefix(prefix);
    // Revoking by a prefix that also names the token being replaced could revoke that one.
    if replaces.is_some_and(|old| old.matches(prefix)) {
        return format!(
            "the new token's prefix {shown} also names the old token, so the new token was \
             not revoked and may still exist"
        );
    }
    let revoked = match ctx.client() {
        Ok(client) => owner
            .revoke_token(client, prefix)
            .await
            .map_err(anyhow::Error::from),
        Err(error) => Err(error),
    };
    match revoked {
        Ok(()) => format!("the new token {shown} was revoked"),
        Err(error) => format!(
            "revoking the new token {shown} failed too ({error:#}), so it may still exist: \
             revoke it with `avn-token revoke{} {shown}`",
            owner.cli_flag()
        ),
    }
}
