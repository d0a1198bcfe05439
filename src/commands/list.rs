//! `avn-token list`: every token, as `avn user access-token list` prints it.

use anyhow::Result;

use super::Context;
use crate::cli::ListArgs;
use crate::diag;
use crate::facts::PERSONAL_TOKEN_LIMIT;
use crate::output::Layout;

/// From this many personal tokens on, `list` warns on stderr.
const QUOTA_WARNING_AT: usize = 8;

pub async fn run(_args: &ListArgs, ctx: &Context) -> Result<()> {
    let tokens = ctx.client()?.list_tokens().await?;
    ctx.printer.tokens(&tokens, Layout::Listed)?;
    let personal = tokens.iter().filter(|t| t.created_manually()).count();
    if personal >= QUOTA_WARNING_AT {
        diag::warn(&format!(
            "{personal} of {PERSONAL_TOKEN_LIMIT} personal tokens in use; \
             revoke unused ones with `avn-token revoke PREFIX`"
        ));
    }
    Ok(())
}
