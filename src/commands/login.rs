//! `avn-token login`: store a token in the credentials file `avn` reads.
//!
//! The token comes from stdin (for scripts) or a no-echo prompt on a terminal; or, when the
//! user passes it with `--auth-token`, from argv (documented as visible in `ps` and shell
//! history: the safer ways are offered first). It is checked with `GET /v1/me` before
//! anything is written; the file is written atomically with mode 0600 in a 0700 directory.

use std::io::Read;

use anyhow::Result;

use super::Context;
use crate::cli::LoginArgs;
use crate::config::Credentials;
use crate::diag;
use crate::exit::CommandError;
use crate::secret::Secret;

/// `given` is the global `--auth-token`: logging in with it is what the user asked for.
pub async fn run(_args: &LoginArgs, given: Option<&Secret>, ctx: &Context) -> Result<()> {
    let token = match given.filter(|token| !token.expose().trim().is_empty()) {
        Some(token) => checked_token(token.expose())?,
        None => {
            // A blocking read on its own thread, so Ctrl-C at the prompt still ends it.
            let interactive = ctx.interactive;
            tokio::task::spawn_blocking(move || read_token(interactive)).await??
        }
    };
    let user = ctx.client_for(&token)?.me().await?;
    let email = user.email();
    let credentials_file = &ctx.config().credentials_file;
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
    checked_token(&text)
}

/// The token in `text`, trimmed, or why it cannot be one.
fn checked_token(text: &str) -> Result<Secret> {
    let token = text.trim();
    if token.is_empty() {
        return Err(CommandError::Usage(
            "no token given: type it at the prompt, pipe it in (printf '%s' \"$TOKEN\" | avn-token login), or pass --auth-token"
                .into(),
        )
        .into());
    }
    if token.chars().any(char::is_whitespace) {
        return Err(
            CommandError::Usage("the token must be a single line without spaces".into()).into(),
        );
    }
    Ok(Secret::new(token))
}
