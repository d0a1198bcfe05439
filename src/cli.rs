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

use anstream::adapter::WinconBytes;
use clap::builder::styling::{AnsiColor, Effects, Style, Styles};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::diag;
use crate::env_vars::EnvVars;
use crate::facts;
use crate::secret::Secret;

pub mod argv;
pub mod tips;

/// Where the API is when neither `--url` nor `AIVEN_WEB_URL` says (what `avn` uses).
pub const DEFAULT_API_URL: &str = "https://api.aiven.io";

const ABOUT: &str =
    "Manage Aiven personal access tokens: a fast drop-in for `avn user access-token`";

/// Shown under the top-level `--help` only: subcommands point here for the global options.
/// A paragraph is one line here: clap wraps it at the help's width.
pub(crate) const TOP_LEVEL_NOTES: &str = "\
Output of create, list, update and revoke is byte-identical to `avn user access-token` \
(aiven-client), so scripts written for `avn` keep working. `avn-token COMMAND --help` shows a \
command's own options and examples.

Try it offline with the built-in sandbox (a local Aiven-compatible API):
  avn-token sandbox --exec -- sh -c 'avn-token create --description demo && avn-token list'";

/// The parser, with the top-level help's epilogue: the notes, then `exit_codes` (the table
/// `crate::exit` keeps; `main` passes it in, so the argument tree does not depend on how
/// errors become exit codes).
///
/// The program is named `avn-token` in usage lines and errors whatever it was started as:
/// clap would take the name from `argv[0]`, which is `avn-token.exe` on Windows.
pub fn parser(exit_codes: &str) -> clap::Command {
    Cli::command()
        .bin_name("avn-token")
        .after_help(format!("{TOP_LEVEL_NOTES}\n\n{exit_codes}"))
}

/// [`parser`] for this terminal: the exit codes laid out by `exit_codes(width)` for the
/// width the help is wrapped at, and clap told to wrap at that same width. clap wraps
/// every line of the epilogue again at its own width, indenting a line's rest only by its
/// leading spaces: a table laid out for another width came out broken and misaligned.
pub fn parser_for_terminal(exit_codes: impl FnOnce(usize) -> String) -> clap::Command {
    let width = help_width();
    parser(&exit_codes(width)).term_width(width)
}

/// The columns help is wrapped to: `COLUMNS`, else the terminal's width (the rule `-o
/// pretty` follows), at most [`HELP_MAX_WIDTH`], and that when neither says.
fn help_width() -> usize {
    let from_env = std::env::var(EnvVars::COLUMNS)
        .ok()
        .and_then(|value| value.trim().parse::<u16>().ok())
        .filter(|&width| width > 0);
    let terminal = || {
        terminal_size::terminal_size()
            .map(|(terminal_size::Width(width), _)| width)
            .filter(|&width| width > 0)
    };
    from_env.or_else(terminal).map_or(HELP_MAX_WIDTH, |width| {
        usize::from(width).min(HELP_MAX_WIDTH)
    })
}

/// The widest help is laid out, however wide the terminal: longer lines are hard to read.
const HELP_MAX_WIDTH: usize = 100;

/// Help and usage errors in cargo's (and uv's) colours. clap writes help through
/// anstream, which keeps them to a terminal and honours `NO_COLOR` (see `diag`).
const STYLES: Styles = Styles::styled()
    .header(AnsiColor::Green.on_default().effects(Effects::BOLD))
    .usage(AnsiColor::Green.on_default().effects(Effects::BOLD))
    .literal(AnsiColor::Cyan.on_default().effects(Effects::BOLD))
    .placeholder(AnsiColor::Cyan.on_default())
    .error(diag::ERROR)
    .valid(AnsiColor::Cyan.on_default().effects(Effects::BOLD))
    .invalid(AnsiColor::Yellow.on_default().effects(Effects::BOLD));

