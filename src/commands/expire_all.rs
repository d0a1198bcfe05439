//! `avn-token expire-all`: expire every token of the user, including the one in use (as
//! `avn user tokens-expire`), printing the server's message.

use anyhow::Result;

use super::Context;
use crate::cli::ExpireAllArgs;
use crate::diag;

pub(super) async fn run(args: &ExpireAllArgs, ctx: &Context) -> Result<()> {
    ctx.confirm(
        "Expire ALL of your tokens, including the one in use? You will need to log in again.",
        args.yes,
    )
    .await?;
    // The message is optional in the API; `avn` prints it, so print it when there is one,
    // laid out as the server wrote it.
    match ctx.client()?.expire_all_tokens().await? {
        Some(message) => ctx.printer.message(&message)?,
        None => diag::note("all of your tokens have been expired"),
    }
    Ok(())
}
