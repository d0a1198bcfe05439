//! `avn-token info PREFIX`: one token in detail. The API has no single-token endpoint, so
//! it is found in the list.

use anyhow::Result;

use super::Context;
use super::lookup::find_token;
use crate::cli::InfoArgs;
use crate::output::Layout;

pub async fn run(args: &InfoArgs, ctx: &Context) -> Result<()> {
    let tokens = ctx.client()?.list_tokens().await?;
    let token = find_token(&tokens, &args.token_prefix)?;
    ctx.printer
        .tokens(std::slice::from_ref(token), Layout::Detail)?;
    Ok(())
}
