//! `avn-token rotate PREFIX`: create a replacement with the same settings, then revoke the
//! old token. The new token exists and has been written to stdout before the old one goes,
//! so a failure at any step leaves at least one working token that someone holds: a
//! replacement that cannot be written is revoked and the old token kept (see `deliver`);
//! if the revoke of the old token fails, the new token is still printed. With
//! `--app-user`, an application user's token is rotated the same way (the CI use case).

use anyhow::Result;

use super::Context;
use super::deliver::deliver;
use super::lookup::find_token;
use super::owner;
use crate::api::{ApiError, NewToken};
use crate::cli::RotateArgs;
use crate::diag;
use crate::exit::CommandError;
use crate::facts::PERSONAL_TOKEN_LIMIT;
use crate::output::Layout;

pub async fn run(args: &RotateArgs, ctx: &Context) -> Result<()> {
    let owner = owner::resolve(ctx, &args.owner).await?;
    let tokens = owner.list_tokens(ctx.client()?).await?;
    let old = find_token(&tokens, &args.token_prefix, &owner.listing())?;
    let old_prefix = old.token_prefix().unwrap_or_default().to_owned();
    if old.currently_active() && !args.force {
        return Err(CommandError::Refused(format!(
            "refusing to rotate {old_prefix}: it is the token this command is using, and \
             rotating revokes it; pass --force to rotate it anyway"
        ))
        .into());
    }
    // The new token is made before the old one goes, so it needs a free slot (personal
    // tokens only: application users have no quota; more than the quota allows means the
    // caller is not under it, as an application token rotating one of its own).
    let personal = tokens.iter().filter(|t| t.created_manually()).count();
    if owner.is_personal() && personal == PERSONAL_TOKEN_LIMIT {
        return Err(quota_full(&old_prefix).into());
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
    let new = match owner
        .create_token(ctx.client()?, &replacement, !args.quiet)
        .await
    {
        Ok(new) => new,
        // The quota filled up since the list was read (or the API counts differently).
        Err(error)
            if owner.is_personal()
                && matches!(
                    error.downcast_ref::<ApiError>(),
                    Some(ApiError::Status { status: 409, .. })
                ) =>
        {
            return Err(quota_full(&old_prefix).into());
        }
        Err(error) => return Err(error),
    };

    // A replacement nobody received is no replacement: it is revoked, the old token kept.
    deliver(
        ctx,
        &owner,
        &new.answer,
        Some(old),
        |printer, full_token| {
            if args.quiet {
                printer.line(full_token.expose())
            } else {
                printer.rows(&[new.row()], Layout::Created)
            }
        },
    )
    .await?;

    if let Err(error) = owner.revoke_token(ctx.client()?, &old_prefix).await {
        return Err(CommandError::Partial(format!(
            "the new token was created (printed above) but revoking the old token \
             {old_prefix} failed: {error}. The old token is STILL ACTIVE; revoke it with \
             `avn-token revoke{} {old_prefix}`",
            owner.cli_flag()
        ))
        .into());
    }
    diag::note(&format!("revoked the old token {old_prefix}"));
    Ok(())
}

/// Rotation at the personal-token quota: why it cannot work, and how to make it work.
fn quota_full(old_prefix: &str) -> CommandError {
    CommandError::Refused(format!(
        "cannot rotate {old_prefix}: all {PERSONAL_TOKEN_LIMIT} personal tokens are in use, \
         and rotation needs a free slot because it creates the new token before it revokes \
         the old one. Free one first: `avn-token list` shows your tokens, `avn-token revoke \
         PREFIX` removes one you no longer need (or revoke {old_prefix} itself and create \
         its replacement with `avn-token create`)"
    ))
}
