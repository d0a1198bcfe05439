//! `avn-token logout [--no-token-revoke]`: revoke the stored token and remove the
//! credentials file, as `avn user logout`.
//!
//! The token is revoked with `POST /v1/me/logout` (the API's own way to end the token a
//! request is made with). Only a credentials file is removed: a symbolic link, a
//! directory, a device or a file that is not a JSON object at that path is refused and left
//! untouched (see `config::stored_credentials`), before anything is revoked.

use anyhow::Result;

use super::Context;
use crate::api::ApiError;
use crate::cli::LogoutArgs;
use crate::config::{StoredCredentials, remove_credentials, stored_credentials};
use crate::diag;
use crate::exit::CommandError;

pub(super) async fn run(args: &LogoutArgs, ctx: &Context) -> Result<()> {
    let path = &ctx.config().credentials_file;
    let stored = match stored_credentials(path, "remove")? {
        StoredCredentials::File(credentials) => match credentials.auth_token(path) {
            Ok(token) => token,
            // A damaged file is still ours to remove; say that its token stays valid.
            Err(error) => {
                if !args.no_token_revoke {
                    diag::warn(&format!("{error}; no token was revoked"));
                }
                None
            }
        },
        StoredCredentials::Empty | StoredCredentials::Missing => None,
    };
    if !args.no_token_revoke
        && let Some(token) = &stored
    {
        match ctx.client_for(token)?.logout().await {
            Ok(()) => diag::note(&format!("revoked token {}", token.prefix())),
            // The API said this token is dead (refused as invalid or expired, or no
            // such token): nothing is left to revoke, and the file still goes.
            Err(ApiError::Rejected { .. } | ApiError::Status { status: 404, .. }) => {
                diag::note(&format!("token {} was no longer valid", token.prefix()))
            }
            // Anything else may leave the token alive (a 403 from an IP allowlist, a
            // wrong --url, an outage): keep the file, which may be the only copy.
            Err(error) => {
                return Err(CommandError::Refused(format!(
                    "could not revoke token {}: {error}; {} was kept. To remove it \
                     without revoking the token, run `avn-token logout --no-token-revoke`",
                    token.prefix(),
                    path.display()
                ))
                .into());
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
