//! `avn-token login`: store a token in the credentials file `avn` reads.
//!
//! The token comes from stdin (for scripts) or a no-echo prompt on a terminal; or, when the
//! user passes it with `--auth-token`, from argv (documented as visible in `ps` and shell
//! history: the safer ways are offered first). It is checked with `GET /v1/me` before
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

/// `given` is the global `--auth-token`: logging in with it is what the user asked for.
pub(super) async fn run(_args: &LoginArgs, given: Option<&Secret>, ctx: &Context) -> Result<()> {
    let credentials_file = &ctx.config().credentials_file;
    stored_credentials(credentials_file, "replace")?;
    let token = match given.filter(|token| !token.expose().trim().is_empty()) {
        Some(token) => checked_token(token.expose(), "--auth-token")?,
        None => {
            // A blocking read on its own thread, so Ctrl-C at the prompt still ends it.
            let interactive = ctx.interactive;
            tokio::task::spawn_blocking(move || read_token(interactive)).await??
        }
    };
    let user = ctx.client_for(&token)?.me().await?;
    let email = user.email();
    let warnings = Credentials::new(&token, email).write(credentials_file)?;
    // Said once: resolving the configuration may have said it already.
    for warning in warnings
        .iter()
        .filter(|w| !ctx.config().warnings.contains(w))
    {
        diag::warn(warning);
    }
    diag::note(&format!(
        "logged in{}; token stored in {}",
        email.map(|e| format!(" as {e}")).unwrap_or_default(),
        credentials_file.display()
    ));
    Ok(())
}

/// The most `login` reads from a pipe: far beyond any token (Aiven's are a few hundred
/// characters), and a bound on what a wrong pipe (a file, a log) makes it read.
const MAX_PIPED_BYTES: u64 = 64 * 1024;

fn read_token(interactive: bool) -> Result<Secret> {
    let text = if interactive {
        rpassword::prompt_password("Aiven API token (input hidden): ")?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .take(MAX_PIPED_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| CommandError::Usage(format!("cannot read the token from stdin: {e}")))?;
        // Never a part of what was piped taken as the token.
        if text.len() as u64 > MAX_PIPED_BYTES {
            return Err(CommandError::Usage(format!(
                "more than {} KiB on stdin: that is not a token; pipe the token alone",
                MAX_PIPED_BYTES / 1024
            ))
            .into());
        }
        text
    };
    let source = if interactive { "the prompt" } else { "stdin" };
    checked_token(&text, source)
}

/// The token in `text` (trimmed), or why it cannot be one: none at all, or characters no
/// token has (`config::check_token`, the rule for every source of a token).
fn checked_token(text: &str, source: &str) -> Result<Secret> {
    if text.trim().is_empty() {
        return Err(CommandError::Usage(
            "no token given: type it at the prompt, pipe it in (printf '%s' \"$TOKEN\" | avn-token login), or pass --auth-token"
                .into(),
        )
        .into());
    }
    Ok(check_token(text, source)?)
}
