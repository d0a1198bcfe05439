//! `avn-token logout [--no-token-revoke]`: revoke the stored token and remove the
//! credentials file, as `avn user logout`.

use anyhow::Result;

use super::Context;
use crate::api::ApiError;
use crate::cli::LogoutArgs;
use crate::config::{Credentials, remove_credentials};
use crate::diag;

pub async fn run(args: &LogoutArgs, ctx: &Context) -> Result<()> {
    let path = &ctx.config().credentials_file;
    let stored = match Credentials::read(path) {
        Ok(credentials) => credentials.and_then(|c| c.auth_token()),
        // Logging out is how people get rid of a broken file: remove it, and say that
        // whatever token it held could not be revoked.
        Err(error) => {
            if !args.no_token_revoke {
                diag::warn(&format!("{error}; no token was revoked"));
            }
            None
        }
    };
    if !args.no_token_revoke {
        if let Some(token) = &stored {
            match ctx.client_for(token)?.revoke_token(token.expose()).await {
                Ok(()) => diag::note(&format!("revoked token {}", token.prefix())),
                // Already revoked or expired: nothing left to revoke, the file still goes.
                Err(ApiError::Status {
                    status: 401 | 403 | 404,
                    ..
                }) => diag::note(&format!("token {} was no longer valid", token.prefix())),
                Err(error) => return Err(error.into()),
            }
        }
    }
    if remove_credentials(path)? {
        diag::note(&format!("removed {}", path.display()));
    } else {
        diag::note(&format!("not logged in: {} does not exist", path.display()));
    }
    Ok(())
}
