//! The command-line interface: the whole clap derive tree.
//!
//! Doc comments here *are* the `--help` text (and the man page and completions, which are
//! generated from this tree), so they are written for users. Global options live in
//! [`GlobalArgs`], under their own help heading, and are accepted before or after the
//! subcommand, as `avn` scripts expect.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env_vars::EnvVars;
use crate::facts;
use crate::secret::Secret;

/// Exit codes, shown in `--help` and the man page. Decided in one place: `crate::exit`.
const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  API or network failure
  2  usage error (bad arguments or input)
  3  not authenticated (no credentials, or the API answered 401/403)
  4  not found (the API answered 404, e.g. an unknown token prefix)
  5  audit findings (`avn-token audit` found risky tokens)
  130  interrupted (Ctrl-C)";

const ABOUT: &str =
    "Manage Aiven personal access tokens: a fast drop-in for `avn user access-token`";

const LONG_ABOUT: &str = "\
Manage Aiven personal access tokens: create, list, update and revoke them, plus info, rotate,
expire-all, login and logout. Output of create, list, update and revoke is byte-identical to
`avn user access-token` (aiven-client), so scripts written for `avn` keep working.

Try it offline with the built-in sandbox (a local Aiven-compatible API):
  avn-token sandbox --exec -- sh -c 'avn-token create --description demo && avn-token list'";

/// `avn-token`: manage Aiven personal access tokens.
#[derive(Debug, Parser)]
#[command(
    name = "avn-token",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_help = EXIT_CODES_HELP,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options accepted by every command, before or after the subcommand name.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// Aiven API base URL
    #[arg(
        long,
        global = true,
        env = EnvVars::AIVEN_WEB_URL,
        value_name = "URL",
        default_value = "https://api.aiven.io"
    )]
    pub(crate) url: String,

    /// API token (default: $AIVEN_AUTH_TOKEN, then the credentials file written by
    /// `avn user login` / `avn-token login`)
    #[arg(long, global = true, value_name = "TOKEN")]
    pub(crate) auth_token: Option<Secret>,

    /// CA certificate bundle (PEM) to verify HTTPS against instead of the system's, as
    /// `avn --auth-ca` does (e.g. a corporate proxy's CA)
    #[arg(long, global = true, env = EnvVars::AIVEN_CA_CERT, value_name = "FILE")]
    pub(crate) auth_ca: Option<PathBuf>,

    /// Bound each API call, retries included, to this many seconds
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) request_timeout: Option<Duration>,

    /// Give up retrying transient failures (429, 502-504, connection errors) after this many
    /// seconds; 0 never retries
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_budget, default_value = "15")]
    pub(crate) retry_budget: Duration,

    /// Print each HTTP request and response to stderr (the token is redacted)
    #[arg(long, global = true)]
    pub(crate) show_http: bool,

    /// Allow sending the token over plain http:// to a non-loopback host (e.g. a local proxy)
    #[arg(long, global = true)]
    pub(crate) allow_insecure_http: bool,

    /// Output format
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT")]
    pub(crate) output: Option<OutputFormat>,

    /// JSON output, as `avn --json` prints it (same as `--output json`)
    #[arg(long, global = true, conflicts_with = "output")]
    pub(crate) json: bool,

    /// A table for people: times relative to now (`in 3 days`, `2 hours ago`, `never`) and
    /// `(in use)` after the token this command authenticates with
    #[arg(long, global = true)]
    pub(crate) relative: bool,
}

