//! `avn-token login`: store a token in the credentials file `avn` reads.
//!
//! The token comes from stdin (for scripts) or a no-echo prompt on a terminal, never from
//! argv where `ps` and shell history would see it. It is checked with `GET /v1/me` before
//! anything is written; the file is written atomically with mode 0600 in a 0700 directory.

use std::io::Read;

use anyhow::Result;
use serde_json::Value;

use crate::api::Client;
use crate::cli::LoginArgs;
use crate::config::{Config, Credentials};
use crate::exit::CommandError;
use crate::output::diag;
use crate::secret::Secret;

pub async fn run(_args: &LoginArgs, config: &Config, interactive: bool) -> Result<()> {
    // A blocking read on its own thread, so Ctrl-C at the prompt still ends the command.
    let token = tokio::task::spawn_blocking(move || read_token(interactive)).await??;
    let user = Client::new(config, &token)?.me().await?;
    let email = user.get("user_email").and_then(Value::as_str);
    Credentials::new(&token, email).write(&config.credentials_file)?;
    diag::note(&format!(
        "logged in{}; token stored in {}",
        email.map(|e| format!(" as {e}")).unwrap_or_default(),
        config.credentials_file.display()
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
    let token = text.trim();
    if token.is_empty() {
        return Err(CommandError::Usage(
            "no token given: type it at the prompt, or pipe it in (printf '%s' \"$TOKEN\" | avn-token login)"
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
