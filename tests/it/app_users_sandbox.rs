//! Application users end to end against the sandbox (issue 10 §1–3): what a user types and
//! sees, and what the service holds afterwards. The organization is never named: the
//! sandbox has exactly one, which every command finds on its own.

use avn_token::sandbox::{BackgroundSandbox, Options};
use serde_json::{Value, json};

use crate::support::{Cmd, Run, cmd};

struct Env {
    sandbox: BackgroundSandbox,
}

impl Env {
    fn new() -> Env {
        Env {
            sandbox: BackgroundSandbox::start(Options::default()).expect("sandbox starts"),
        }
    }

    fn cmd_as(&self, token: &str) -> Cmd {
        cmd().url(self.sandbox.url()).token(token)
    }

    /// `avn-token ARGS` as the sandbox's (human) user.
    fn run(&self, args: &[&str]) -> Run {
        self.run_as(self.sandbox.token().expose(), args)
    }

    fn run_as(&self, token: &str, args: &[&str]) -> Run {
        self.cmd_as(token).args(args).run()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        out.success();
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("not JSON: {}", out.stdout))
    }

    /// A new application user named `name`; its id.
    fn app_user(&self, name: &str) -> String {
        let user = self.json(&["application-user", "create", "--name", name, "--json"]);
        assert_eq!(user["name"], name);
        user["user_id"].as_str().expect("a user_id").to_owned()
    }

    /// A new token of the application user named `name`, made with `create --app-user`.
    fn app_token(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["create", "--app-user", name, "--description", "ci", "-q"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        out.success();
        out.stdout.trim_end().to_owned()
    }

    fn app_tokens(&self, user: &str) -> Vec<Value> {
        match self.json(&["list", "--app-user", user, "-o", "json"]) {
            Value::Array(tokens) => tokens,
            other => panic!("not a list: {other}"),
        }
    }
}

#[test]
fn avns_application_user_commands_against_the_sandbox() {
    let env = Env::new();
    let table = env.run(&["application-user", "create", "--name", "ci \"bot\""]);
    table.success();
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", table.stdout);
    assert!(
        lines[0].starts_with("NAME          USER_EMAIL"),
        "{}",
        table.stdout
    );
    assert!(
        lines[2].starts_with("\"ci \\\"bot\\\"\"  "),
        "{}",
        table.stdout
    );

    let users = env.json(&["application-user", "list", "--json"]);
    let user_id = users[0]["user_id"].as_str().unwrap().to_owned();
    let renamed = env.json(&[
        "application-user",
        "update",
        &user_id,
        "--name",
        "deployer",
        "--json",
    ]);
    assert_eq!(renamed["name"], "deployer");
    assert_eq!(
        env.json(&["application-user", "info", &user_id, "--json"])["name"],
        "deployer"
    );

    // A token without expiry, as avn makes it.
    let created = env.run(&[
        "application-user",
        "token",
        "create",
        &user_id,
        "--description",
        "forever",
        "--scopes",
        "user:read",
    ]);
    created
        .success()
        .stdout_contains("Copy and safely store the full token value.");
    let row = created.stdout.lines().nth(5).unwrap();
    let (full_token, prefix) = row.split_once("  ").unwrap();
    assert!(full_token.starts_with(prefix.trim()), "{}", created.stdout);
    let prefix = prefix.trim();

    let listed = env.run(&["application-user", "token", "list", &user_id, "--verbose"]);
    listed
        .success()
        .stdout_contains(prefix)
        .stdout_contains("forever");
    let info = env.json(&[
        "application-user",
        "token",
        "info",
        &user_id,
        prefix,
        "--json",
    ]);
    assert_eq!(info["expiry_time"], Value::Null);
    assert_eq!(info["scopes"], json!(["user:read"]));

    // The token authenticates as its application user until revoked: then 403.
    env.run_as(full_token, &["list"]).success();
    let revoked = env
        .cmd_as(env.sandbox.token().expose())
        .args(["application-user", "token", "revoke", &user_id, prefix])
        .write_stdin("y\n")
        .run();
    revoked.success().stdout_contains(&format!(
        "Token {prefix} (application user id: {user_id}) revoked successfully.\n"
    ));
    env.run_as(full_token, &["list"]).code(3);

    // Deleting the user revokes all of its tokens.
    let another = env.app_token(&user_id, &[]);
    env.run_as(&another, &["list"]).success();
    env.run(&["application-user", "delete", &user_id, "--force"])
        .success()
        .stdout_contains("deleted successfully");
    env.run_as(&another, &["list"]).code(3);
    env.run(&["application-user", "info", &user_id]).code(4);
}

