//! The local Aiven-compatible access-token API. (Being built: see issue 3.)

use anyhow::Result;

use crate::cli::SandboxArgs;

pub async fn run(_args: &SandboxArgs) -> Result<u8> {
    anyhow::bail!("the sandbox is not built yet")
}
