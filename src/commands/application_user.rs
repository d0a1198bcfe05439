//! `avn-token application-user ...`: `avn application-user ...` (aiven-client 4.18.0), with
//! its arguments and, for ASCII data, its stdout byte for byte (`cli.py`:
//! `application_user__*`).
//!
//! Where this differs from `avn`, on purpose:
//! - the organization may also come from `AIVEN_ORGANIZATION_ID` or, when you belong to
//!   exactly one, from the API (`avn` requires `--organization-id`);
//! - `token create --json` prints the "copy and safely store" notice on stderr, so stdout
//!   stays valid JSON (`avn` prints its box on stdout even then);
//! - `delete` and `token revoke` without `--force`: on a terminal the warning and the
//!   question go to stderr; in a pipe, as `avn` does, the answer is one line read from
//!   stdin (`y`, `yes`, `t`, `true`, `1`, `ok`), and an empty stdin (where `avn` crashes on
//!   `EOFError`) fails the command. Stdout gets exactly what `avn` prints (its box and
//!   question included), written once the call has succeeded, so a failure leaves stdout
//!   empty. (Reading a terminal while stderr is redirected, the box and question are shown
//!   on stdout first, as `avn` shows them, so nobody answers an unseen question.)

use std::io::IsTerminal;

use anyhow::Result;

use super::Context;
use super::deliver::deliver;
use super::lookup::find_token;
use super::owner::{Owner, required_organization};
use crate::api::{ApiError, AppUser, NewToken};
use crate::cli::{
    AppTokenCommand, AppTokenCreateArgs, AppTokenInfoArgs, AppTokenListArgs, AppTokenRevokeArgs,
    AppUserDeleteArgs, AppUserUpdateArgs, ApplicationUserCommand, AvnForce, OutputFormat,
    avn_truthy,
};
use crate::diag;
use crate::exit::CommandError;
use crate::output::{Layout, Row};
use crate::secret::visible_prefix;

/// `avn`'s boxed notices, word for word.
const COPY_NOTICE: &str =
    "Copy and safely store the full token value. You cannot get the token later.";
const DELETE_WARNING: &str =
    "Deleting an application user cannot be undone and all associated tokens will be invalidated!";
const REVOKE_WARNING: &str = "Revoking an application user's access token cannot be undone!";

pub(super) async fn run(command: &ApplicationUserCommand, ctx: &Context) -> Result<()> {
    match command {
        ApplicationUserCommand::Create(args) => {
            let organization_id = required_organization(ctx, &args.organization).await?;
            let user = ctx
                .client()?
                .create_app_user(&organization_id, &args.name)
                .await?;
            print_user(ctx, user)
        }
        ApplicationUserCommand::List(args) => {
            let organization_id = required_organization(ctx, &args.organization).await?;
            let users = ctx.client()?.list_app_users(&organization_id).await?;
            let rows: Vec<Row<'_>> = users.iter().map(Row::from).collect();
            Ok(ctx.printer.rows(&rows, Layout::AppUser)?)
        }
        ApplicationUserCommand::Info(args) => {
            let organization_id = required_organization(ctx, &args.organization).await?;
            let user = ctx
                .client()?
                .app_user(&organization_id, &args.user_id)
                .await?;
            print_user(ctx, user)
        }
        ApplicationUserCommand::Update(args) => update(args, ctx).await,
        ApplicationUserCommand::Delete(args) => delete(args, ctx).await,
        ApplicationUserCommand::Token { command } => match command {
            AppTokenCommand::Create(args) => create_token(args, ctx).await,
            AppTokenCommand::List(args) => list_tokens(args, ctx).await,
            AppTokenCommand::Info(args) => token_info(args, ctx).await,
            AppTokenCommand::Revoke(args) => revoke_token(args, ctx).await,
        },
    }
}

fn print_user(ctx: &Context, user: AppUser) -> Result<()> {
    // An empty body reads as `{}`: not an application user to show (`avn --json` prints
    // `{}`; its table fails).
    if user.record().len() == 0 {
        return Err(anyhow::anyhow!(
            "the API answered with an empty object instead of the application user"
        ));
    }
    Ok(ctx.printer.item(&Row::from(&user), Layout::AppUser)?)
}

