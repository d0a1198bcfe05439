//! `avn-token rotate PREFIX`: create a replacement with the same settings, then revoke the
//! old token. The new token exists before the old one goes, so a failure at any step leaves
//! at least one working token; if the revoke fails, the new token is still printed.

use anyhow::{Result, anyhow};

use super::Context;
use super::create::quiet_token;
use super::lookup::describe_for_prompt;
use super::lookup::find_token;
use crate::api::NewToken;
use crate::cli::RotateArgs;
use crate::diag;
use crate::exit::CommandError;
use crate::output::Layout;

pub async fn run(args: &RotateArgs, ctx: &Context) -> Result<()> {
    let tokens = ctx.client()?.list_tokens().await?;
    let old = find_token(&tokens, &args.token_prefix)?;
    let old_prefix = old.token_prefix().unwrap_or_default().to_owned();
    if old.currently_active() && !args.force {
        return Err(CommandError::Refused(format!(
            "refusing to rotate {old_prefix}: it is the token this command is using, and \
             rotating revokes it; pass --force to rotate it anyway"
        ))
        .into());
    }
    ctx.confirm(&describe_for_prompt("Rotate", old), args.yes)
        .await?;

    let replacement = NewToken {
        description: args
            .description
            .clone()
            .unwrap_or_else(|| old.description().unwrap_or_default().to_owned()),
        max_age_seconds: old.max_age_seconds(),
        extend_when_used: old.extend_when_used(),
        scopes: old.string_list("scopes"),
        ip_allowlist: old.string_list("ip_allowlist"),
    };
    let new = ctx.client()?.create_token(&replacement).await?;

    let printed = if args.quiet {
        // A replacement that cannot be printed is no replacement: keep the old token.
        let full_token = quiet_token(&new)
            .map_err(|error| anyhow!("{error:#}; the old token {old_prefix} was NOT revoked"))?;
        ctx.printer.line(full_token.expose())
    } else {
        ctx.printer
            .tokens(std::slice::from_ref(&new), Layout::Created)
    };

    if let Err(error) = ctx.client()?.revoke_token(&old_prefix).await {
        diag::error(&format!(
            "the new token was created (printed above) but revoking the old token \
             {old_prefix} failed: {error}. The old token is STILL ACTIVE; revoke it with \
             `avn-token revoke {old_prefix}`"
        ));
        printed?;
        return Err(
            CommandError::Partial(format!("rotation of {old_prefix} is incomplete")).into(),
        );
    }
    printed?;
    diag::note(&format!("revoked the old token {old_prefix}"));
    Ok(())
}