#[test]
fn native_commands_manage_an_application_users_tokens() {
    let env = Env::new();
    let user_id = env.app_user("ci-bot");
    let token = env.app_token(
        "ci-bot",
        &[
            "--expires-in",
            "2h",
            "--extend-when-used",
            "--scope",
            "user:read",
            "--ip-allowlist",
            "127.0.0.0/8",
        ],
    );
    // The token is the application user's: it lists that user's tokens, not yours.
    env.run_as(&token, &["list"])
        .success()
        .stdout_contains(&token[..12]);
    assert!(!env.run(&["list"]).stdout.contains(&token[..12]));

    let tokens = env.app_tokens(&user_id);
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0]["max_age_seconds"], json!(7200));
    assert_eq!(tokens[0]["extend_when_used"], json!(true));

    // The create table shows what the service made, not only the token.
    let shown = env.run(&["create", "--app-user", "ci-bot", "--description", "table"]);
    shown.success();
    let row = shown.stdout.lines().nth(2).unwrap();
    assert!(row.starts_with("null  "), "never expires: {}", shown.stdout);

    env.run(&["info", &token[..12], "--app-user", &user_id])
        .success()
        .stdout_contains("IP_ALLOWLIST      127.0.0.0/8\n")
        .stdout_contains("SCOPES            user:read\n");

    // Rotation keeps every setting and kills the old token.
    let out = env.run(&["rotate", "--app-user", "ci-bot", &token, "-q"]);
    out.success();
    let rotated = out.stdout.trim_end().to_owned();
    assert_ne!(rotated, token);
    env.run_as(&token, &["list"]).code(3);
    let new = env
        .app_tokens(&user_id)
        .into_iter()
        .find(|t| t["token_prefix"] == rotated[..12])
        .expect("the new token is listed");
    assert_eq!(new["description"], "ci");
    assert_eq!(new["max_age_seconds"], json!(7200));
    assert_eq!(new["extend_when_used"], json!(true));
    assert_eq!(new["scopes"], json!(["user:read"]));
    assert_eq!(new["ip_allowlist"], json!(["127.0.0.0/8"]));

    env.run(&["revoke", &rotated[..12], "--app-user", "ci-bot"])
        .success()
        .stdout_contains("Revoked");
    env.run_as(&rotated, &["list"]).code(3);
    env.run(&[
        "update",
        &rotated[..12],
        "--description",
        "x",
        "--app-user",
        "ci-bot",
    ])
    .code(2);
}

#[test]
fn audit_across_you_and_every_application_user() {
    let env = Env::new();
    env.app_user("ci-bot");
    env.app_user("deployer");
    let forever = env.app_token("ci-bot", &[]);
    env.app_token("deployer", &["--expires-in", "3d"]);
    let out = env.run(&["audit", "-o", "json", "--all"]);
    out.code(5);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let row = |prefix: &str| {
        rows.iter()
            .find(|row| row["token_prefix"] == prefix)
            .unwrap_or_else(|| panic!("{prefix} not audited: {}", out.stdout))
    };
    let ci = row(&forever[..12]);
    assert_eq!(ci["owner"], "ci-bot");
    assert_eq!(ci["owner_type"], "application-user");
    assert_eq!(ci["findings"], json!(["never-expires"]));
    let personal: Vec<&Value> = rows.iter().filter(|r| r["owner_type"] == "user").collect();
    assert!(!personal.is_empty(), "{}", out.stdout);
    assert!(
        rows.iter()
            .any(|r| r["owner"] == "deployer" && r["findings"] == json!(["expires-soon"])),
        "{}",
        out.stdout
    );
    env.run(&["audit", "--fail-on", "unused"]).success();
    let table = env.run(&["audit"]);
    table
        .code(5)
        .stdout_contains("ci-bot (application-user ")
        .stdout_contains("deployer (application-user ");
}
