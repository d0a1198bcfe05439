//! `avn-token list`: every token, as `avn user access-token list` prints it; with
//! `--app-user`, an application user's tokens in the same layout.

use anyhow::Result;

use super::Context;
use super::owner::{self, Owner};
use crate::cli::ListArgs;
use crate::diag;
use crate::facts::PERSONAL_TOKEN_LIMIT;
use crate::output::Layout;

/// From this many personal tokens on, `list` warns on stderr.
const QUOTA_WARNING_AT: usize = 8;

pub(super) async fn run(args: &ListArgs, ctx: &Context) -> Result<()> {
    let owner = owner::resolve(ctx, &args.owner).await?;
    let tokens = owner.list_tokens(ctx.client()?).await?;
    ctx.printer.tokens(&tokens, Layout::Listed)?;
    // The quota is on personal tokens; application users have none documented. More than
    // the quota allows: the caller is not under it (an application token listing its own).
    let personal = tokens.iter().filter(|t| t.created_manually()).count();
    if owner == Owner::Me && (QUOTA_WARNING_AT..=PERSONAL_TOKEN_LIMIT).contains(&personal) {
        diag::warn(&format!(
            "{personal} of {PERSONAL_TOKEN_LIMIT} personal tokens in use; \
             revoke unused ones with `avn-token revoke PREFIX`"
        ));
    }
    Ok(())
}
