//! Issue 19.12: completion that knows your tokens. The script `avn-token completions SHELL`
//! prints (the one thing users install) completes token prefixes after `revoke`, `info`,
//! `update` and `rotate`, application users after `--app-user` and organizations after
//! `--organization-id`, asking the API with the command line's own credentials and URL.
//! Tested in real bash and fish (zsh: its function, with the completion builtins stubbed)
//! against the sandbox, a server that is down, one that never answers, and a hostile one.

use std::path::{Path, PathBuf};

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use crate::support::server::{Canned, ScriptedServer, unused_address};
use crate::support::{Cmd, Run, bin, cmd, have_shell};

/// The completion script for `shell`, written into `dir`.
fn script(dir: &Path, shell: &str) -> PathBuf {
    let out = cmd().args(["completions", shell]).run();
    out.success();
    let path = dir.join(format!("avn-token.{shell}"));
    std::fs::write(&path, &out.stdout).unwrap();
    path
}

/// PATH with this avn-token first, as an installed one would be.
fn path() -> String {
    format!(
        "{}:{}",
        bin().parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Where the API is and which token the shell's environment holds.
struct Api {
    url: String,
    token: String,
    /// The shell's PATH: [`path`], unless a test takes avn-token off it.
    path: String,
}

impl Api {
    fn new(url: &str, token: &str) -> Api {
        Api {
            url: url.to_owned(),
            token: token.to_owned(),
            path: path(),
        }
    }
}

/// What bash offers for `line` (the cursor at its end), the script's function called as
/// bash calls it; the run (stderr must stay empty).
fn bash(script: &Path, api: &Api, home: &Path, line: &str) -> (Vec<String>, Run) {
    let program = r#"source "$1"
spec=$(complete -p avn-token) || exit 90
function=${spec#*-F }
function=${function%% *}
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
read -r -a COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMPREPLY=()
# Outside a real completion compopt has nothing to change: show what it is asked.
compopt() { printf 'compopt %s\n' "$*"; }
"$function" avn-token "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}""#;
    let out = Cmd::new("bash")
        .home(home)
        .env("PATH", &api.path)
        .url(&api.url)
        .token(&api.token)
        .args(["-c", program, "bash"])
        .arg(script)
        .arg(line)
        .run();
    out.success();
    let offered = out
        .stdout
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("compopt "))
        .map(str::to_owned)
        .collect();
    (offered, out)
}

/// What fish offers for `line`: `(value, hint)`.
fn fish(script: &Path, api: &Api, home: &Path, line: &str) -> (Vec<(String, String)>, Run) {
    let out = Cmd::new("fish")
        .home(home)
        .env("PATH", &api.path)
        .url(&api.url)
        .token(&api.token)
        .arg("-c")
        .arg(format!("source {}; complete -C '{line}'", script.display()))
        .run();
    out.success();
    let offered = out
        .stdout
        .lines()
        .map(|line| match line.split_once('\t') {
            Some((value, hint)) => (value.to_owned(), hint.to_owned()),
            None => (line.to_owned(), String::new()),
        })
        .collect();
    (offered, out)
}

/// A sandbox with two tokens and two application users (one whose name needs quoting).
struct World {
    sandbox: BackgroundSandbox,
    home: tempfile::TempDir,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let world = World {
            sandbox: BackgroundSandbox::start(Options::default()).expect("sandbox starts"),
            home: tempfile::tempdir().unwrap(),
            dir: tempfile::tempdir().unwrap(),
        };
        world.run(&["create", "--description", "ci deploy", "-q"]);
        world.run(&[
            "create",
            "--description",
            "nightly\tbackup\n\u{1b}[31mred",
            "-q",
        ]);
        world.run(&["application-user", "create", "--name", "ci-bot"]);
        world.run(&["application-user", "create", "--name", "two words"]);
        world
    }

    fn api(&self) -> Api {
        Api::new(&self.sandbox.url(), self.sandbox.token().expose())
    }

    fn run(&self, args: &[&str]) -> String {
        let out = cmd()
            .url(self.sandbox.url())
            .token(self.sandbox.token().expose())
            .args(args)
            .run();
        out.success();
        out.stdout
    }

    fn json(&self, args: &[&str]) -> Vec<Value> {
        let text = self.run(&[args, &["--json"]].concat());
        serde_json::from_str::<Value>(&text)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    fn prefixes(&self, args: &[&str]) -> Vec<String> {
        let mut prefixes: Vec<String> = self
            .json(&[&["list"], args].concat())
            .iter()
            .map(|token| token["token_prefix"].as_str().unwrap().to_owned())
            .collect();
        prefixes.sort();
        prefixes
    }

    /// (user ID, name) of each application user.
    fn users(&self) -> Vec<(String, String)> {
        self.json(&["application-user", "list"])
            .iter()
            .map(|user| {
                (
                    user["user_id"].as_str().unwrap().to_owned(),
                    user["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn user_id(&self, name: &str) -> String {
        self.users().into_iter().find(|(_, n)| n == name).unwrap().0
    }
}

fn sorted(mut values: Vec<String>) -> Vec<String> {
    values.sort();
    values
}

#[test]
fn bash_completes_prefixes_app_users_and_organizations() {
    if !have_shell("bash") {
        return;
    }
    let world = World::new();
    let script = script(world.dir.path(), "bash");
    let api = world.api();
    let home = world.home.path();
    let complete = |line: &str| {
        let (offered, out) = bash(&script, &api, home, line);
        assert_eq!(out.stderr, "", "{line}");
        offered
    };
    let mine = world.prefixes(&[]);
    assert_eq!(mine.len(), 3, "the login session and two tokens");
    for command in [
        "revoke",
        "info",
        "update",
        "rotate",
        "user access-token revoke",
    ] {
        assert_eq!(
            sorted(complete(&format!("avn-token {command} "))),
            mine,
            "{command}"
        );
    }
    let first = &mine[0];
    assert_eq!(
        complete(&format!("avn-token info {}", &first[..6])),
        std::slice::from_ref(first)
    );
    // --app-user: the unique, plain name; the ID for a name that would need quoting.
    let two_words = world.user_id("two words");
    assert_eq!(
        sorted(complete("avn-token list --app-user ")),
        sorted(vec!["ci-bot".into(), two_words.clone()])
    );
    assert_eq!(complete("avn-token revoke --app-user c"), ["ci-bot"]);
    // That user's tokens, once named.
    world.run(&[
        "create",
        "--app-user",
        "ci-bot",
        "--description",
        "bot",
        "-q",
    ]);
    let bots = world.prefixes(&["--app-user", "ci-bot"]);
    assert_eq!(bots.len(), 1);
    assert_eq!(complete("avn-token revoke --app-user ci-bot "), bots);
    let bot_id = world.user_id("ci-bot");
    assert_eq!(
        complete(&format!(
            "avn-token application-user token revoke {bot_id} "
        )),
        bots
    );
    // avn's positional user ID.
    assert_eq!(
        sorted(complete("avn-token application-user token list ")),
        sorted(vec![bot_id, two_words.clone()])
    );
    let organizations = complete("avn-token application-user list --organization-id ");
    assert_eq!(organizations.len(), 1);
    assert!(organizations[0].starts_with("org"), "{organizations:?}");
    // Everything else is the static completion, as before.
    assert_eq!(complete("avn-token create --desc"), ["--description"]);
    assert_eq!(
        complete("avn-token list -o "),
        ["table", "json", "csv", "yaml", "pretty"]
    );
    assert!(complete("avn-token ro").contains(&"rotate".to_owned()));
    // Hidden commands are not offered (as --help does not show them), but complete once typed.
    let commands = complete("avn-token ");
    assert!(commands.contains(&"create".to_owned()), "{commands:?}");
    for hidden in ["__complete", "user"] {
        assert!(!commands.contains(&hidden.to_owned()), "{hidden} offered");
    }
    assert!(complete("avn-token user ").contains(&"access-token".to_owned()));
    assert!(complete("avn-token revoke --f").contains(&"--force".to_owned()));
    // Options before the word, a flag or a short one with its value, are read as clap
    // reads them.
    assert_eq!(sorted(complete("avn-token revoke --force ")), mine);
    assert_eq!(sorted(complete("avn-token -o json info ")), mine);
    // An option waiting for its value gets the value's completion, not a token prefix.
    for option in ["-o", "--output"] {
        assert_eq!(
            complete(&format!("avn-token info {option} ")),
            ["table", "json", "csv", "yaml", "pretty"],
            "{option}"
        );
    }
    // A name two users share is no name for --app-user: each is offered by its ID.
    world.run(&["application-user", "create", "--name", "twin"]);
    world.run(&["application-user", "create", "--name", "twin"]);
    let twins: Vec<String> = world
        .users()
        .into_iter()
        .filter(|(_, name)| name == "twin")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(twins.len(), 2);
    assert_eq!(
        sorted(complete("avn-token list --app-user ")),
        sorted([vec!["ci-bot".to_owned(), two_words], twins].concat())
    );
}

/// The command line's own `--url` and `--auth-token` are the ones used, as the command
/// would use them.
#[test]
fn the_command_lines_url_and_token_are_used() {
    if !have_shell("bash") {
        return;
    }
    let world = World::new();
    let script = script(world.dir.path(), "bash");
    let elsewhere = format!("http://{}", unused_address());
    let api = Api::new(&elsewhere, "not-this-one");
    let line = format!(
        "avn-token --url {} revoke --auth-token {} ",
        world.sandbox.url(),
        world.sandbox.token().expose()
    );
    let (offered, _) = bash(&script, &api, world.home.path(), &line);
    assert_eq!(sorted(offered), world.prefixes(&[]));
}

#[test]
fn fish_completes_with_hints() {
    if !have_shell("fish") {
        return;
    }
    let world = World::new();
    let script = script(world.dir.path(), "fish");
    let api = world.api();
    let complete = |line: &str| {
        let (offered, out) = fish(&script, &api, world.home.path(), line);
        assert_eq!(out.stderr, "", "{line}");
        offered
    };
    let offered = complete("avn-token revoke ");
    let mut values: Vec<String> = offered.iter().map(|(value, _)| value.clone()).collect();
    values.sort();
    assert_eq!(values, world.prefixes(&[]));
    let hints: Vec<&str> = offered.iter().map(|(_, hint)| hint.as_str()).collect();
    assert!(hints.contains(&"ci deploy"), "{hints:?}");
    // A description's tabs, line breaks and escape sequences never reach the screen.
    assert!(hints.contains(&"nightly backup [31mred"), "{hints:?}");
    assert!(
        hints.iter().any(|hint| hint.ends_with("(in use)")),
        "{hints:?}"
    );
    // --app-user, also in its `=` form; not files.
    let users = complete("avn-token info --app-user ");
    assert!(
        users.contains(&("ci-bot".into(), world.user_id("ci-bot"))),
        "{users:?}"
    );
    assert!(
        complete("avn-token list --app-user=c")
            .iter()
            .any(|(value, _)| value == "--app-user=ci-bot")
    );
    let organizations = complete("avn-token list --organization-id ");
    assert_eq!(organizations.len(), 1, "{organizations:?}");
    assert_eq!(organizations[0].1, "Sandbox Organization");
    // The static completion elsewhere; hidden commands not offered.
    assert!(complete("avn-token create --desc")[0].0 == "--description");
    let commands = complete("avn-token ");
    assert!(commands.iter().any(|(value, _)| value == "create"));
    assert!(
        !commands
            .iter()
            .any(|(value, _)| value == "__complete" || value == "user")
    );
}

/// zsh's function, called with the completion builtins stubbed to print what they get.
#[test]
fn zsh_offers_values_with_hints_and_falls_back() {
    if !have_shell("zsh") {
        return;
    }
    let world = World::new();
    let script = script(world.dir.path(), "zsh");
    Cmd::new("zsh").arg("-n").arg(&script).run().success();
    let program = r#"compdef() { }
compset() { return 0 }
compadd() { print -rl -- "${hints[@]}" }
source "$1"
_avn-token_static() { print STATIC }
words=(avn-token revoke ""); CURRENT=3; _avn-token
words=(avn-token create --desc); CURRENT=3; _avn-token"#;
    let out = Cmd::new("zsh")
        .home(world.home.path())
        .env("PATH", path())
        .url(world.sandbox.url())
        .token(world.sandbox.token().expose())
        .args(["-f", "-c", program, "zsh"])
        .arg(&script)
        .run();
    out.success();
    assert_eq!(out.stderr, "");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", out.stdout);
    assert!(
        lines.iter().any(|line| line.ends_with("  -- ci deploy")),
        "{lines:?}"
    );
    assert_eq!(lines[3], "STATIC");
    // Not offered as a command.
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(!text.contains("'__complete:"));
}

/// A server that is down, one that never answers, one that answers after 3 seconds, no
/// credentials: nothing offered, nothing on the screen, no prompt, nothing written. The one
/// that never answers holds the connection far longer than a test run may take; the slow
/// one's tokens would be offered if the completion waited for them: its bound (one second)
/// is what both check, without measuring time.
#[test]
fn nothing_offered_when_the_api_cannot_answer() {
    if !have_shell("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path(), "bash");
    let home = tempfile::tempdir().unwrap();
    let down = format!("http://{}", unused_address());
    let silent = ScriptedServer::always(Canned::Delayed(
        std::time::Duration::from_secs(600),
        Box::new(Canned::json(200, json!({"tokens": []}))),
    ));
    let slow = ScriptedServer::always(Canned::Delayed(
        std::time::Duration::from_secs(3),
        Box::new(Canned::json(
            200,
            json!({"tokens": [{"token_prefix": "SlowToken123"}], "application_users": [
                {"user_id": "u1", "name": "slow-bot"}], "organizations": [{"organization_id": "o1"}]}),
        )),
    ));
    let (silent_url, slow_url) = (silent.url(), slow.url());
    let cases = [
        ("down", down.as_str(), "a-token"),
        ("never answers", silent_url.as_str(), "a-token"),
        ("answers after 3 s", slow_url.as_str(), "a-token"),
        ("no credentials", down.as_str(), ""),
    ];
    let fish_script = have_shell("fish").then(|| self::script(dir.path(), "fish"));
    let fish_home = tempfile::tempdir().unwrap();
    for (what, url, token) in cases {
        let api = Api::new(url, token);
        for line in ["avn-token revoke ", "avn-token list --app-user "] {
            let (offered, out) = bash(&script, &api, home.path(), line);
            assert!(offered.is_empty(), "{what}: {offered:?}");
            assert_eq!(out.stderr, "", "{what}");
            // Not bash's fallback to file names either.
            out.stdout_contains("compopt +o default +o bashdefault");
            if let Some(fish_script) = &fish_script {
                // fish keeps its own files in HOME: one of its own.
                let (offered, out) = fish(fish_script, &api, fish_home.path(), line);
                assert!(offered.is_empty(), "fish, {what}: {offered:?} (not files)");
                assert_eq!(out.stderr, "", "{what}");
            }
        }
    }
    assert!(!silent.requests().is_empty(), "the silent server was asked");
    assert!(!slow.requests().is_empty(), "the slow server was asked");
    let written: Vec<_> = std::fs::read_dir(home.path()).unwrap().collect();
    assert!(written.is_empty(), "nothing written in HOME: {written:?}");
}

/// What a hostile server lists is offered only when a shell can insert it as it is, never
/// more of a token than its prefix, and nothing of it is ever run.
#[test]
fn hostile_values_are_never_offered_or_run() {
    if !have_shell("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = script(dir.path(), "bash");
    let marker = dir.path().join("pwned");
    let evil = [
        format!("$(touch {})", marker.display()),
        format!("`touch {}`", marker.display()),
        "a;b".into(),
        "-rf".into(),
        "two words".into(),
        "quote'd".into(),
        "esc\u{1b}[2J".into(),
    ];
    let whole = "WholeToken12/and+the+rest+of+the+secret==";
    let mut tokens: Vec<Value> = evil
        .iter()
        .map(|prefix| json!({"token_prefix": prefix, "description": "x"}))
        .collect();
    tokens.push(json!({"token_prefix": whole, "description": "x"}));
    tokens.push(json!({"token_prefix": "Plain0123456", "description": "$(touch x)\n"}));
    let server = ScriptedServer::always(Canned::json(200, json!({ "tokens": tokens })));
    let api = Api::new(&server.url(), "a-token");
    let home = tempfile::tempdir().unwrap();
    let (offered, out) = bash(&script, &api, home.path(), "avn-token revoke ");
    assert_eq!(sorted(offered), ["Plain0123456", "WholeToken12"]);
    assert_eq!(out.stderr, "");
    if have_shell("fish") {
        let script = self::script(dir.path(), "fish");
        let (offered, out) = fish(&script, &api, home.path(), "avn-token revoke ");
        assert_eq!(out.stderr, "");
        assert!(!out.stdout.contains("the+rest"), "{}", out.stdout);
        assert!(offered.contains(&("Plain0123456".into(), "$(touch x)".into())));
    }
    assert!(!marker.exists(), "a value was run");
}

/// Without avn-token on PATH (a binary run by its path), the scripts still complete
/// statically, and say nothing on the screen.
#[test]
fn without_the_binary_on_path_nothing_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut api = Api::new(&format!("http://{}", unused_address()), "a-token");
    api.path = std::env::var("PATH").unwrap_or_default();
    if have_shell("bash") {
        let script = script(dir.path(), "bash");
        // The static completion's options, quietly.
        let (_, out) = bash(&script, &api, home.path(), "avn-token revoke ");
        assert_eq!(out.stderr, "");
        let (offered, out) = bash(&script, &api, home.path(), "avn-token create --desc");
        assert_eq!(
            (offered, out.stderr.as_str()),
            (vec!["--description".into()], "")
        );
    }
    if have_shell("fish") {
        let script = script(dir.path(), "fish");
        let (_, out) = fish(&script, &api, home.path(), "avn-token revoke ");
        assert_eq!(out.stderr, "");
        let (offered, out) = fish(&script, &api, home.path(), "avn-token create --desc");
        assert_eq!(offered[0].0, "--description");
        assert_eq!(out.stderr, "");
    }
}
