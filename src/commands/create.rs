//! `avn-token create`: a new token; the full token is printed once, here and never again.

use anyhow::{Result, anyhow};

use super::Context;
use crate::api::{NewToken, Token};
use crate::cli::CreateArgs;
use crate::output::Layout;
use crate::safe_text::is_plain_base64;
use crate::secret::Secret;

pub async fn run(args: &CreateArgs, ctx: &Context) -> Result<()> {
    let max_age_seconds = match (args.max_age_seconds, args.expires_in) {
        (Some(seconds), _) => Some(seconds),
        (None, Some(duration)) => Some(i64::try_from(duration.as_secs())?),
        (None, None) => None,
    };
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
        let full_token = quiet_token(&token)?;
        return ctx.printer.line(full_token.expose()).map_err(Into::into);
    }
    ctx.printer.tokens(&[token], Layout::Created)?;
    Ok(())
}

/// The full token of a token just created, for `-q`, which prints it bare for `$(...)`:
/// only plain base64, what the API issues. Anything else (a hostile server's terminal
/// control sequence, a placeholder) is an error and is never printed.
pub(super) fn quiet_token(token: &Token) -> Result<Secret> {
    let created = token
        .token_prefix()
        .map(|prefix| format!("; token {prefix} was created"))
        .unwrap_or_default();
    match token.full_token() {
        Some(full) if is_plain_base64(full.expose()) => Ok(full),
        Some(_) => Err(anyhow!(
            "the API sent a new token that is not plain base64, so it was not printed{created}"
        )),
        None => Err(anyhow!(
            "the API created a token but sent no \"full_token\"{created}"
        )),
    }
}