/// A usage error as the one line every error is (it goes to `diag::error_styled`, which
/// adds `error: `): clap's message with its details (the arguments that are missing, the
/// possible values, a tip) on that line, and, when clap names the command in a usage line,
/// where its help is. clap's own rendering spreads this over five lines. The pieces keep
/// clap's styles (the refused argument, the valid values), shown on a terminal only.
pub fn usage_error_line(error: &clap::Error) -> Vec<(Style, String)> {
    // clap's rendering with its styles, read back into styled characters: any escape
    // sequence that is not a colour (say, in an argument as typed) is dropped here.
    let rendered = error.render().ansi().to_string();
    let styled: Vec<(Style, char)> = WinconBytes::new()
        .extract_next(rendered.as_bytes())
        .flat_map(|(style, text)| text.chars().map(move |c| (style, c)).collect::<Vec<_>>())
        .collect();
    let mut parts: Vec<Vec<(Style, char)>> = Vec::new();
    let mut help = Vec::new();
    for block in blocks(&styled) {
        let flat = one_line(block);
        let text = plain(&flat);
        if let Some(usage) = text.strip_prefix("Usage: ") {
            let command: Vec<&str> = usage
                .split(' ')
                .take_while(|word| !word.starts_with(['-', '[', '<']))
                .collect();
            let literal = STYLES.get_literal();
            help = vec![
                (Style::new(), " (see `".to_owned()),
                (*literal, format!("{} --help", command.join(" "))),
                (Style::new(), "`)".to_owned()),
            ];
        } else if !text.is_empty() && !text.starts_with("For more information") {
            parts.push(flat);
        }
    }
    let mut message: Vec<(Style, char)> = Vec::new();
    for (index, part) in parts.into_iter().enumerate() {
        if index > 0 {
            message.extend("; ".chars().map(|c| (Style::new(), c)));
        }
        message.extend(part);
    }
    if plain(&message).starts_with("error: ") {
        message.drain(.."error: ".len());
    }
    let mut line = pieces(&message);
    line.extend(help);
    line
}

/// `styled` cut at each blank line (`\n\n`), as clap separates the parts of an error.
fn blocks(styled: &[(Style, char)]) -> Vec<&[(Style, char)]> {
    let mut blocks = Vec::new();
    let (mut start, mut index) = (0, 0);
    while index + 1 < styled.len() {
        if styled[index].1 == '\n' && styled[index + 1].1 == '\n' {
            blocks.push(&styled[start..index]);
            index += 2;
            start = index;
        } else {
            index += 1;
        }
    }
    blocks.push(&styled[start..]);
    blocks
}

/// The words of `block` joined by single spaces, each keeping its style.
fn one_line(block: &[(Style, char)]) -> Vec<(Style, char)> {
    let mut line = Vec::new();
    for word in block
        .split(|(_, c)| c.is_whitespace())
        .filter(|word| !word.is_empty())
    {
        if !line.is_empty() {
            line.push((Style::new(), ' '));
        }
        line.extend_from_slice(word);
    }
    line
}

fn plain(styled: &[(Style, char)]) -> String {
    styled.iter().map(|(_, c)| c).collect()
}

/// Styled characters as runs of one style each.
fn pieces(styled: &[(Style, char)]) -> Vec<(Style, String)> {
    let mut pieces: Vec<(Style, String)> = Vec::new();
    for &(style, c) in styled {
        match pieces.last_mut() {
            Some((last, text)) if *last == style => text.push(c),
            _ => pieces.push((style, c.to_string())),
        }
    }
    pieces
}

/// `avn-token`: manage Aiven personal access tokens.
#[derive(Debug, Parser)]
#[command(
    name = "avn-token",
    version,
    about = ABOUT,
    styles = STYLES,
    max_term_width = HELP_MAX_WIDTH,
    // As avn's parser (argparse): an option given twice takes its last value.
    args_override_self = true,
    // Long options cut short (`--desc`) are resolved by `argv::normalize` before clap, as
    // argparse resolves them, so clap's own inference is left off.
    arg = avn_only_option("config", "FILE"),
    arg = avn_only_option("idle-timeout", "SECS").value_parser(clap::value_parser!(f64)),
    arg = avn_only_option("max-age", "SECS").value_parser(clap::value_parser!(f64)),
)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// One of avn's global options that mean nothing here, accepted (and not shown) so that an
/// `avn` command line runs as it is: `--config` (avn's settings file: the commands mirrored
/// here read nothing from it) and `--idle-timeout` / `--max-age` (the lifetime of pooled
/// connections, which a one-shot client does not keep). Before the subcommand only, as in
/// avn: after it, `--max-age` is a cut-short `--max-age-seconds` to argparse.
fn avn_only_option(name: &'static str, value_name: &'static str) -> clap::Arg {
    clap::Arg::new(name)
        .long(name)
        .value_name(value_name)
        .hide(true)
        .allow_negative_numbers(true)
}