async fn update(args: &AppUserUpdateArgs, ctx: &Context) -> Result<()> {
    let organization_id = required_organization(ctx, &args.organization).await?;
    let user = ctx
        .client()?
        .update_app_user(&organization_id, &args.user_id, &args.name)
        .await?;
    print_user(ctx, user)
}

async fn delete(args: &AppUserDeleteArgs, ctx: &Context) -> Result<()> {
    let organization_id = required_organization(ctx, &args.organization).await?;
    let confirmation = Confirmation {
        force: &args.force,
        warning: DELETE_WARNING,
        question: format!("Delete application user {}?", args.user_id),
        avn_question: "Confirm delete (y/N)?",
    };
    let asked = confirmation.ask(ctx).await?;
    ctx.client()?
        .delete_app_user(&organization_id, &args.user_id)
        .await?;
    confirmation.print_done(ctx, asked)?;
    ctx.printer.line(&format!(
        "Application user {} deleted successfully.",
        args.user_id
    ))?;
    Ok(())
}

async fn create_token(args: &AppTokenCreateArgs, ctx: &Context) -> Result<()> {
    // `avn`'s rule, checked before anything is sent (0 counts as no maximum age, as there).
    if args.extend_when_used && args.max_age_seconds.unwrap_or(0) == 0 {
        return Err(CommandError::Usage(
            "extend_when_used can only be used if max_age_seconds is specified".into(),
        )
        .into());
    }
    let organization_id = required_organization(ctx, &args.organization).await?;
    let new = NewToken {
        description: args.description.clone(),
        max_age_seconds: args.max_age_seconds,
        extend_when_used: args.extend_when_used,
        scopes: args.scopes.clone(),
        ip_allowlist: args.ip_allowlist.clone(),
    };
    let token = ctx
        .client()?
        .create_app_token(&organization_id, &args.user_id, &new)
        .await
        .map_err(|error| id_not_name(error, &args.user_id, "create"))?;
    let owner = Owner::AppUser {
        organization_id,
        user_id: args.user_id.clone(),
        name: None,
    };
    let table = ctx.printer.format == OutputFormat::Table;
    deliver(ctx, &owner, &token, None, |printer, _| {
        if table {
            printer.boxed(&[COPY_NOTICE])?;
        }
        printer.item(&Row::from(&token), Layout::AppTokenCreated)
    })
    .await?;
    if !table {
        diag::note(COPY_NOTICE);
    }
    Ok(())
}

fn token_layout(verbose: bool) -> Layout {
    if verbose {
        Layout::AppTokensVerbose
    } else {
        Layout::AppTokens
    }
}

async fn list_tokens(args: &AppTokenListArgs, ctx: &Context) -> Result<()> {
    let organization_id = required_organization(ctx, &args.organization).await?;
    let tokens = ctx
        .client()?
        .list_app_tokens(&organization_id, &args.user_id)
        .await
        .map_err(|error| id_not_name(error, &args.user_id, "list"))?;
    ctx.printer.tokens(&tokens, token_layout(args.verbose))?;
    Ok(())
}

/// `avn`'s form takes the application user's ID, so a name there is "not found" (404):
/// say so, and that avn-token's own `COMMAND --app-user` takes a name too.
fn id_not_name(error: ApiError, user: &str, command: &str) -> anyhow::Error {
    match error {
        ApiError::Status { status: 404, .. } => CommandError::NotFound(format!(
            "{error}; `application-user token {command}` takes the user's ID (`avn-token \
             application-user list` shows them), and `avn-token {command} --app-user {user:?}` \
             also takes a name"
        ))
        .into(),
        other => other.into(),
    }
}

/// `avn` wants the exact prefix; a shorter unique prefix or the full token works here too,
/// as for `avn-token info`.
async fn token_info(args: &AppTokenInfoArgs, ctx: &Context) -> Result<()> {
    let organization_id = required_organization(ctx, &args.organization).await?;
    let tokens = ctx
        .client()?
        .list_app_tokens(&organization_id, &args.user_id)
        .await?;
    let owner = Owner::AppUser {
        organization_id,
        user_id: args.user_id.clone(),
        name: None,
    };
    let token = find_token(&tokens, &args.token_prefix, &owner.listing())?;
    ctx.printer
        .item(&Row::from(token), token_layout(args.verbose))?;
    Ok(())
}

