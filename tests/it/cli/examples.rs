//! Issue 19.9: the examples people copy (the README, every `--help`, the man page,
//! `examples/`) fail safely. `export X=$(avn-token create ... -q)` under `set -e` goes on
//! with an empty token when `create` fails (the status is `export`'s, 0), and an empty
//! variable then falls back to the credentials file: the examples assign, then export.

use std::path::{Path, PathBuf};

use avn_token::sandbox::{BackgroundSandbox, Options};

use crate::support::{Cmd, bin, cmd};

fn repository() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a shell line hides a command substitution's status behind a builtin's own:
/// `export X=$(...)`, `readonly`, `local`, `declare`, `typeset` (also with backquotes).
fn masks_a_failure(line: &str) -> bool {
    const BUILTINS: [&str; 5] = ["export", "readonly", "local", "declare", "typeset"];
    line.split([';', '&', '|']).any(|command| {
        let words: Vec<&str> = command.split_whitespace().collect();
        words.windows(2).any(|pair| {
            BUILTINS.contains(&pair[0])
                && ["=$(", "=\"$(", "=`", "=\"`"]
                    .iter()
                    .any(|substitution| pair[1].contains(substitution))
        })
    })
}

#[test]
fn the_check_sees_the_pattern() {
    assert!(masks_a_failure(
        "export AIVEN_AUTH_TOKEN=$(avn-token create --description ci -q)"
    ));
    assert!(masks_a_failure("  local t=\"$(avn-token rotate X -q)\""));
    assert!(masks_a_failure("set -e; readonly T=`avn-token create -q`"));
    assert!(!masks_a_failure("token=$(avn-token create -q)"));
    assert!(!masks_a_failure("export AIVEN_AUTH_TOKEN=\"$token\""));
}

/// Every help text, the man page, the README and the example scripts.
fn every_example_text() -> Vec<(String, String)> {
    let mut texts = Vec::new();
    let mut root = avn_token::cli::parser("");
    root.build();
    let mut commands = vec![root];
    while let Some(mut command) = commands.pop() {
        let name = command.get_bin_name().unwrap_or("avn-token").to_owned();
        texts.push((
            format!("{name} --help"),
            command.render_long_help().to_string(),
        ));
        commands.extend(command.get_subcommands().cloned());
    }
    let man = cmd().arg("man").run();
    man.success();
    texts.push(("avn-token man".into(), man.stdout.clone()));
    for file in ["README.md", "examples"] {
        let path = repository().join(file);
        let files: Vec<PathBuf> = if path.is_dir() {
            std::fs::read_dir(&path)
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .collect()
        } else {
            vec![path]
        };
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            texts.push((file.display().to_string(), text));
        }
    }
    texts
}

#[test]
fn no_example_exports_a_command_substitution() {
    let mut found = Vec::new();
    for (source, text) in every_example_text() {
        for line in text.lines().filter(|line| masks_a_failure(line)) {
            found.push(format!("{source}: {}", line.trim()));
        }
    }
    assert!(
        found.is_empty(),
        "examples that hide a failure:\n{}",
        found.join("\n")
    );
}

/// The README's first ```sh block after `heading`.
fn readme_block(heading: &str) -> String {
    let readme = std::fs::read_to_string(repository().join("README.md")).unwrap();
    let after = readme.split(heading).nth(1).expect("the heading");
    let block = after.split("```sh\n").nth(1).expect("a sh block");
    block.split("```").next().unwrap().to_owned()
}

/// A directory for PATH holding `run-the-backup`, which records the token it was given.
fn job_directory(dir: &Path) -> String {
    let job = dir.join("run-the-backup");
    std::fs::write(
        &job,
        "#!/bin/sh\nprintf '%s' \"$AIVEN_AUTH_TOKEN\" > \"$JOB_RAN\"\n",
    )
    .unwrap();
    crate::support::platform::make_executable(&job);
    let ours = bin().parent().unwrap().to_owned();
    format!(
        "{}:{}:{}",
        dir.display(),
        ours.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The README's script, copied as it is: when `create` fails, the job does not run with
/// an empty token (or the credentials file's); when it works, the job gets the new token,
/// which is revoked when the script ends.
#[test]
#[cfg_attr(not(unix), ignore = "runs the README's POSIX sh script")]
fn the_readme_script_stops_when_create_fails() {
    let script = readme_block("### In a shell script");
    assert!(script.contains("run-the-backup"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let path = job_directory(dir.path());
    let ran = dir.path().join("ran");
    let sandbox = BackgroundSandbox::start(Options::default()).expect("sandbox starts");
    // A credentials file the empty variable would otherwise fall back to.
    let home = tempfile::tempdir().unwrap();
    crate::support::write_credentials(
        home.path(),
        &format!(r#"{{"auth_token": "{}"}}"#, sandbox.token().expose()),
    );

    // `create` fails: an API that is not there.
    let failed = Cmd::new("sh")
        .home(home.path())
        .args(["-c", &script])
        .env("PATH", &path)
        .env("JOB_RAN", &ran)
        .url("http://127.0.0.1:9")
        .env("AIVEN_AUTH_TOKEN", sandbox.token().expose())
        .run();
    assert!(!failed.succeeded(), "{failed:?}");
    assert!(!ran.exists(), "the job ran although create failed");

    // `create` works: the job gets the new token, revoked at the end.
    let worked = Cmd::new("sh")
        .home(home.path())
        .args(["-c", &script])
        .env("PATH", &path)
        .env("JOB_RAN", &ran)
        .url(sandbox.url())
        .env("AIVEN_AUTH_TOKEN", sandbox.token().expose())
        .run();
    worked.success();
    let used = std::fs::read_to_string(&ran).expect("the job ran");
    assert!(
        used.len() > 12 && used != sandbox.token().expose(),
        "{used}"
    );
    let listed = cmd()
        .url(sandbox.url())
        .token(sandbox.token().expose())
        .args(["list", "--json"])
        .run();
    assert!(
        !listed.success().stdout.contains(&used[..12]),
        "revoked at the end"
    );
}
