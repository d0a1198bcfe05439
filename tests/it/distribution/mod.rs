//! Getting avn-token (issue 16): the installer against a fake releases page
//! (`support::releases`) in real POSIX shells (`install`), the GitHub Action's shell steps
//! with fake runner files (`action`), and what the package says of itself: version lines,
//! the repository URL in every file, the CHANGELOG (`metadata`).

#[cfg(unix)]
mod action;
#[cfg(unix)]
mod install;
mod metadata;
