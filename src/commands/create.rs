//! `avn-token create`: a new token; the full token is printed once, here and never again.

use anyhow::{Result, anyhow};

use super::Context;
use crate::api::NewToken;
use crate::cli::CreateArgs;
use crate::exit::CommandError;
use crate::facts;
use crate::output::Layout;

pub async fn run(args: &CreateArgs, ctx: &Context) -> Result<()> {
    let max_age_seconds = match (args.max_age_seconds, args.expires_in) {
        (Some(seconds), _) => Some(seconds),
        (None, Some(duration)) => Some(i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)),
        (None, None) => None,
    };
    // The API's range, checked before anything is sent (exit 2), as for other bad input.
    if let Some(seconds) = max_age_seconds {
        facts::check_max_age_seconds(seconds).map_err(CommandError::Usage)?;
    }
    let token = ctx
        .client()?
        .create_token(&NewToken {
            description: args.description.clone(),
            max_age_seconds,
            extend_when_used: args.extend_when_used,
            scopes: args.scopes.clone(),
            ip_allowlist: args.ip_allowlist.clone(),
        })
        .await?;
    if args.quiet {
        let full_token = token
            .full_token()
            .ok_or_else(|| anyhow!("the API created a token but sent no \"full_token\""))?;
        return ctx.printer.line(full_token.expose()).map_err(Into::into);
    }
    ctx.printer.tokens(&[token], Layout::Created)?;
    Ok(())
}
