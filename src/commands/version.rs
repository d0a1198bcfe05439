//! `avn-token version [--verbose]`: the version line `--version` prints, and with
//! `--verbose` what a bug report needs to name the build exactly.
//!
//! `--version` stays one line (`avn-token 0.1.0`): scripts parse it. The details are
//! `name: value` lines after it, which `build.rs` works out at compile time (the release
//! workflow's values, else the packaged crate's or the checkout's commit).

use anyhow::Result;

use crate::cli::VersionArgs;
use crate::output::write_stdout;

pub(super) fn run(args: &VersionArgs) -> Result<()> {
    write_stdout(&text(args.verbose))?;
    Ok(())
}

fn text(verbose: bool) -> String {
    let mut text = format!("avn-token {}\n", env!("CARGO_PKG_VERSION"));
    if verbose {
        for (name, value) in [
            ("commit", env!("AVN_TOKEN_BUILD_COMMIT")),
            ("build-date", env!("AVN_TOKEN_BUILD_DATE")),
            ("target", env!("AVN_TOKEN_BUILD_TARGET")),
        ] {
            text.push_str(&format!("{name}: {value}\n"));
        }
    }
    text
}