/// Options accepted by every command, before or after the subcommand name.
///
/// Every subcommand's help lists them too, so each is one short line: the details are in the
/// README and the man page. The environment fallbacks (`AIVEN_WEB_URL`, `AIVEN_CA_CERT`) are
/// read by `Config::resolve`, not by clap: clap would show `[env: AIVEN_CA_CERT=]` when the
/// variable is unset, and list an option whose variable is set as required in usage errors.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    #[arg(long, global = true, value_name = "URL",
          help = format!("API base URL [env: {}] [default: {DEFAULT_API_URL}]", EnvVars::AIVEN_WEB_URL))]
    pub(crate) url: Option<String>,

    #[arg(long, global = true, value_name = "TOKEN",
          help = format!("API token [env: {}; default: the credentials file]", EnvVars::AIVEN_AUTH_TOKEN))]
    pub(crate) auth_token: Option<Secret>,

    #[arg(long, global = true, value_name = "FILE",
          help = format!("CA bundle (PEM) to verify HTTPS with [env: {}]", EnvVars::AIVEN_CA_CERT))]
    pub(crate) auth_ca: Option<PathBuf>,

    #[arg(long, global = true,
          help = format!("Trust the system's certificate store [env: {}=1]", EnvVars::AVN_TOKEN_SYSTEM_CA))]
    pub(crate) system_ca: bool,

    /// Seconds each API call may take (default: 60 for a command's calls)
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) request_timeout: Option<Duration>,

    /// Seconds all of a command's API calls may take (default 60)
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_seconds,
          conflicts_with = "request_timeout")]
    pub(crate) deadline: Option<Duration>,

    /// Give up retrying after this many seconds (default 15; 0: never)
    #[arg(long, global = true, value_name = "SECS", value_parser = parse_budget, default_value = "15", hide_default_value = true)]
    pub(crate) retry_budget: Duration,

    /// Print each HTTP request and response to stderr, tokens redacted
    #[arg(long, global = true)]
    pub(crate) show_http: bool,

    /// Allow plain http:// to a host that is not this machine
    #[arg(long, global = true)]
    pub(crate) allow_insecure_http: bool,

    // The values are listed by hand: clap would show their descriptions, which turns every
    // command's help into the long, three-lines-per-option layout.
    #[arg(short = 'o', long, global = true, value_enum, value_name = "FORMAT", hide_possible_values = true,
          help = format!("table|json|csv|yaml|pretty [env on a terminal: {}]", EnvVars::AVN_TOKEN_OUTPUT))]
    pub(crate) output: Option<OutputFormat>,

    /// JSON output, as `avn --json` prints it (= -o json)
    #[arg(long, global = true, conflicts_with = "output")]
    pub(crate) json: bool,

    /// Tables with relative times (`in 3 days`) and the token in use marked
    #[arg(long, global = true)]
    pub(crate) relative: bool,
}

impl GlobalArgs {
    /// The output format the command line asks for (`--output`, or its `--json` alias), if
    /// any; `output::Printer` falls back to `AVN_TOKEN_OUTPUT` on a terminal, then the table.
    pub(crate) fn output_format(&self) -> Option<OutputFormat> {
        match (self.json, self.output) {
            (true, _) => Some(OutputFormat::Json),
            (false, format) => format,
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
    /// A table for people: fits the terminal, relative times, expiry highlighted
    Pretty,
}

impl OutputFormat {
    /// Whether this is a table, which `--relative` applies to (the other formats are data
    /// for programs, with the API's own times).
    pub(crate) fn is_table(self) -> bool {
        matches!(self, OutputFormat::Table | OutputFormat::Pretty)
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new access token (prints the full token once)
    #[command(after_help = "Examples:
  avn-token create --description \"To be used with Python Notebooks\"
  avn-token create --description ci --max-age-seconds 3600 --extend-when-used
  # In a script, assign, then export (`export X=$(...)` would hide a failed create):
  token=$(avn-token create --description ci --expires-in 1h -q)
  export AIVEN_AUTH_TOKEN=\"$token\"")]
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
    #[command(after_help = "Examples:
  avn-token expire-all                 # asks first on a terminal
  avn-token expire-all --yes && avn-token login")]
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

    /// Store a token in the credentials file `avn` uses (read from stdin, a prompt or
    /// --auth-token)
    #[command(after_help = "Examples:
  avn-token login                      # prompts, without echo
  printf '%s' \"$TOKEN\" | avn-token login
  avn-token login --auth-token \"$TOKEN\"  # visible in `ps` and shell history while it runs")]
    Login(LoginArgs),

    /// Revoke the stored token and remove the credentials file
    #[command(after_help = "Examples:
  avn-token logout
  avn-token logout --no-token-revoke   # keep the token valid, forget it here")]
    Logout(LogoutArgs),

    /// Run a local, offline Aiven-compatible access-token API
    #[command(
        after_help = "It prints the variables that point avn-token and avn at it (and its process ID),
