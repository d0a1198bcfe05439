//! `avn-token rotate PREFIX`: create a replacement with the same settings, then revoke the
//! old token. The new token exists before the old one goes, so a failure at any step leaves
//! at least one working token; if the revoke fails, the new token is still printed. With
//! `--app-user`, an application user's token is rotated the same way (the CI use case).

use anyhow::Result;

use super::Context;
use super::lookup::find_token;
use super::owner;
use crate::api::NewToken;
use crate::cli::RotateArgs;
use crate::diag;
use crate::exit::CommandError;
use crate::output::Layout;

pub async fn run(args: &RotateArgs, ctx: &Context) -> Result<()> {
    let owner = owner::resolve(ctx, &args.owner).await?;
    let tokens = owner.list_tokens(ctx.client()?).await?;
    let old = find_token(&tokens, &args.token_prefix)?;
    let old_prefix = old.token_prefix().unwrap_or_default().to_owned();
    if old.currently_active() && !args.force {
        return Err(CommandError::Refused(format!(
            "refusing to rotate {old_prefix}: it is the token this command is using, and \
             rotating revokes it; pass --force to rotate it anyway"
        ))
        .into());
    }
    ctx.confirm(&owner.question("Rotate", old), args.yes)
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
    let new = owner
        .create_token(ctx.client()?, &replacement, !args.quiet)
        .await?;
    let printed = match (args.quiet, new.full_token()) {
        (true, Some(full_token)) => ctx.printer.line(full_token.expose()),
        _ => ctx
            .printer
            .tokens(std::slice::from_ref(&new), Layout::Created),
    };
    if let Err(error) = owner.revoke_token(ctx.client()?, &old_prefix).await {
        diag::error(&format!(
            "the new token was created (printed above) but revoking the old token \
             {old_prefix} failed: {error}. The old token is STILL ACTIVE; revoke it with \
             `avn-token revoke{} {old_prefix}`",
            owner.cli_flag()
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
