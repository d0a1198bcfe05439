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
use crate::api::{ApiError, Field, NewToken, Token};
use crate::cli::RotateArgs;
use crate::diag;
use crate::exit::CommandError;
use crate::facts::PERSONAL_TOKEN_LIMIT;
use crate::output::Layout;

pub(super) async fn run(args: &RotateArgs, ctx: &Context) -> Result<()> {
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
    let replacement = replacement(old, args.description.as_deref())?;
    // The new token is made before the old one goes, so it needs a free slot (personal
    // tokens only: application users have no quota; more than the quota allows means the
    // caller is not under it, as an application token rotating one of its own).
    let personal = tokens.iter().filter(|t| t.created_manually()).count();
    if owner.is_personal() && personal == PERSONAL_TOKEN_LIMIT {
        return Err(quota_full(&old_prefix).into());
    }
    ctx.confirm(&owner.question("Rotate", old), args.yes)
        .await?;

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

/// The replacement for `old`: its description (or `description`) and every restriction it
/// carries. The replacement is never wider than `old`, so a restriction that is present but
/// cannot be read as the API declares it refuses the rotation before anything is created:
/// read as "none", it would drop the restriction.
///
/// What the API may leave out or send as `null`, per field (from its own description, see
/// `aiven-api-facts.md`): `scopes` and `ip_allowlist` are optional lists, so absent, `null`
/// or empty is no restriction, as the API reads a token without them; `max_age_seconds` is
/// required and may be `null` (no maximum age, as a create without it asks), so `null` is
/// copied as `null` and a missing one refuses (the replacement's lifetime would be a guess);
/// `extend_when_used` absent or `null` is `false`, the narrower choice.
fn replacement(old: &Token, description: Option<&str>) -> Result<NewToken, CommandError> {
    let prefix = old.token_prefix().unwrap_or_default();
    let unreadable = |field: &str, found: &str, expected: &str| {
        CommandError::Refused(format!(
            "cannot rotate {prefix}: its {field:?} is {found}, not {expected}; the \
             replacement must carry every restriction of the token it replaces, and this \
             one cannot be read, so nothing was created"
        ))
    };
    let list = |field: &str| match old.strings(field) {
        Field::Value(items) => Ok(items),
        Field::Absent | Field::Null => Ok(Vec::new()),
        Field::Unreadable(found) => Err(unreadable(field, found, "a list of strings")),
    };
    let max_age_seconds = match old.max_age_seconds() {
        Field::Value(seconds) => Some(seconds),
        Field::Null => None,
        Field::Absent => {
            return Err(CommandError::Refused(format!(
                "cannot rotate {prefix}: the API did not send its \"max_age_seconds\", so \
                 the replacement's lifetime would be a guess (perhaps longer than the token \
                 it replaces); nothing was created"
            )));
        }
        Field::Unreadable(found) => {
            return Err(unreadable(
                "max_age_seconds",
                found,
                "a whole number of seconds or null",
            ));
        }
    };
    let extend_when_used = match old.extend_when_used() {
        Field::Value(extend) => extend,
        Field::Absent | Field::Null => false,
        Field::Unreadable(found) => {
            return Err(unreadable("extend_when_used", found, "true or false"));
        }
    };
    Ok(NewToken {
        description: description
            .unwrap_or_else(|| old.description().unwrap_or_default())
            .to_owned(),
        max_age_seconds,
        extend_when_used,
        scopes: list("scopes")?,
        ip_allowlist: list("ip_allowlist")?,
    })
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