then serves until stopped.

Examples:
  avn-token sandbox --exec -- ./my-ci-script.sh
  avn-token sandbox --exec -- sh -c 'avn-token create --description demo && avn-token list'
  avn-token sandbox --state sandbox.json --token my-fixed-token   # paste its lines elsewhere
  avn-token sandbox --shell cmd                                   # set lines for cmd.exe

  # In the background of a POSIX shell, its variables applied once it serves:
  eval \"$(avn-token sandbox --state sandbox.json &)\"
  avn-token list
  kill \"$AVN_TOKEN_SANDBOX_PID\"                                   # stops it, saving its state"
    )]
    Sandbox(SandboxArgs),

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    #[command(after_help = "Examples:
  avn-token completions bash > ~/.local/share/bash-completion/completions/avn-token
  avn-token completions zsh > ~/.zfunc/_avn-token
  avn-token completions fish > ~/.config/fish/completions/avn-token.fish")]
    Completions(CompletionsArgs),

    /// Print the man page (roff), or write it and one page per command into a directory
    #[command(after_help = "Examples:
  avn-token man > ~/.local/share/man/man1/avn-token.1
  avn-token man --dir ~/.local/share/man/man1 && man avn-token-create")]
    Man(ManArgs),

    /// Print the version; with --verbose, also the commit, build date and target
    #[command(after_help = "Examples:
  avn-token version              # as --version, one line: avn-token X.Y.Z
  avn-token version --verbose    # for a bug report")]
    Version(VersionArgs),

    /// `avn`'s spelling of the same commands: `avn-token user access-token list` is
    /// `avn-token list`, and `user tokens-expire` is `expire-all`, so a script can swap the
    /// program name and keep its arguments.
    #[command(hide = true)]
    User {
        #[command(subcommand)]
        command: UserCommand,
    },

    /// What the completion scripts (`completions`) ask when a word is a token prefix, an
    /// application user or an organization: only the API knows those.
    #[command(name = "__complete", hide = true)]
    Complete(CompleteArgs),
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
    #[command(after_help = "Example:
  avn-token application-user create --name ci-bot")]
    Create(AppUserCreateArgs),
    /// List application users for an organization
    #[command(after_help = "Example:
  avn-token application-user list --organization-id org1234abcd --json")]
    List(AppUserListArgs),
    /// Get profile information for an application user
    #[command(after_help = "Example:
  avn-token application-user info u1234abcd")]
    Info(AppUserInfoArgs),
    /// Update the profile information for an application user
    #[command(after_help = "Example:
  avn-token application-user update u1234abcd --name deployer")]
    Update(AppUserUpdateArgs),
    /// Permanently delete an application user
    #[command(after_help = "Example:
  avn-token application-user delete u1234abcd --force")]
    Delete(AppUserDeleteArgs),
    /// Manage an application user's tokens
    #[command(after_help = "Example:
  avn-token application-user token list u1234abcd --verbose")]
    Token {
        #[command(subcommand)]
        command: AppTokenCommand,
    },
}

/// `avn application-user token ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum AppTokenCommand {
    /// Creates a token for an application user
    #[command(after_help = "Example:
  avn-token application-user token create u1234abcd --description ci --max-age-seconds 86400")]
    Create(AppTokenCreateArgs),
    /// List all tokens for an application user
    #[command(after_help = "Example:
  avn-token application-user token list u1234abcd --json")]
    List(AppTokenListArgs),
    /// Show info on the specified token for an application user
    #[command(after_help = "Example:
  avn-token application-user token info u1234abcd 6JsKDclT3OMQ")]
    Info(AppTokenInfoArgs),
    /// Permanently revoke the specified token for the application user
    #[command(after_help = "Example:
  avn-token application-user token revoke u1234abcd 6JsKDclT3OMQ --force")]
    Revoke(AppTokenRevokeArgs),
}

