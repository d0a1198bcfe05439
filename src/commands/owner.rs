//! Whose tokens a command works on: yours, or an application user's (`--app-user`), and
//! the organization application users live in. `create`, `list`, `info`, `revoke`, `rotate`
//! and `audit` go through [`Owner`], so each works the same way for either.

use anyhow::{Context as _, Result};

use super::Context;
use super::lookup::{ambiguous, describe_for_prompt, matching, not_found};
use crate::api::{ApiError, AppUser, Client, NewToken, Token};
use crate::cli::{OrganizationArg, OwnerArgs};
use crate::diag;
use crate::env_vars::EnvVars;
use crate::exit::CommandError;
use crate::output::{Row, Value};

/// The owner of the tokens a command reads or changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Owner {
    /// The user the token authenticates as: personal tokens (`/v1/access_token`).
    Me,
    /// An application user of an organization.
    AppUser {
        organization_id: String,
        user_id: String,
        name: Option<String>,
    },
}

/// The organization named by `--organization-id` or `AIVEN_ORGANIZATION_ID`, else the one
/// organization the user belongs to (`GET /v1/organizations`); `None` when they belong to
/// none. Several without a choice are a usage error naming them.
pub(super) async fn organization(ctx: &Context, arg: &OrganizationArg) -> Result<Option<String>> {
    if let Some(chosen) = arg
        .organization_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        return Ok(Some(chosen.to_owned()));
    }
    let organizations = ctx.client()?.organizations().await.with_context(|| {
        format!(
            "cannot list your organizations (name one with --organization-id or {})",
            EnvVars::AIVEN_ORGANIZATION_ID
        )
    })?;
    match organizations.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.organization_id.clone())),
        many => Err(CommandError::Usage(format!(
            "you belong to {} organizations: {}; choose one with --organization-id or {}",
            many.len(),
            // A line a person can read: the first 20, then how many more.
            many.iter()
                .take(20)
                .map(|org| org.describe())
                .chain((many.len() > 20).then(|| format!("and {} more", many.len() - 20)))
                .collect::<Vec<_>>()
                .join(", "),
            EnvVars::AIVEN_ORGANIZATION_ID
        ))
        .into()),
    }
}

/// [`organization`], where there must be one: application users live in an organization.
pub(super) async fn required_organization(ctx: &Context, arg: &OrganizationArg) -> Result<String> {
    organization(ctx, arg).await?.ok_or_else(|| {
        CommandError::NotFound(
            "you belong to no organization, and application users live in one; \
             pass --organization-id if your token cannot list organizations"
                .into(),
        )
        .into()
    })
}

/// The owner `args` select: you, or the application user `--app-user` names by id or by
/// unique name (looked up in the organization's list, one request).
pub(super) async fn resolve(ctx: &Context, args: &OwnerArgs) -> Result<Owner> {
    let Some(wanted) = args.app_user.as_deref() else {
        return Ok(Owner::Me);
    };
    let wanted = wanted.trim();
    if wanted.is_empty() {
        return Err(CommandError::Usage("--app-user must not be empty".into()).into());
    }
    let organization_id = required_organization(ctx, &args.organization).await?;
    let users = ctx.client()?.list_app_users(&organization_id).await?;
    find_app_user(&users, wanted, &organization_id)
}

