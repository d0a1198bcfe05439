//! `avn-token sandbox`: run the local Aiven-compatible API (see `crate::sandbox`).

use anyhow::Result;

use crate::cli::SandboxArgs;

pub async fn run(args: &SandboxArgs) -> Result<u8> {
    crate::sandbox::run(args).await
}
