//! `avn-token update PREFIX --description TEXT`.

use anyhow::{Result, anyhow};

use super::Context;
use super::owner::Owner;
use crate::cli::UpdateArgs;
use crate::exit::CommandError;
use crate::output::Layout;
use crate::secret::visible_prefix;

pub(super) async fn run(args: &UpdateArgs, ctx: &Context) -> Result<()> {
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
    // An empty body reads as `{}`: a row of blanks would look like a success that says
    // nothing, so it is an error (`avn --json` prints `[{}]`; its table fails).
    if token.record().len() == 0 {
        return Err(anyhow!(
            "the API answered the update of {} with an empty object: the description may or \
             may not have changed; `avn-token info {0}` shows the token",
            visible_prefix(&args.token_prefix)
        ));
    }
    ctx.printer.tokens(&[token], Layout::Listed)?;
    Ok(())
}
