//! Getting avn-token (issue 16): the installer against a fake releases page
//! (`support::releases`) in real POSIX shells (`install`), the GitHub Action's shell steps
//! with fake runner files (`action`), and what the package says of itself: version lines,
//! the repository URL in every file, the CHANGELOG (`metadata`).

#[cfg(unix)]
mod action;
#[cfg(unix)]
mod install;
mod metadata;

/// The installer and the Action's steps are POSIX shell (as their tests' fakes are): they
/// run on Linux and macOS, and this says so on Windows rather than leaving nothing.
#[cfg(not(unix))]
#[test]
#[ignore = "install.sh and the Action's shell steps are POSIX sh: tested on Linux and macOS"]
fn install_sh_and_the_action_are_tested_on_unix() {}
