//! The commands beyond `avn` (issue 4), end to end against the real sandbox: what the user
//! types and sees, and what the service holds afterwards. (Exact responses and failures the
//! sandbox cannot produce are in `features`, against a scripted server.)

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use crate::support::{Cmd, Run, avn_binary, cmd, credentials_file};

struct Env {
    sandbox: BackgroundSandbox,
    home: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            sandbox: BackgroundSandbox::start(Options::default()).expect("sandbox starts"),
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// `avn-token` in this HOME against this sandbox, with no token yet.
    fn cmd(&self) -> Cmd {
        cmd().home(self.home.path()).url(self.sandbox.url())
    }

    /// `avn-token ARGS` as the bootstrap (login) user.
    fn run(&self, args: &[&str]) -> Run {
        self.run_as(self.sandbox.token().expose(), args)
    }

    fn run_as(&self, token: &str, args: &[&str]) -> Run {
        self.cmd().token(token).args(args).run()
    }

    fn list(&self) -> Vec<Value> {
        let out = self.run(&["list", "--json"]);
        out.success();
        serde_json::from_str::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }

    /// Create a token; (full token, prefix).
    fn create(&self, args: &[&str]) -> (String, String) {
        let mut full = vec!["create", "-q"];
        full.extend_from_slice(args);
        let out = self.run(&full);
        out.success();
        let token = out.stdout.trim_end().to_owned();
        let prefix = token.chars().take(12).collect();
        (token, prefix)
    }
}

fn find<'a>(tokens: &'a [Value], prefix: &str) -> Option<&'a Value> {
    tokens.iter().find(|t| t["token_prefix"] == prefix)
}

#[test]
fn durations_scopes_and_allowlists_are_what_the_service_stores() {
    let env = Env::new();
    let (_, prefix) = env.create(&[
        "--description",
        "scoped",
        "--expires-in",
        "90m",
        "--scope",
        "user:read",
        "--ip-allowlist",
        "127.0.0.0/8",
        "--ip-allowlist",
        "::1",
    ]);
    let out = env.run(&["info", &prefix, "--json"]);
    out.success();
    let info: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(info[0]["max_age_seconds"], json!(5400));
    assert_eq!(info[0]["scopes"], json!(["user:read"]));
    assert_eq!(info[0]["ip_allowlist"], json!(["127.0.0.0/8", "::1"]));
    let table = env.run(&["info", &prefix]);
    table.success();
    table.stdout_contains(&format!("TOKEN_PREFIX      {prefix}\n"));
    table.stdout_contains("IP_ALLOWLIST      127.0.0.0/8, ::1\n");
}

#[test]
fn rotate_gives_a_working_replacement_and_kills_the_old_token() {
    let env = Env::new();
    let (old_token, old_prefix) = env.create(&[
        "--description",
        "deploy",
        "--max-age-seconds",
        "7200",
        "--extend-when-used",
        "--scope",
        "authentication",
    ]);
    let out = env.run(&["rotate", &old_prefix, "-q"]);
    out.success();
    let new_token = out.stdout.trim_end().to_owned();
    assert!(
        new_token.len() > 40 && !new_token.contains('\n'),
        "{}",
        out.stdout
    );
    out.stderr_contains("revoked the old token");

    let tokens = env.list();
    assert!(
        find(&tokens, &old_prefix).is_none(),
        "the old token is still listed"
    );
    let new = find(&tokens, &new_token[..12]).expect("the new token is listed");
    assert_eq!(new["description"], "deploy");
    assert_eq!(new["max_age_seconds"], json!(7200));
    assert_eq!(new["extend_when_used"], json!(true));
    assert_eq!(new["scopes"], json!(["authentication"]));

    // The old token no longer authenticates; the new one does.
    env.run_as(&old_token, &["list"]).code(3).one_line_error();
    env.run_as(&new_token, &["list"]).success();
}

#[test]
fn the_token_in_use_is_protected_and_marked() {
    let env = Env::new();
    let own = env.sandbox.token();
    let out = env.run(&["revoke", own.prefix()]);
    out.code(1).one_line_error();
    out.stderr_contains("--force");
    let people = env.run(&["list", "--relative"]);
    people.stdout_contains(&format!("{} (in use)", own.prefix()));

    env.run(&["revoke", own.expose(), "--force"]).success();
    env.run(&["list"]).code(3).one_line_error();
}

#[test]
fn expire_all_logs_everyone_out() {
    let env = Env::new();
    let (other, _) = env.create(&["--description", "other"]);
    let out = env.run(&["expire-all"]);
    out.success();
    assert!(!out.stdout.trim().is_empty());
    env.run(&["list"]).code(3);
    env.run_as(&other, &["list"]).code(3);
}

#[test]
fn quota_warning_and_the_limit() {
    let env = Env::new();
    for i in 0..8 {
        env.create(&["--description", &format!("t{i}")]);
    }
    let out = env.run(&["list"]);
    out.success();
    out.stderr_contains("8 of 10 personal tokens");
    env.create(&["--description", "t8"]);
    env.create(&["--description", "t9"]);
    let refused = env.run(&["create", "--description", "t10"]);
    refused.code(1).one_line_error();
}

#[test]
fn unknown_prefixes_are_not_found_for_every_command() {
    let env = Env::new();
    env.run(&["info", "doesNotExist"]).code(4).one_line_error();
    env.run(&["update", "doesNotExist", "--description", "x"])
        .code(4)
        .one_line_error();
    env.run(&["revoke", "doesNotExist"])
        .code(4)
        .one_line_error();
    env.run(&["rotate", "doesNotExist"])
        .code(4)
        .one_line_error();
}

#[cfg(unix)]
#[test]
fn login_then_avn_and_avn_token_use_the_stored_token_and_logout_revokes_it() {
    let env = Env::new();
    let (token, prefix) = env.create(&["--description", "laptop"]);
    let out = env
        .cmd()
        .arg("login")
        .write_stdin(format!("{token}\n"))
        .run();
    out.success();
    out.stderr_contains("logged in as");

    // No token in the environment: both clients read the credentials file.
    let listed = env.cmd().args(["list", "--json"]).run();
    listed.success();
    let tokens: Vec<Value> = serde_json::from_str(&listed.stdout).unwrap();
    assert_eq!(
        find(&tokens, &prefix).unwrap()["currently_active"],
        json!(true)
    );
    if let Some(avn) = avn_binary() {
        let out = Cmd::new(avn)
            .home(env.home.path())
            .url(env.sandbox.url())
            .args(["user", "access-token", "list"])
            .run();
        out.success();
        assert!(
            out.stdout.contains(&prefix),
            "avn did not read the credentials file: {}",
            out.stderr
        );
    }

    env.cmd().arg("logout").run().success();
    assert!(!credentials_file(env.home.path()).exists());
    let remaining = env.list();
    assert!(
        find(&remaining, &prefix).is_none(),
        "logout must revoke the stored token"
    );
    env.cmd().arg("list").run().code(3).one_line_error();
}