impl GlobalArgs {
    /// The output format chosen by `--output` or its `--json` alias; the `avn` table otherwise.
    pub(crate) fn output_format(&self) -> OutputFormat {
        match (self.json, self.output) {
            (true, _) => OutputFormat::Json,
            (false, Some(format)) => format,
            (false, None) => OutputFormat::Table,
        }
    }
}

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns, byte-identical to `avn`
    Table,
    /// Pretty JSON with sorted keys, every field the API returned (as `avn --json`)
    Json,
    /// Comma-separated values with a header row of field names
    Csv,
    /// YAML, every field the API returned
    Yaml,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new access token (prints the full token once)
    #[command(after_help = "Examples:
  avn-token create --description \"To be used with Python Notebooks\"
  avn-token create --description ci --max-age-seconds 3600 --extend-when-used
  export AIVEN_AUTH_TOKEN=$(avn-token create --description ci --expires-in 1h -q)")]
    Create(CreateArgs),

    /// List your access tokens
    #[command(after_help = "Examples:
  avn-token list
  avn-token list --json | jq -r '.[].token_prefix'
  avn-token list -o csv")]
    List(ListArgs),

    /// Show one token in detail: the list columns plus create time, scopes and IP allowlist
    #[command(after_help = "Examples:
  avn-token info 6JsKDclT3OMQ
  avn-token info 6JsKDclT3OMQ --json")]
    Info(InfoArgs),

    /// Update the description of an access token
    #[command(after_help = "Example:
  avn-token update 6JsKDclT3OMQ --description \"To be used with Jupyter Notebooks\"")]
    Update(UpdateArgs),

    /// Revoke an access token
    #[command(after_help = "Examples:
  avn-token revoke 6JsKDclT3OMQ
  avn-token revoke \"$OLD_TOKEN\" --yes")]
    Revoke(RevokeArgs),

    /// Replace a token with a new one with the same settings, then revoke the old one
    #[command(after_help = "Examples:
  avn-token rotate 6JsKDclT3OMQ
  NEW=$(avn-token rotate 6JsKDclT3OMQ -q)")]
    Rotate(RotateArgs),

    /// Expire all of your tokens, including the one in use (as `avn user tokens-expire`)
    ExpireAll(ExpireAllArgs),
    /// Manage application users (organization service accounts for CI) and their tokens,
    /// as `avn application-user`
    #[command(after_help = "Examples:
  avn-token application-user list --organization-id org1234abcd
  avn-token application-user token create u1234abcd --description ci --max-age-seconds 86400
  avn-token create --app-user ci-bot --description deploy --expires-in 30d   # native features")]
    ApplicationUser {
        #[command(subcommand)]
        command: ApplicationUserCommand,
    },
    /// Report risky tokens: yours and every application user's in the organization
    #[command(
        after_help = "Findings: never-expires, expires-soon, never-used (older than a day), unused,
and with --strict also no-ip-allowlist and unscoped. Exit status 5 when a finding counted
by --fail-on (default: any) is found.

Examples:
  avn-token audit
  avn-token audit --strict -o json
  avn-token audit --fail-on expires-soon --expiring-within 7d"
    )]
    Audit(AuditArgs),

    /// Store a token in the credentials file `avn` uses (read from stdin or a prompt)
    #[command(after_help = "Examples:
  avn-token login                      # prompts, without echo
  printf '%s' \"$TOKEN\" | avn-token login")]
    Login(LoginArgs),

    /// Revoke the stored token and remove the credentials file
    Logout(LogoutArgs),

    /// Run a local, offline Aiven-compatible access-token API
    #[command(after_help = "Examples:
  avn-token sandbox --listen 127.0.0.1:8999 --token dev-token &
  avn-token sandbox --exec -- ./my-ci-script.sh
  avn-token sandbox --state sandbox.json --token my-fixed-token")]
    Sandbox(SandboxArgs),

    /// Print a shell completion script
    #[command(after_help = "Example:
  avn-token completions bash > ~/.local/share/bash-completion/completions/avn-token")]
    Completions(CompletionsArgs),

    /// Print the man page (roff)
    #[command(after_help = "Example:
  avn-token man > ~/.local/share/man/man1/avn-token.1")]
    Man,

    /// `avn`'s spelling of the same commands: `avn-token user access-token list` is
    /// `avn-token list`, and `user tokens-expire` is `expire-all`, so a script can swap the
    /// program name and keep its arguments.
    #[command(hide = true)]
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

impl From<UserCommand> for Command {
    /// `avn`'s spelling resolved to the command's own name.
    fn from(command: UserCommand) -> Command {
        match command {
            UserCommand::AccessToken { command } => match command {
                AccessTokenCommand::Create(args) => Command::Create(args),
                AccessTokenCommand::List(args) => Command::List(args),
                AccessTokenCommand::Update(args) => Command::Update(args),
                AccessTokenCommand::Revoke(args) => Command::Revoke(args),
            },
            UserCommand::TokensExpire(args) => Command::ExpireAll(args),
        }
    }
}