/// The application user whose id is `wanted`, else the one user named `wanted`.
fn find_app_user(users: &[AppUser], wanted: &str, organization_id: &str) -> Result<Owner> {
    let owner = |user: &AppUser, user_id: String| Owner::AppUser {
        organization_id: organization_id.to_owned(),
        user_id,
        name: user.name(),
    };
    if let Some(user) = users
        .iter()
        .find(|user| user.user_id().as_deref() == Some(wanted))
    {
        return Ok(owner(user, wanted.to_owned()));
    }
    let named: Vec<&AppUser> = users
        .iter()
        .filter(|user| user.name().as_deref() == Some(wanted))
        .collect();
    match named.as_slice() {
        [user] => match user.user_id() {
            Some(user_id) => Ok(owner(user, user_id)),
            None => Err(ApiError::Decode {
                status: 200,
                detail: format!("application user {wanted:?} has no \"user_id\""),
            }
            .into()),
        },
        [] => Err(CommandError::NotFound(format!(
            "no application user with id or name {wanted:?} in organization \
             {organization_id}; `avn-token application-user list` shows them"
        ))
        .into()),
        many => Err(CommandError::Usage(format!(
            "{} application users are named {wanted:?} ({}); pass the user ID instead",
            many.len(),
            many.iter()
                .filter_map(|user| user.user_id())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .into()),
    }
}

impl Owner {
    /// Your own tokens (with the personal-token quota), not an application user's.
    pub(super) fn is_personal(&self) -> bool {
        matches!(self, Owner::Me)
    }

    /// Every (unexpired) token of this owner.
    pub(super) async fn list_tokens(&self, client: &Client) -> Result<Vec<Token>, ApiError> {
        match self {
            Owner::Me => client.list_tokens().await,
            Owner::AppUser {
                organization_id,
                user_id,
                ..
            } => client.list_app_tokens(organization_id, user_id).await,
        }
    }

    pub(super) async fn revoke_token(&self, client: &Client, prefix: &str) -> Result<(), ApiError> {
        match self {
            Owner::Me => client.revoke_token(prefix).await,
            Owner::AppUser {
                organization_id,
                user_id,
                ..
            } => {
                client
                    .revoke_app_token(organization_id, user_id, prefix)
                    .await
            }
        }
    }

    /// The error to report when the API refused a call on one of this owner's tokens,
    /// `wanted`: 404 is the same "no token matches" as everywhere once the owner's tokens
    /// can be listed (a list with no API behind it is the wrong URL it reveals), and for
    /// 409 (the prefix is ambiguous) the tokens are listed to name the ones it matches.
    /// Anything else is reported as it is. For an application user a 404 may be about the
    /// user, not the token: it stays in the API's words unless the user's tokens can be
    /// listed. The lists are reads: nothing more is changed to explain a failure.
    pub(super) async fn explain_prefix_error(
        &self,
        wanted: &str,
        error: ApiError,
        client: &Client,
    ) -> anyhow::Error {
        match error {
            // The list tells "no such token" from a base URL with no API behind it (whose
            // 404 for a token's path can look like the API's own): only the API saying so
            // is exit 4. For an application user, a list that fails for another reason
            // leaves the 404 in the API's words (it may be about the user).
            ApiError::Status { status: 404, .. } => match self.list_tokens(client).await {
                Err(wrong_url @ ApiError::NoEndpoint { .. }) => wrong_url.into(),
                Err(_) if matches!(self, Owner::AppUser { .. }) => error.into(),
                _ => not_found(wanted, &self.listing()).into(),
            },
            ApiError::Status { status: 409, .. } => match self.list_tokens(client).await {
                Ok(tokens) => match matching(&tokens, wanted).as_slice() {
                    many @ [_, _, ..] => ambiguous(wanted, many).into(),
                    _ => CommandError::Usage(error.to_string()).into(),
                },
                Err(_) => CommandError::Usage(error.to_string()).into(),
            },
            other => other.into(),
        }
    }

    /// A new token, and what the `create` table shows of it ([`Created::row`]).
    ///
    /// For an application user the API answers only `{full_token, token_prefix}`. With
    /// `details`, the new token is then read from the user's list (one more request) so the
    /// table shows its real expiry time and settings; if that fails, the fields sent are
    /// shown instead, with a warning: the full token, shown only now, is never lost to a
    /// failed second request. Without `details` (`-q`, which prints only the full token)
    /// nothing more is asked.
    pub(super) async fn create_token(
        &self,
        client: &Client,
        new: &NewToken,
        details: bool,
    ) -> Result<Created> {
        let Owner::AppUser {
            organization_id,
            user_id,
            ..
        } = self
        else {
            let answer = client.create_token(new).await?;
            return Ok(Created::shown_as_answered(answer));
        };
        let answer = client
            .create_app_token(organization_id, user_id, new)
            .await?;
        let prefix = match answer.token_prefix() {
            Some(prefix) if details && answer.full_token().is_some() => prefix,
            _ => return Ok(Created::shown_as_answered(answer)),
        };
        let listed = match client.list_app_tokens(organization_id, user_id).await {
            Ok(tokens) => tokens
                .into_iter()
                .find(|token| token.token_prefix() == Some(prefix)),
            Err(error) => {
                diag::warn(&format!(
                    "the token was created, but its details could not be read ({error}); \
                     showing what was asked for"
                ));
                None
            }
        };
        let details = match listed {
            Some(token) => Details::Listed(token),
            None => Details::Asked(new.clone()),
        };
        Ok(Created { answer, details })
    }

    /// The question before changing one of this owner's tokens:
    /// `Revoke token 6JsKDclT3OMQ ("ci")?`, or for an application user
    /// `Revoke application user "ci-bot"'s token 6JsKDclT3OMQ ("ci")?`.
    pub(super) fn question(&self, verb: &str, token: &Token) -> String {
        match self {
            Owner::Me => describe_for_prompt(verb, token),
            Owner::AppUser { .. } => {
                describe_for_prompt(&format!("{verb} application user {}'s", self.name()), token)
            }
        }
    }

    /// How to name this owner on a command line: `""` or ` --app-user u1a2b3c`.
    pub(super) fn cli_flag(&self) -> String {
        match self {
            Owner::Me => String::new(),
            Owner::AppUser {
                organization_id,
                user_id,
                ..
            } => format!(" --app-user {user_id} --organization-id {organization_id}"),
        }
    }

    /// Where this owner's tokens are listed, for an error that found none to match.
    pub(super) fn listing(&self) -> String {
        match self {
            Owner::Me => "`avn-token list` shows your tokens".to_owned(),
            Owner::AppUser { .. } => format!(
                "`avn-token list{}` shows that application user's tokens",
                self.cli_flag()
            ),
        }
    }

    /// The application user's name (quoted), else its id.
    fn name(&self) -> String {
        match self {
            Owner::Me => "you".to_owned(),
            Owner::AppUser {
                name: Some(name), ..
            } => format!("{name:?}"),
            Owner::AppUser { user_id, .. } => user_id.clone(),
        }
    }
}

/// A token just created: the API's answer, which holds the full token, and what to show of
/// the new token.
pub(super) struct Created {
    /// The answer to the create call.
    pub(super) answer: Token,
    details: Details,
}

/// Where the new token's details come from.
enum Details {
    /// The answer itself: every field for a personal token; for an application token, only
    /// its prefix and full token (`-q` asks for no more).
    Answered,
    /// An application token as its user's list shows it (the answer had only its prefix).
    Listed(Token),
    /// What was asked for, when the list could not say.
    Asked(NewToken),
}

impl Created {
    fn shown_as_answered(answer: Token) -> Created {
        Created {
            answer,
            details: Details::Answered,
        }
    }

    /// The new token as the `create` table shows it: with its full token, whichever answer
    /// the other fields come from.
    pub(super) fn row(&self) -> Row<'_> {
        let answered = |name| Value::field(self.answer.record(), name);
        match &self.details {
            Details::Answered => Row::from(&self.answer),
            Details::Listed(token) => Row::from(token).with("full_token", answered("full_token")),
            Details::Asked(new) => Row::new()
                .with("token_prefix", answered("token_prefix"))
                .with("full_token", answered("full_token"))
                .with("description", Value::Text(new.description.as_str().into()))
                .with(
                    "max_age_seconds",
                    new.max_age_seconds.map_or(Value::Null, Value::Int),
                )
                .with(
                    "extend_when_used",
                    Value::Bool(new.max_age_seconds.is_some() && new.extend_when_used),
                )
                .with("scopes", texts(&new.scopes))
                .with("ip_allowlist", texts(&new.ip_allowlist)),
        }
    }
}

fn texts(items: &[String]) -> Value<'_> {
    Value::Texts(items.iter().map(|item| item.as_str().into()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn users() -> Vec<AppUser> {
        serde_json::from_value(json!([
            {"user_id": "u1", "name": "ci-bot"},
            {"user_id": "u2", "name": "twin"},
            {"user_id": "u3", "name": "twin"},
            {"user_id": "ci-bot", "name": "named like an id"}
        ]))
        .unwrap()
    }

    fn code(result: Result<Owner>) -> u8 {
        crate::exit::code_for(&result.unwrap_err())
    }

    #[test]
    fn app_users_are_found_by_id_then_by_unique_name() {
        let users = users();
        let found = find_app_user(&users, "u2", "org").unwrap();
        assert_eq!(
            found,
            Owner::AppUser {
                organization_id: "org".into(),
                user_id: "u2".into(),
                name: Some("twin".into())
            }
        );
        // An id wins over a name.
        let by_id = find_app_user(&users, "ci-bot", "org").unwrap();
        assert!(matches!(by_id, Owner::AppUser { user_id, .. } if user_id == "ci-bot"));
        let by_name = find_app_user(&users, "named like an id", "org").unwrap();
        assert!(matches!(by_name, Owner::AppUser { user_id, .. } if user_id == "ci-bot"));
        let ambiguous = find_app_user(&users, "twin", "org");
        assert_eq!(code(ambiguous), crate::exit::USAGE);
        let error = find_app_user(&users, "twin", "org")
            .unwrap_err()
            .to_string();
        assert!(error.contains("u2, u3"), "{error}");
        assert_eq!(
            code(find_app_user(&users, "nobody", "org")),
            crate::exit::NOT_FOUND
        );
    }

    #[test]
    fn questions_name_the_owner() {
        let token: Token =
            serde_json::from_value(json!({"token_prefix": "abc", "description": "ci"})).unwrap();
        assert_eq!(
            Owner::Me.question("Revoke", &token),
            r#"Revoke token abc ("ci")?"#
        );
        let owner = Owner::AppUser {
            organization_id: "o".into(),
            user_id: "u1".into(),
            name: Some("bot".into()),
        };
        assert_eq!(
            owner.question("Revoke", &token),
            r#"Revoke application user "bot"'s token abc ("ci")?"#
        );
        assert_eq!(owner.cli_flag(), " --app-user u1 --organization-id o");
    }
}
