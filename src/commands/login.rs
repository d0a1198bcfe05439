//! `avn-token login`: store a token in the credentials file `avn` reads.
//!
//! The token comes from stdin (for scripts) or a no-echo prompt on a terminal, never from
//! argv where `ps` and shell history would see it. It is checked with `GET /v1/me` before
//! anything is written; the file is written atomically with mode 0600 in a 0700 directory.
//!
//! What sits at the credentials path is checked first: only a missing file, an empty one or
//! a credentials file (a JSON object) is replaced, so a path that names something else by
//! mistake is refused before the token is even asked for (see
//! `config::stored_credentials`).

use std::io::Read;

use anyhow::Result;

use super::Context;
use crate::cli::LoginArgs;
use crate::config::{Credentials, check_token, stored_credentials};
use crate::diag;
use crate::exit::CommandError;
use crate::secret::Secret;

pub async fn run(_args: &LoginArgs, ctx: &Context) -> Result<()> {
    let credentials_file = &ctx.config().credentials_file;
    stored_credentials(credentials_file, "replace")?;
    // A blocking read on its own thread, so Ctrl-C at the prompt still ends the command.
    let interactive = ctx.interactive;
    let token = tokio::task::spawn_blocking(move || read_token(interactive)).await??;
    let user = ctx.client_for(&token)?.me().await?;
    let email = user.email();
    Credentials::new(&token, email).write(credentials_file)?;
    diag::note(&format!(
        "logged in{}; token stored in {}",
        email.map(|e| format!(" as {e}")).unwrap_or_default(),
        credentials_file.display()
    ));
    Ok(())
}

fn read_token(interactive: bool) -> Result<Secret> {
    let text = if interactive {
        rpassword::prompt_password("Aiven API token (input hidden): ")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| CommandError::Usage(format!("cannot read the token from stdin: {e}")))?;
        text
    };
    if text.trim().is_empty() {
        return Err(CommandError::Usage(
            "no token given: type it at the prompt, or pipe it in (printf '%s' \"$TOKEN\" | avn-token login)"
                .into(),
        )
        .into());
    }
    let source = if interactive { "the prompt" } else { "stdin" };
    Ok(check_token(&text, source)?)
}