/// `avn user ...`: the parts of it this tool implements.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Manage access tokens (`avn user access-token`)
    AccessToken {
        #[command(subcommand)]
        command: AccessTokenCommand,
    },
    /// Expire all of your tokens (`avn user tokens-expire`)
    TokensExpire(ExpireAllArgs),
}

/// `avn user access-token ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AccessTokenCommand {
    /// Create a new access token
    Create(CreateArgs),
    /// List your access tokens
    List(ListArgs),
    /// Update the description of an access token
    Update(UpdateArgs),
    /// Revoke an access token
    Revoke(RevokeArgs),
}

/// `avn application-user ...`: the commands and arguments of avn 4.18.0, with its output.
#[derive(Debug, Subcommand)]
pub(crate) enum ApplicationUserCommand {
    /// Create an application user
    Create(AppUserCreateArgs),
    /// List application users for an organization
    List(AppUserListArgs),
    /// Get profile information for an application user
    Info(AppUserInfoArgs),
    /// Update the profile information for an application user
    Update(AppUserUpdateArgs),
    /// Permanently delete an application user
    Delete(AppUserDeleteArgs),
    /// Manage an application user's tokens
    Token {
        #[command(subcommand)]
        command: AppTokenCommand,
    },
}

/// `avn application-user token ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AppTokenCommand {
    /// Creates a token for an application user
    Create(AppTokenCreateArgs),
    /// List all tokens for an application user
    List(AppTokenListArgs),
    /// Show info on the specified token for an application user
    Info(AppTokenInfoArgs),
    /// Permanently revoke the specified token for the application user
    Revoke(AppTokenRevokeArgs),
}

/// Which organization: `avn` requires `--organization-id`; here it may also come from the
/// environment or, when you belong to exactly one organization, from the API.
#[derive(Debug, Clone, Args)]
pub(crate) struct OrganizationArg {
    /// Organization identifier (default: $AIVEN_ORGANIZATION_ID, else the one organization
    /// you belong to)
    #[arg(long, value_name = "ORG_ID", env = EnvVars::AIVEN_ORGANIZATION_ID)]
    pub(crate) organization_id: Option<String>,
}

/// Whose tokens a native command works on: yours, or an application user's (`--app-user`).
#[derive(Debug, Clone, Args)]
pub(crate) struct OwnerArgs {
    /// Work on this application user's tokens instead of your own: its user ID, or its name
    /// when that is unique in the organization
    #[arg(long, value_name = "USER")]
    pub(crate) app_user: Option<String>,

    #[command(flatten)]
    pub(crate) organization: OrganizationArg,
}

/// `avn`'s `-f/--force`, and the `AIVEN_FORCE` variable its confirmation also honours.
#[derive(Debug, Clone, Args)]
pub(crate) struct AvnForce {
    /// Force action without interactive confirmation
    #[arg(short, long)]
    pub(crate) force: bool,

    /// `AIVEN_FORCE`, read as `avn` reads it (y, yes, t, true, 1 or ok): skips the question,
    /// not the warning box
    #[arg(long = "aiven-force", hide = true, env = EnvVars::AIVEN_FORCE, action = clap::ArgAction::Set,
          value_parser = parse_avn_truthy, default_value = "no")]
    pub(crate) aiven_force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AppUserCreateArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User name
    #[arg(long)]
    pub(crate) name: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppUserListArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,
}

#[derive(Debug, Args)]
pub(crate) struct AppUserInfoArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User ID
    pub(crate) user_id: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppUserUpdateArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User ID
    pub(crate) user_id: String,

    /// Application User name
    #[arg(long)]
    pub(crate) name: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppUserDeleteArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    #[command(flatten)]
    pub(crate) force: AvnForce,

    /// Application User ID
    pub(crate) user_id: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppTokenCreateArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User ID
    pub(crate) user_id: String,

    /// Token description
    #[arg(long)]
    pub(crate) description: String,

    /// Time the token remains valid since creation (or since last use if extend_when_used
    /// is true) expressed in seconds. The token will never expire if not specified
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub(crate) max_age_seconds: Option<i64>,

    /// Extend token expiration time when token is used. Only applicable if max_age_seconds
    /// is specified
    #[arg(long)]
    pub(crate) extend_when_used: bool,

    /// IP allowlist for the token. Can be specified multiple times to add multiple IPs or
    /// CIDRs
    #[arg(long = "ip-allowlist", value_name = "CIDR", value_parser = parse_cidr)]
    pub(crate) ip_allowlist: Vec<String>,

    /// Scopes for the token. Can be specified multiple times to add multiple scopes
    #[arg(long = "scopes", visible_alias = "scope", value_name = "SCOPE")]
    pub(crate) scopes: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct AppTokenListArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User ID
    pub(crate) user_id: String,

    /// Show more details
    #[arg(long)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct AppTokenInfoArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Show more details
    #[arg(long)]
    pub(crate) verbose: bool,

    /// Application User ID
    pub(crate) user_id: String,

    /// Token prefix to get info for
    pub(crate) token_prefix: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppTokenRevokeArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    #[command(flatten)]
    pub(crate) force: AvnForce,

    /// Application User ID
    pub(crate) user_id: String,

    /// Token prefix to delete
    pub(crate) token_prefix: String,
}

