//! `avn-token info PREFIX`: one token in detail (yours, or with `--app-user` an application
//! user's). The API has no single-token endpoint, so it is found in the list.

use anyhow::Result;

use super::Context;
use super::lookup::find_token;
use super::owner;
use crate::cli::InfoArgs;
use crate::output::Layout;

pub(super) async fn run(args: &InfoArgs, ctx: &Context) -> Result<()> {
    let owner = owner::resolve(ctx, &args.owner).await?;
    let tokens = owner.list_tokens(ctx.client()?).await?;
    let token = find_token(&tokens, &args.token_prefix, &owner.listing())?;
    ctx.printer
        .tokens(std::slice::from_ref(token), Layout::Detail)?;
    Ok(())
}
