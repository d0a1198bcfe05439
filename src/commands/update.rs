//! `avn-token update PREFIX --description TEXT`.

use anyhow::Result;

use super::Context;
use crate::cli::UpdateArgs;
use crate::output::Layout;

pub async fn run(args: &UpdateArgs, ctx: &Context) -> Result<()> {
    let token = ctx
        .client()?
        .update_token(&args.token_prefix, &args.description)
        .await?;
    ctx.printer.tokens(&[token], Layout::Listed)?;
    Ok(())
}
