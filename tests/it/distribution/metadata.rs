//! What the ways of getting avn-token promise about it: the version lines scripts and bug
//! reports read, and the packaging files agreeing on the version and where the project
//! lives (install.sh's default, the README, the wheel's URLs from Cargo.toml).

use crate::support::cmd;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn repository_file(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn version_is_one_line_and_verbose_adds_commit_date_and_target() {
    let line = format!("avn-token {VERSION}\n");
    cmd()
        .arg("--version")
        .run()
        .success()
        .stdout_contains(&line);
    assert_eq!(cmd().arg("--version").run().stdout, line);
    assert_eq!(cmd().arg("-V").run().stdout, line);
    assert_eq!(cmd().arg("version").run().success().stdout, line);

    for verbose in ["--verbose", "-v"] {
        let run = cmd().args(["version", verbose]).run();
        run.success();
        let lines: Vec<&str> = run.stdout.lines().collect();
        assert_eq!(lines.len(), 4, "{}", run.stdout);
        assert_eq!(lines[0], line.trim_end());
        let commit = lines[1].strip_prefix("commit: ").expect("a commit line");
        assert!(
            commit == "unknown"
                || (commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
            "{commit}"
        );
        // Built from this checkout (when git can tell): the commit checked out then, which
        // the test crate was compiled with too (same build script run), and one in HEAD's
        // history: HEAD itself may have moved on since, by a commit made while the suite ran.
        if let Some(head) = git_head() {
            assert_eq!(commit, env!("AVN_TOKEN_BUILD_COMMIT"));
            let in_history = std::process::Command::new("git")
                .args([
                    "-C",
                    env!("CARGO_MANIFEST_DIR"),
                    "merge-base",
                    "--is-ancestor",
                ])
                .args([commit, &head])
                .status()
                .is_ok_and(|status| status.success());
            assert!(in_history, "{commit} is not in the history of HEAD {head}");
        }
        let date = lines[2]
            .strip_prefix("build-date: ")
            .expect("a build-date line");
        let digits: Vec<&str> = date.split('-').collect();
        assert!(
            digits.len() == 3
                && digits
                    .iter()
                    .all(|part| part.bytes().all(|b| b.is_ascii_digit())),
            "{date}"
        );
        let target = lines[3].strip_prefix("target: ").expect("a target line");
        assert!(target.starts_with(std::env::consts::ARCH), "{target}");
        assert!(
            target.contains(std::env::consts::OS) || target.contains("apple"),
            "{target}"
        );
    }
}

/// `HEAD` of the checkout the tests run in, when it is one and git is installed.
fn git_head() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()?;
    let top = std::process::Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--show-toplevel",
        ])
        .output()
        .ok()?;
    let top = String::from_utf8(top.stdout).ok()?;
    let manifest_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .canonicalize()
        .ok()?;
    if !output.status.success()
        || std::path::Path::new(top.trim()).canonicalize().ok()? != manifest_dir
    {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_owned())
}

/// Cargo.toml's `repository` is the one address of the project: install.sh downloads from
/// its releases, the README installs from it, and the wheel's URLs are taken from it.
#[test]
fn the_packaging_files_agree_on_where_the_project_lives() {
    let manifest = repository_file("Cargo.toml");
    let repository = manifest
        .lines()
        .find_map(|line| line.strip_prefix("repository = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("Cargo.toml names its repository");
    let owner_and_name = repository
        .strip_prefix("https://github.com/")
        .expect("a GitHub repository");

    let installer = repository_file("install.sh");
    assert!(
        installer.contains(&format!("repository_url=\"{repository}/releases\"")),
        "install.sh's default download URL is not {repository}/releases"
    );
    let readme = repository_file("README.md");
    assert!(readme.contains(&format!("{repository}/releases/latest/download/install.sh")));
    assert!(readme.contains(&format!("uses: {owner_and_name}@v{VERSION}")));
    assert!(repository_file("action.yml").contains(&format!("uses: {owner_and_name}@")));
    // No other GitHub project is named as ours anywhere in these files.
    for (name, text) in [("install.sh", &installer), ("README.md", &readme)] {
        for (at, _) in text.match_indices("https://github.com/") {
            let named = &text[at + "https://github.com/".len()..];
            let project: String = named.split('/').take(2).collect::<Vec<_>>().join("/");
            assert!(
                project == owner_and_name || !project.contains("avn-token"),
                "{name} names {project}"
            );
        }
    }
    // The wheel takes its URLs from Cargo.toml rather than a second copy.
    let pyproject = repository_file("pyproject.toml");
    assert!(
        pyproject.contains("\"urls\""),
        "pyproject.toml declares urls dynamic"
    );
    assert!(!pyproject.contains("github.com"));
}

/// CHANGELOG.md has a section for the version being built, in Keep a Changelog's shape.
#[test]
fn the_changelog_has_a_section_for_this_version() {
    let changelog = repository_file("CHANGELOG.md");
    assert!(changelog.contains("https://keepachangelog.com/"));
    assert!(changelog.contains("\n## [Unreleased]\n"));
    let heading = changelog
        .lines()
        .find(|line| line.starts_with(&format!("## [{VERSION}] - ")))
        .unwrap_or_else(|| panic!("CHANGELOG.md has no `## [{VERSION}] - ` heading"));
    let date = &heading[format!("## [{VERSION}] - ").len()..];
    let dated = date.len() == 10 && date.bytes().filter(|b| *b == b'-').count() == 2;
    assert!(dated || date == "Unreleased", "{heading}");
}
