//! `avn-token create`: a new token; the full token is printed once, here and never again,
//! and the command succeeds only if it was (see `deliver`). With `--app-user`, the token
//! belongs to that application user (see [`owner::Owner::create_token`] for what is shown,
//! as the API answers less for those).

use anyhow::Result;

use super::Context;
use super::deliver::deliver;
use super::owner;
use crate::api::NewToken;
use crate::cli::CreateArgs;
use crate::exit::CommandError;
use crate::facts;
use crate::output::Layout;

pub(super) async fn run(args: &CreateArgs, ctx: &Context) -> Result<()> {
    let max_age_seconds = match (args.max_age_seconds, args.expires_in) {
        (Some(seconds), _) => Some(seconds),
        (None, Some(duration)) => Some(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)),
        (None, None) => None,
    };
    // The API's range, checked before anything is sent (exit 2), as for other bad input.
    if let Some(seconds) = max_age_seconds {
        facts::check_max_age_seconds(seconds).map_err(CommandError::Usage)?;
    }
    // A personal token without a maximum age gets the server's 30 days, which use can
    // extend; an application token without one never expires, so there is nothing to extend.
    if args.owner.app_user.is_some() && args.extend_when_used && max_age_seconds.is_none() {
        return Err(CommandError::Usage(
            "--extend-when-used needs --max-age-seconds or --expires-in for an application \
             user's token (without them it never expires)"
                .into(),
        )
        .into());
    }
    let owner = owner::resolve(ctx, &args.owner).await?;
    let new = NewToken {
        description: args.description.clone(),
        max_age_seconds,
        extend_when_used: args.extend_when_used,
        scopes: args.scopes.clone(),
        ip_allowlist: args.ip_allowlist.clone(),
    };
    let created = owner.create_token(ctx.client()?, &new, !args.quiet).await?;
    deliver(ctx, &owner, &created.answer, None, |printer, full_token| {
        if args.quiet {
            printer.line(full_token.expose())
        } else {
            printer.rows(&[created.row()], Layout::Created)
        }
    })
    .await
}