/// Which organization: `avn` requires `--organization-id`; here it may also come from the
/// environment or, when you belong to exactly one organization, from the API.
#[derive(Debug, Clone, Args)]
pub(crate) struct OrganizationArg {
    /// Organization identifier (default: the one organization you belong to)
    #[arg(long, value_name = "ORG_ID", env = EnvVars::AIVEN_ORGANIZATION_ID, hide_env_values = true)]
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
    #[arg(value_parser = parse_user_id)]
    pub(crate) user_id: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppUserUpdateArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User ID
    #[arg(value_parser = parse_user_id)]
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
    #[arg(value_parser = parse_user_id)]
    pub(crate) user_id: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppTokenCreateArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    /// Application User ID
    #[arg(value_parser = parse_user_id)]
    pub(crate) user_id: String,

    /// Token description
    #[arg(long)]
    pub(crate) description: String,

    /// Time the token remains valid since creation (or since last use if extend_when_used
    /// is true) expressed in seconds. The token will never expire if not specified
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_app_max_age_seconds)]
    pub(crate) max_age_seconds: Option<i64>,

    /// Extend token expiration time when token is used. Only applicable if max_age_seconds
    /// is specified
    #[arg(long)]
    pub(crate) extend_when_used: bool,

    /// IP allowlist for the token. Can be specified multiple times to add multiple IPs or
    /// CIDRs
    #[arg(long = "ip-allowlist", value_name = "CIDR", value_parser = check_cidr)]
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
    #[arg(value_parser = parse_user_id)]
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
    #[arg(value_parser = parse_user_id)]
    pub(crate) user_id: String,

    /// Token prefix to get info for
    #[arg(value_parser = parse_token_prefix)]
    pub(crate) token_prefix: String,
}

#[derive(Debug, Args)]
pub(crate) struct AppTokenRevokeArgs {
    #[command(flatten)]
    pub(crate) organization: OrganizationArg,

    #[command(flatten)]
    pub(crate) force: AvnForce,

    /// Application User ID
    #[arg(value_parser = parse_user_id)]
    pub(crate) user_id: String,

    /// Token prefix to delete
    #[arg(value_parser = parse_token_prefix)]
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