/// What `audit` looks for in each token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Finding {
    /// No expiry time at all
    NeverExpires,
    /// Expires within --expiring-within (or has already expired)
    ExpiresSoon,
    /// Created more than a day ago and never used
    NeverUsed,
    /// Not used for --unused-for
    Unused,
    /// No IP allowlist: usable from anywhere (a --strict check)
    NoIpAllowlist,
    /// No scopes: full access (a --strict check)
    Unscoped,
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[command(flatten)]
    pub(crate) owner: OwnerArgs,

    /// Report tokens that expire within this long
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "14d")]
    pub(crate) expiring_within: Duration,

    /// Report tokens not used for this long
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "90d")]
    pub(crate) unused_for: Duration,

    /// Also report tokens without an IP allowlist and tokens without scopes
    #[arg(long)]
    pub(crate) strict: bool,

    /// Exit with status 5 only for these findings (comma-separated; default: any finding).
    /// Naming a --strict finding here also checks for it
    #[arg(long, value_enum, value_delimiter = ',', value_name = "FINDINGS")]
    pub(crate) fail_on: Vec<Finding>,

    /// Show every token, not only those with findings
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// Description of how the token will be used
    #[arg(long)]
    pub(crate) description: String,

    /// Maximum age of the token in seconds, after which it expires (server default: 30 days)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub(crate) max_age_seconds: Option<i64>,

    /// Maximum age as a duration: 90m, 12h, 30d, 1w (alternative to --max-age-seconds)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "max_age_seconds")]
    pub(crate) expires_in: Option<Duration>,

    /// Extend the token's expiry time when used (only applies if it expires)
    #[arg(long)]
    pub(crate) extend_when_used: bool,

    /// Restrict the token to a scope (repeatable)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub(crate) scopes: Vec<String>,

    /// Allow the token only from this address or CIDR range, IPv4 or IPv6 (repeatable)
    #[arg(long = "ip-allowlist", value_name = "CIDR", value_parser = parse_cidr)]
    pub(crate) ip_allowlist: Vec<String>,

    /// Print only the full token and a newline
    #[arg(short, long)]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct InfoArgs {
    /// The full token or token prefix identifying the token
    pub(crate) token_prefix: String,

    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The full token or token prefix identifying the token to update
    pub(crate) token_prefix: String,

    /// Description of how the token will be used
    #[arg(long)]
    pub(crate) description: String,

    /// Accepted only to say why it cannot work: the API cannot update application tokens
    #[arg(long, value_name = "USER", hide = true)]
    pub(crate) app_user: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    /// The full token or token prefix identifying the token to revoke
    pub(crate) token_prefix: String,

    /// Revoke even the token this command authenticates with
    #[arg(long)]
    pub(crate) force: bool,

    /// Do not ask for confirmation on a terminal
    #[arg(short, long)]
    pub(crate) yes: bool,

    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RotateArgs {
    /// The full token or token prefix identifying the token to replace
    pub(crate) token_prefix: String,

    /// Description for the new token (default: the old token's)
    #[arg(long)]
    pub(crate) description: Option<String>,

    /// Rotate even the token this command authenticates with
    #[arg(long)]
    pub(crate) force: bool,

    /// Do not ask for confirmation on a terminal
    #[arg(short, long)]
    pub(crate) yes: bool,

    /// Print only the new full token and a newline
    #[arg(short, long)]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ExpireAllArgs {
    /// Do not ask for confirmation on a terminal
    #[arg(short, long)]
    pub(crate) yes: bool,
}

