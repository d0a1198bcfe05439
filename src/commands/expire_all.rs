//! `avn-token expire-all`: expire every token of the user, including the one in use (as
//! `avn user tokens-expire`), printing the server's message.

use anyhow::Result;

use super::Context;
use crate::cli::ExpireAllArgs;

pub async fn run(args: &ExpireAllArgs, ctx: &Context) -> Result<()> {
    ctx.confirm(
        "Expire ALL of your tokens, including the one in use? You will need to log in again.",
        args.yes,
    )
    .await?;
    let message = ctx.client.expire_all_tokens().await?;
    ctx.printer.line(&message)?;
    Ok(())
}