    /// Exit with status 5 only for these findings, comma-separated (default: any finding):
    /// never-expires, expires-soon, never-used, unused, no-ip-allowlist, unscoped. Naming a
    /// --strict finding here also checks for it
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "FINDINGS",
        hide_possible_values = true
    )]
    pub(crate) fail_on: Vec<Finding>,

    /// Show every token, not only those with findings
    #[arg(long)]
    pub(crate) all: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// Description of how the token will be used
    #[arg(long, value_parser = parse_description)]
    pub(crate) description: String,

    /// Maximum age of the token in seconds, after which it expires (server default: 30 days)
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = parse_max_age_seconds)]
    pub(crate) max_age_seconds: Option<i64>,

    /// Maximum age as a duration: 90m, 12h, 30d, 2w, 1y (instead of --max-age-seconds)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "max_age_seconds")]
    pub(crate) expires_in: Option<Duration>,

    /// Extend the token's expiry time when used (only applies if it expires)
    #[arg(long)]
    pub(crate) extend_when_used: bool,

    /// Restrict the token to a scope, e.g. user:read, projects:write, all (repeatable)
    #[arg(long = "scope", value_name = "SCOPE", value_parser = parse_scope)]
    pub(crate) scopes: Vec<String>,

    /// Allow the token only from this address or CIDR range, IPv4 or IPv6 (repeatable)
    #[arg(long = "ip-allowlist", value_name = "CIDR", value_parser = parse_cidr)]
    pub(crate) ip_allowlist: Vec<String>,

    /// Print only the full token and a newline
    #[arg(short, long, conflicts_with_all = ["output", "json", "relative"])]
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
    #[arg(value_parser = parse_token_prefix)]
    pub(crate) token_prefix: String,

    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct UpdateArgs {
    /// The full token or token prefix identifying the token to update
    #[arg(value_parser = parse_token_prefix)]
    pub(crate) token_prefix: String,

    /// Description of how the token will be used
    #[arg(long, value_parser = parse_description)]
    pub(crate) description: String,

    /// Accepted only to say why it cannot work: the API cannot update application tokens
    #[arg(long, value_name = "USER", hide = true)]
    pub(crate) app_user: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct RevokeArgs {
    /// The full token or token prefix identifying the token to revoke
    #[arg(value_parser = parse_token_prefix)]
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
    #[arg(value_parser = parse_token_prefix)]
    pub(crate) token_prefix: String,

    /// Description for the new token (default: the old token's)
    #[arg(long, value_parser = parse_description)]
    pub(crate) description: Option<String>,

    /// Rotate even the token this command authenticates with
    #[arg(long)]
    pub(crate) force: bool,

    /// Do not ask for confirmation on a terminal
    #[arg(short, long)]
    pub(crate) yes: bool,

    /// Print only the new full token and a newline
    #[arg(short, long, conflicts_with_all = ["output", "json", "relative"])]
    pub(crate) quiet: bool,

    #[command(flatten)]
    pub(crate) owner: OwnerArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ExpireAllArgs {
    /// Do not ask for confirmation on a terminal
    #[arg(short, long)]
    pub(crate) yes: bool,

    // avn's `-v/--verbose` (`user tokens-expire`), accepted by both spellings of the command,
    // as avn's other options are; its output has nothing more to show.
    #[arg(short, long, hide = true)]
    verbose: bool,
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
    #[arg(long, value_name = "VALUE", value_parser = parse_bootstrap_token)]
    pub(crate) token: Option<Secret>,

    /// Keep tokens in this JSON file across restarts (written atomically)
    #[arg(long, value_name = "FILE")]
    pub(crate) state: Option<PathBuf>,

    /// Run the command after `--` against the sandbox, then stop it and exit with the
    /// command's status. The command gets AIVEN_WEB_URL and AIVEN_AUTH_TOKEN; a PATH that
    /// starts with a directory holding only this avn-token; and Aiven settings of its own
    /// (AIVEN_CONFIG_DIR, AIVEN_CREDENTIALS_FILE, AIVEN_CLIENT_CONFIG point into a private
    /// directory removed afterwards, whatever they were: `avn-token login`/`logout` or `avn
    /// user login` in it never touch your real credentials, nor send your real token)
    #[arg(long, requires = "command")]
    pub(crate) exec: bool,

    /// Set a variable for --exec's command, after the sandbox's own (repeatable); e.g.
    /// `--env AIVEN_CONFIG_DIR=./fixtures` to use credentials files you prepared
    #[arg(long = "env", value_name = "NAME=VALUE", value_parser = parse_assignment, requires = "exec")]
    pub(crate) env: Vec<(String, OsString)>,

    /// The command for --exec, and its arguments
    #[arg(last = true, value_name = "CMD", requires = "exec")]
    pub(crate) command: Vec<OsString>,

    /// Print the variables for this shell: posix (sh, bash, zsh: export), powershell
    /// ($env:), cmd (set) [default: powershell on Windows, else posix]
    #[arg(
        long,
        value_enum,
        value_name = "SHELL",
        conflicts_with = "exec",
        hide_possible_values = true
    )]
    pub(crate) shell: Option<ExportShell>,

    /// Connections served at once; more wait to be accepted [default: 1024, fewer under a
    /// low `ulimit -n`]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) max_connections: Option<u16>,

    /// Seconds a client may take to send a request's headers or its body, or stall reading
    /// an answer; also how long a connection stays open idle, or without a request that
    /// carries a valid token [default: 30]
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) client_timeout: Option<Duration>,
}

/// The shells `sandbox` prints its variables for (`--shell`'s help names them: no doc
/// comments on the variants, which would turn `sandbox --help` into its long form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportShell {
    // sh, bash, zsh, dash: `export NAME='VALUE'`
    Posix,
    // PowerShell: `$env:NAME = 'VALUE'`
    Powershell,
    // cmd.exe: `set "NAME=VALUE"`
    Cmd,
}

/// `NAME=VALUE` for `sandbox --env`: the name is what is before the first `=`.
fn parse_assignment(text: &str) -> Result<(String, OsString), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.into())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write avn-token.1 and one page per command (avn-token-create.1, ...) into DIR
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

