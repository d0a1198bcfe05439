//! `avn-token update PREFIX --description TEXT`.

use anyhow::Result;

use super::Context;
use super::lookup::explain_prefix_error;
use crate::cli::UpdateArgs;
use crate::output::Layout;

pub async fn run(args: &UpdateArgs, ctx: &Context) -> Result<()> {
    let client = ctx.client()?;
    let token = match client
        .update_token(&args.token_prefix, &args.description)
        .await
    {
        Ok(token) => token,
        Err(error) => return Err(explain_prefix_error(client, &args.token_prefix, error).await),
    };
    ctx.printer.tokens(&[token], Layout::Listed)?;
    Ok(())
}