async fn revoke_token(args: &AppTokenRevokeArgs, ctx: &Context) -> Result<()> {
    let organization_id = required_organization(ctx, &args.organization).await?;
    // The prefix may be a whole token: only its prefix is ever shown.
    let shown_prefix = visible_prefix(&args.token_prefix);
    let confirmation = Confirmation {
        force: &args.force,
        warning: REVOKE_WARNING,
        question: format!(
            "Revoke token {shown_prefix} of application user {}?",
            args.user_id
        ),
        avn_question: "Confirm revoke (y/N)?",
    };
    let asked = confirmation.ask(ctx).await?;
    let client = ctx.client()?;
    match client
        .revoke_app_token(&organization_id, &args.user_id, &args.token_prefix)
        .await
    {
        // An unknown or ambiguous prefix in every command's words (see
        // `Owner::explain_prefix_error`).
        Err(
            error @ ApiError::Status {
                status: 404 | 409, ..
            },
        ) => {
            let owner = Owner::AppUser {
                organization_id,
                user_id: args.user_id.clone(),
                name: None,
            };
            let prefix = &args.token_prefix;
            return Err(owner.explain_prefix_error(prefix, error, client).await);
        }
        result => result?,
    }
    confirmation.print_done(ctx, asked)?;
    ctx.printer.line(&format!(
        "Token {shown_prefix} (application user id: {}) revoked successfully.",
        args.user_id
    ))?;
    Ok(())
}

/// The question before a destructive call, in `avn`'s words and in ours.
struct Confirmation<'a> {
    force: &'a AvnForce,
    /// `avn`'s boxed warning.
    warning: &'a str,
    /// Asked on a terminal (on stderr).
    question: String,
    /// What `avn`'s `input()` writes on stdout: `Confirm delete (y/N)?`.
    avn_question: &'a str,
}

/// How the go-ahead was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GoAhead {
    /// `--force` or `AIVEN_FORCE`: no question.
    Forced,
    /// A person at a terminal, asked on stderr.
    OnTerminal,
    /// Read from a terminal while stderr is not one: `avn`'s box and question were shown
    /// on stdout first, as `avn` shows them, so the reader sees what is asked.
    ShownOnStdout,
    /// In a pipe: an answer read from stdin, as `avn` reads it.
    FromStdin,
}

impl Confirmation<'_> {
    /// `avn`'s `confirm`, before the call: go ahead, or fail with nothing changed.
    async fn ask(&self, ctx: &Context) -> Result<GoAhead> {
        if self.force.force || self.force.aiven_force {
            return Ok(GoAhead::Forced);
        }
        if ctx.interactive {
            diag::warn(self.warning);
            ctx.confirm(&self.question, false).await?;
            return Ok(GoAhead::OnTerminal);
        }
        let asked = if std::io::stdin().is_terminal() {
            ctx.printer.boxed(&[self.warning])?;
            ctx.printer.text(self.avn_question)?;
            GoAhead::ShownOnStdout
        } else {
            GoAhead::FromStdin
        };
        match ctx.wait_for_answer(diag::read_answer_line).await? {
            Some(answer) if avn_truthy(&answer) => Ok(asked),
            Some(_) => Err(CommandError::Refused("aborted: nothing was changed".into()).into()),
            None => Err(CommandError::Refused(
                "aborted: no answer on stdin (y to go ahead); pass --force to skip the question"
                    .into(),
            )
            .into()),
        }
    }

    /// After the call succeeded: what `avn` has printed on stdout by then, if not shown
    /// yet: its box unless `--force`, and its question when it read the answer from stdin.
    fn print_done(&self, ctx: &Context, asked: GoAhead) -> Result<()> {
        if self.force.force || matches!(asked, GoAhead::OnTerminal | GoAhead::ShownOnStdout) {
            return Ok(());
        }
        ctx.printer.boxed(&[self.warning])?;
        if asked == GoAhead::FromStdin {
            ctx.printer.text(self.avn_question)?;
        }
        Ok(())
    }
}