/// `avn-token [--deadline SECS] __complete [--line] -- WORDS...`: the command line being
/// completed, its last word the one under the cursor (`""` after a space).
#[derive(Debug, Args)]
pub(crate) struct CompleteArgs {
    /// WORDS is one line of shell text to split (bash's `COMP_LINE` up to the cursor)
    #[arg(long)]
    pub(crate) line: bool,

    /// The words of the command line, program name first
    #[arg(last = true, value_name = "WORDS")]
    pub(crate) words: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct VersionArgs {
    /// Also print the commit, build date and target (one `name: value` line each)
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
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

/// The units `--expires-in` accepts, each with the names it may be written with. A year
/// is 365 days and a month is not offered: neither has one length in the calendar, and a
/// token's maximum age is a number of seconds.
const DURATION_UNITS: [(&[&str], u64); 6] = [
    (&["s", "sec", "secs", "second", "seconds"], 1),
    (&["m", "min", "mins", "minute", "minutes"], 60),
    (&["h", "hour", "hours"], 3_600),
    (&["d", "day", "days"], 86_400),
    (&["w", "week", "weeks"], 7 * 86_400),
    (&["y", "year", "years"], 365 * 86_400),
];

/// Human durations: `90m`, `12h`, `30d`, `2w`, `1y`, `1h30m`, `2 weeks`: whole numbers, each
/// followed by a unit of [`DURATION_UNITS`]. The API's range for the result is checked by
/// `create`, which knows it; here only what cannot be a duration at all is refused.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let units_help = "units: s (seconds), m (minutes), h (hours), d (days), w (weeks), \
                      y (years of 365 days); e.g. 90m, 12h, 30d, 1y, 1h30m";
    let not_a_duration = || format!("`{text}` is not a duration; {units_help}");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(not_a_duration());
    }
    let mut seconds: u64 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(not_a_duration());
        }
        let (number, after) = rest.split_at(digits);
        let after = after.trim_start();
        let unit_len = after
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        // Units are read case-insensitively, except `M`: months in humantime and systemd,
        // minutes here. Refused rather than guessed.
        if unit == "M" {
            return Err(format!(
                "`{text}`: `M` could mean minutes or months; write m for minutes \
                 (months are not offered: use d, w or y)"
            ));
        }
        let Some(&(_, size)) = DURATION_UNITS
            .iter()
            .find(|(names, _)| names.contains(&unit.to_ascii_lowercase().as_str()))
        else {
            return Err(if unit.is_empty() {
                format!("`{text}` needs a unit after {number}; {units_help}")
            } else {
                format!("`{text}`: unknown unit `{unit}`; {units_help}")
            });
        };
        let too_long = || format!("`{text}` is far longer than any token can live");
        let count: u64 = number.parse().map_err(|_| too_long())?;
        seconds = count
            .checked_mul(size)
            .and_then(|part| seconds.checked_add(part))
            .filter(|&total| total <= i64::MAX as u64)
            .ok_or_else(too_long)?;
        rest = after.trim_start();
    }
    if seconds == 0 {
        return Err(format!("`{text}` must be at least one second"));
    }
    Ok(Duration::from_secs(seconds))
}

/// A token prefix (or full token): never blank, which would turn the token's URL into the
/// collection's (`DELETE /v1/access_token/`).
fn parse_token_prefix(text: &str) -> Result<String, String> {
    non_blank(text, "the token prefix")
}

/// An application user's ID: never blank, for the same reason as [`parse_token_prefix`].
fn parse_user_id(text: &str) -> Result<String, String> {
    non_blank(text, "the application user ID")
}

fn non_blank(text: &str, what: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    Ok(text.to_owned())
}

/// A description the API will accept: not blank, at most [`facts::MAX_DESCRIPTION_CHARS`].
fn parse_description(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("the description must not be blank: say what the token is for".into());
    }
    let chars = text.chars().count();
    if chars > facts::MAX_DESCRIPTION_CHARS {
        return Err(format!(
            "the description is {chars} characters long; the API allows at most {}",
            facts::MAX_DESCRIPTION_CHARS
        ));
    }
    Ok(text.to_owned())
}

