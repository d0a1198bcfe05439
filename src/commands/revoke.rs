//! `avn-token revoke PREFIX`: prints `Revoked`, as `avn` does. With `--app-user`, revokes
//! an application user's token, with the same checks.
//!
//! Safer than `avn`: the token this command authenticates with is not revoked without
//! `--force` (that would log you out mid-script), and a person at a terminal is asked first
//! unless `--yes`. Pipes and CI are never prompted.

use anyhow::Result;

use super::Context;
use super::lookup::{ambiguous, matching};
use super::owner;
use crate::cli::RevokeArgs;
use crate::exit::CommandError;
use crate::secret::visible_prefix;

pub async fn run(args: &RevokeArgs, ctx: &Context) -> Result<()> {
    let prefix = args.token_prefix.as_str();
    let owner = owner::resolve(ctx, &args.owner).await?;
    let client = ctx.client()?;
    if !args.force || ctx.interactive && !args.yes {
        let tokens = owner.list_tokens(client).await?;
        let target = matching(&tokens, prefix);
        if target.len() > 1 {
            return Err(ambiguous(prefix, &target).into());
        }
        if !args.force && target.iter().any(|t| t.currently_active()) {
            return Err(CommandError::Refused(format!(
                "refusing to revoke {}: it is the token this command is using; \
                 pass --force to revoke it anyway",
                visible_prefix(prefix)
            ))
            .into());
        }
        if let [token] = target.as_slice() {
            ctx.confirm(&owner.question("Revoke", token), args.yes)
                .await?;
        }
    }
    if let Err(error) = owner.revoke_token(client, prefix).await {
        return Err(owner.explain_prefix_error(prefix, error, client).await);
    }
    ctx.printer.line("Revoked")?;
    Ok(())
}
