//! `avn-token revoke PREFIX`: prints `Revoked`, as `avn` does. With `--app-user`, revokes
//! an application user's token, with the same checks.
//!
//! Safer than `avn`: the token this command authenticates with is not revoked without
//! `--force` (that would log you out mid-script), and a person at a terminal is asked first
//! unless `--yes`. Pipes and CI are never prompted. To know which token is in use, the
//! tokens are listed first; when that list cannot be had (a 5xx, a 403, an odd body), the
//! prefix is compared with the configured token itself, and a prefix that is not that
//! token's is revoked, as `avn` would, with a warning that the check could not be made.
//!
//! `-o json|yaml|csv` print `{"revoked": PREFIX}` for programs; `--json`, `avn`'s spelling,
//! keeps `avn`'s `Revoked`.

use anyhow::Result;

use super::Context;
use super::lookup::{ambiguous, matching};
use super::owner;
use crate::api::ApiError;
use crate::cli::{OutputFormat, RevokeArgs};
use crate::diag;
use crate::exit::CommandError;
use crate::output::{Layout, Row, Value};
use crate::secret::visible_prefix;

pub(super) async fn run(args: &RevokeArgs, ctx: &Context) -> Result<()> {
    let prefix = args.token_prefix.as_str();
    let owner = owner::resolve(ctx, &args.owner).await?;
    let client = ctx.client()?;
    let in_use_refusal = || {
        CommandError::Refused(format!(
            "refusing to revoke {}: it is the token this command is using; \
             pass --force to revoke it anyway",
            visible_prefix(prefix)
        ))
    };
    // The token's own prefix, once the list has named it.
    let mut revoked = None;
    // Why the list could not say whether the token is in use, when it could not.
    let mut unchecked = None;
    if !args.force || ctx.interactive && !args.yes {
        match owner.list_tokens(client).await {
            Ok(tokens) => {
                let target = matching(&tokens, prefix);
                if target.len() > 1 {
                    return Err(ambiguous(prefix, &target).into());
                }
                if !args.force && target.iter().any(|t| t.currently_active()) {
                    return Err(in_use_refusal().into());
                }
                if let [token] = target.as_slice() {
                    ctx.confirm(&owner.question("Revoke", token), args.yes)
                        .await?;
                    revoked = token.token_prefix().map(str::to_owned);
                }
            }
            // No API at that URL: a revoke sent there could only fail the same way.
            Err(wrong_url @ ApiError::NoEndpoint { .. }) => return Err(wrong_url.into()),
            // `avn` revokes without looking; decide from the configured token instead.
            Err(error) => {
                if !args.force && is_configured_token(ctx, prefix) {
                    return Err(in_use_refusal().into());
                }
                let question = format!("Revoke token {}?", visible_prefix(prefix));
                ctx.confirm(&question, args.yes).await?;
                unchecked = (!args.force).then_some(error);
            }
        }
    }
    if let Err(error) = owner.revoke_token(client, prefix).await {
        return Err(owner.explain_prefix_error(prefix, error, client).await);
    }
    if let Some(error) = unchecked {
        diag::warn(&format!(
            "revoked {} without checking that it is not the token in use: the tokens could \
             not be listed ({error}); it is not the configured token",
            visible_prefix(prefix)
        ));
    }
    match ctx.printer.format {
        OutputFormat::Json if ctx.avn_json => ctx.printer.line("Revoked")?,
        OutputFormat::Json | OutputFormat::Yaml | OutputFormat::Csv => {
            // Never more of what was typed than a prefix: it may be a whole token.
            let shown = revoked.unwrap_or_else(|| visible_prefix(prefix.trim()).to_owned());
            let row = Row::new().with("revoked", Value::Text(shown.into()));
            ctx.printer.item(&row, Layout::Revoked)?;
        }
        OutputFormat::Table | OutputFormat::Pretty => ctx.printer.line("Revoked")?,
    }
    Ok(())
}

/// Whether `prefix` names the token this command authenticates with: a prefix of it, or
/// all of it. Decided locally, for when the list that says which token is in use cannot
/// be had.
fn is_configured_token(ctx: &Context, prefix: &str) -> bool {
    let prefix = prefix.trim();
    ctx.config()
        .token()
        .is_ok_and(|token| !prefix.is_empty() && token.expose().starts_with(prefix))
}