/// A scope name as the API spells them: `all`, an area (`projects`), or an area and an
/// access level (`projects:read`); lower-case letters, digits, `_` and `:`-separated parts.
/// Unknown names are left to the API, which knows its current list.
fn parse_scope(text: &str) -> Result<String, String> {
    let part_ok = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if text.len() <= 128 && text.split(':').all(part_ok) {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a scope name; scopes look like all, user, user:read, projects:write"
        ))
    }
}

/// The sandbox's `--token`, checked here so that a bad one is a usage error (exit 2).
fn parse_bootstrap_token(text: &str) -> Result<Secret, String> {
    crate::sandbox::check_bootstrap_token(text).map_err(|error| error.to_string())?;
    Ok(Secret::new(text))
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

/// An integer as `avn` reads one (Python's `int()`): blanks around it, a sign, and `_`
/// between digits (`3_600`) are allowed, so an `avn` command line works as it is.
fn parse_avn_int(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    let well_formed = digits
        .split('_')
        .all(|group| !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        return Err(format!("`{text}` is not a whole number"));
    }
    trimmed
        .replace('_', "")
        .parse::<i64>()
        .map_err(|error| format!("`{text}`: {error}"))
}

/// `create --max-age-seconds`: [`parse_avn_int`]; a duration (`1h`) is pointed at the
/// option that takes one.
fn parse_max_age_seconds(text: &str) -> Result<i64, String> {
    parse_avn_int(text).map_err(|error| match parse_duration(text) {
        Ok(duration) => format!(
            "{error} of seconds; for a duration use --expires-in {} (or --max-age-seconds {})",
            text.trim(),
            duration.as_secs()
        ),
        Err(_) => error,
    })
}

/// `application-user token create --max-age-seconds` (`avn`'s arguments, no `--expires-in`):
/// a duration gets the number to write, and the command that takes a duration.
fn parse_app_max_age_seconds(text: &str) -> Result<i64, String> {
    parse_avn_int(text).map_err(|error| match parse_duration(text) {
        Ok(duration) => format!(
            "{error} of seconds; {} is --max-age-seconds {} (`avn-token create --app-user USER \
             --expires-in {0}` takes a duration)",
            text.trim(),
            duration.as_secs()
        ),
        Err(_) => error,
    })
}

/// `avn`'s `--ip-allowlist` entry: checked as [`parse_cidr`] checks it, then sent as typed,
/// as `avn` sends it (`2001:DB8::/32` is not rewritten).
fn check_cidr(text: &str) -> Result<String, String> {
    parse_cidr(text).map(|_| text.to_owned())
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
        let secs = |text| parse_duration(text).map(|d| d.as_secs());
        assert_eq!(secs("90m"), Ok(5400));
        assert_eq!(secs("12h"), Ok(43200));
        assert_eq!(secs("30d"), Ok(2_592_000));
        assert_eq!(secs("1w"), Ok(604_800));
        assert_eq!(secs("1y"), Ok(365 * 86_400));
        assert_eq!(secs("2 years"), Ok(2 * 365 * 86_400));
        assert_eq!(secs("1h30m"), Ok(5400));
        assert_eq!(secs(" 1h 30min "), Ok(5400));
        assert_eq!(secs("10MIN"), Ok(600));
        assert!(
            parse_duration("10M")
                .unwrap_err()
                .contains("minutes or months")
        );
        for bad in ["0s", "soon", "1.5s", "", "h", "-1h", "1x", "1month", "12"] {
            let error = parse_duration(bad).unwrap_err();
            if bad != "0s" {
                assert!(error.contains("y (years of 365 days)"), "{bad}: {error}");
            }
        }
        for absurd in [
            "99999999999999999999y",
            "300000000000y",
            "18446744073709551615s",
        ] {
            let error = parse_duration(absurd).unwrap_err();
            assert!(error.contains("longer than any token"), "{absurd}: {error}");
        }
    }

    #[test]
    fn descriptions_and_scopes() {
        assert!(parse_description("ci").is_ok());
        assert!(parse_description("   ").unwrap_err().contains("blank"));
        assert!(
            parse_description(&"x".repeat(1001))
                .unwrap_err()
                .contains("1000")
        );
        for good in [
            "all",
            "user",
            "user:read",
            "projects:write",
            "static_ips:read",
        ] {
            assert_eq!(parse_scope(good).as_deref(), Ok(good));
        }
        for bad in ["", "has space", "user:", ":read", "User:Read", "a::b"] {
            assert!(parse_scope(bad).is_err(), "{bad}");
        }
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
