//! `avn-token update PREFIX --description TEXT`.

use anyhow::Result;

use super::Context;
use super::owner::Owner;
use crate::cli::UpdateArgs;
use crate::exit::CommandError;
use crate::output::Layout;

pub async fn run(args: &UpdateArgs, ctx: &Context) -> Result<()> {
    if args.app_user.is_some() {
        return Err(CommandError::Usage(
            "--app-user cannot be used with update: the Aiven API has no call to change an \
             application user's token; `avn-token rotate --app-user USER PREFIX --description \
             TEXT` replaces it with one that has the new description"
                .into(),
        )
        .into());
    }
    let client = ctx.client()?;
    let token = match client
        .update_token(&args.token_prefix, &args.description)
        .await
    {
        Ok(token) => token,
        Err(error) => {
            let prefix = &args.token_prefix;
            return Err(Owner::Me.explain_prefix_error(prefix, error, client).await);
        }
    };
    ctx.printer.tokens(&[token], Layout::Listed)?;
    Ok(())
}