#[derive(Debug, Args)]
pub(crate) struct LoginArgs {}

#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    /// Only remove the credentials file; do not revoke the stored token
    #[arg(long)]
    pub(crate) no_token_revoke: bool,
}

#[derive(Debug, Clone, Args)]
pub(crate) struct SandboxArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub(crate) listen: SocketAddr,

    /// Use this bootstrap token instead of a random one (for reproducible CI)
    #[arg(long, value_name = "VALUE")]
    pub(crate) token: Option<Secret>,

    /// Keep tokens in this JSON file across restarts (written atomically)
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,

    /// Run the command after `--` with AIVEN_WEB_URL and AIVEN_AUTH_TOKEN set (and this
    /// avn-token first on PATH), then stop the sandbox and exit with the command's status
    #[arg(long, requires = "command")]
    pub(crate) exec: bool,

    /// The command for --exec, and its arguments
    #[arg(last = true, value_name = "CMD", requires = "exec")]
    pub(crate) command: Vec<OsString>,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// Seconds as a positive decimal number (`2`, `0.5`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let duration = parse_budget(text)?;
    if duration.is_zero() {
        return Err(format!("`{text}` must be more than 0 seconds"));
    }
    Ok(duration)
}

/// Seconds as a decimal number from 0 (`0`, `2`, `0.5`) up to a year.
fn parse_budget(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !seconds.is_finite() || !(0.0..=86_400.0 * 365.0).contains(&seconds) {
        return Err(format!(
            "`{text}` must be between 0 and one year of seconds"
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Human durations: `90m`, `12h`, `30d`, `1w`, `1h30m` (humantime's grammar), whole seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|e| format!("`{text}` is not a duration like 90m, 12h, 30d or 1w: {e}"))?;
    if duration.as_secs() == 0 {
        return Err(format!("`{text}` must be at least one second"));
    }
    if duration.subsec_nanos() != 0 {
        return Err(format!("`{text}` must be a whole number of seconds"));
    }
    if duration.as_secs() > i64::MAX as u64 {
        return Err(format!("`{text}` is too long"));
    }
    Ok(duration)
}

/// A yes/no answer read as `avn` reads them (`is_truthy`, for `AIVEN_FORCE` and its
/// confirmation questions): `y`, `yes`, `t`, `true`, `1` or `ok` in any case is yes,
/// anything else (`" y"` included) no.
pub(crate) fn avn_truthy(text: &str) -> bool {
    matches!(
        text.to_lowercase().as_str(),
        "y" | "yes" | "t" | "true" | "1" | "ok"
    )
}

fn parse_avn_truthy(text: &str) -> Result<bool, String> {
    Ok(avn_truthy(text))
}

/// An IPv4/IPv6 address or CIDR range, normalised to its canonical text (`10.0.0.0/8`).
/// Host bits (`10.0.0.1/8`) are refused as the typo they most likely are.
fn parse_cidr(text: &str) -> Result<String, String> {
    let text = text.trim();
    match facts::parse_ip_network(text) {
        Some(net) if net.trunc() != net => Err(format!(
            "`{text}` has host bits set; did you mean {}?",
            net.trunc()
        )),
        Some(net) if text.contains('/') => Ok(net.to_string()),
        Some(net) => Ok(net.addr().to_string()),
        None => Err(format!(
            "`{text}` is not an IP address or CIDR range (e.g. 203.0.113.0/24, 2001:db8::/32)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43200)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(2_592_000)));
        assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("1.5s").is_err());
    }

    #[test]
    fn cidrs() {
        assert_eq!(parse_cidr("10.0.0.0/8").as_deref(), Ok("10.0.0.0/8"));
        assert_eq!(parse_cidr("192.0.2.1").as_deref(), Ok("192.0.2.1"));
        assert_eq!(parse_cidr("2001:db8::/32").as_deref(), Ok("2001:db8::/32"));
        assert_eq!(parse_cidr("::1").as_deref(), Ok("::1"));
        assert!(parse_cidr("10.0.0.1/8").is_err());
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("300.0.0.1").is_err());
        assert!(parse_cidr("example.com").is_err());
    }
}
