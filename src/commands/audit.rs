//! `avn-token audit`: which tokens should worry us? Your personal tokens and every
//! application user's in the organization (only yours when you belong to none; only one
//! application user's with `--app-user`), each checked for the findings of
//! [`Finding`]. Exit status 5 ([`exit::FINDINGS`]) when a finding `--fail-on` counts is
//! found, so CI can gate on it.
//!
//! Owners' token lists are fetched concurrently, at most [`MAX_IN_FLIGHT`] at a time, on
//! this (current-thread) task: an organization with 100 application users takes about the
//! time of 13 requests, not 100.

use anyhow::{Context as _, Result};
use chrono::{DateTime, TimeDelta, Utc};
use futures_util::{StreamExt as _, TryStreamExt as _, stream};

use super::Context;
use super::owner::{self, Owner};
use crate::api::{AppUser, Token};
use crate::cli::{AuditArgs, Finding};
use crate::diag;
use crate::exit::{self, CommandError};
use crate::output::{Row, Value};

/// Owners whose tokens are being fetched at once: enough to hide latency, few enough to be
/// polite to the API (and what browsers allow per host).
const MAX_IN_FLIGHT: usize = 8;

/// The most the application users' token lists may hold in all (their JSON text): far
/// beyond any real organization, and a bound on what a hostile server can make an audit
/// keep (each list may be 32 MiB, and there may be thousands).
const MAX_HELD_BYTES: usize = 32 * 1024 * 1024;

/// A token younger than this is not `never-used` yet: it may just have been made.
const NEVER_USED_GRACE: TimeDelta = TimeDelta::days(1);

/// Whose tokens one audit row is about.
struct AuditOwner {
    /// The email address of a user, the name of an application user.
    label: String,
    owner_type: &'static str,
    /// An application user's id (none for you).
    owner_id: Option<String>,
}

pub(super) async fn run(args: &AuditArgs, ctx: &Context) -> Result<u8> {
    let checks = Checks::new(args)?;
    let owned = match owner::resolve(ctx, &args.owner).await? {
        Owner::Me => everyone(args, ctx).await?,
        app_user => {
            let tokens = app_user.list_tokens(ctx.client()?).await?;
            vec![(app_user_owner(&app_user), tokens)]
        }
    };
    let now = Utc::now();
    let mut rows = Vec::new();
    let (mut audited, mut flagged, mut failing) = (0, 0, 0);
    for (owner, tokens) in &owned {
        for token in tokens {
            audited += 1;
            let found = checks.findings(token, now);
            if !found.is_empty() {
                flagged += 1;
            }
            if found.iter().any(|finding| checks.fails_on(*finding)) {
                failing += 1;
            }
            if args.all || !found.is_empty() {
                rows.push(row(owner, token, &found));
            }
        }
    }
    ctx.printer.audit(&rows)?;
    diag::note(&format!(
        "audited {audited} token{} of {} owner{}: {flagged} with findings",
        plural(audited),
        owned.len(),
        plural(owned.len())
    ));
    Ok(if failing > 0 {
        exit::FINDINGS
    } else {
        exit::SUCCESS
    })
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// You and every application user of the organization, each with their tokens.
async fn everyone(args: &AuditArgs, ctx: &Context) -> Result<Vec<(AuditOwner, Vec<Token>)>> {
    let client = ctx.client()?;
    let organization_users = async {
        let Some(organization_id) = owner::organization(ctx, &args.owner.organization).await?
        else {
            diag::note("you belong to no organization: auditing your personal tokens only");
            return Ok::<_, anyhow::Error>(None);
        };
        let users = client.list_app_users(&organization_id).await?;
        Ok(Some((organization_id, users)))
    };
    let (me, personal, organization_users) =
        tokio::join!(client.me(), client.list_tokens(), organization_users);
    let personal = personal.context("cannot list your personal tokens")?;
    // Said only with a report (just before the lists are returned): a failed audit has one
    // thing to say, its error.
    let (label, unknown_email) = match me {
        Ok(user) => (user.email().unwrap_or("you").to_owned(), None),
        Err(error) => (
            "you".to_owned(),
            Some(format!(
                "cannot read your email address ({error}): your tokens are shown as \"you\""
            )),
        ),
    };
    let warn_unknown_email = || {
        if let Some(warning) = &unknown_email {
            diag::warn(warning);
        }
    };
    let mut owned = vec![(
        AuditOwner {
            label,
            owner_type: "user",
            owner_id: None,
        },
        personal,
    )];
    let Some((organization_id, users)) = organization_users? else {
        warn_unknown_email();
        return Ok(owned);
    };
    let users: Vec<(Owner, AppUser)> = users
        .into_iter()
        .filter_map(|user| {
            let owner = Owner::AppUser {
                organization_id: organization_id.clone(),
                user_id: user.user_id()?,
                name: user.name(),
            };
            Some((owner, user))
        })
        .collect();
    let held = std::cell::Cell::new(0);
    let held = &held;
    // Answers come in any order (`buffer_unordered` keeps MAX_IN_FLIGHT requests going
    // however slow one of them is); the report keeps the organization's order.
    let mut lists: Vec<(usize, Vec<Token>)> = stream::iter(users.iter().enumerate())
        .map(|(index, (owner, user))| async move {
            let tokens = owner.list_tokens(client).await.with_context(|| {
                format!(
                    "cannot list the tokens of application user {}",
                    user.name().or(user.user_id()).unwrap_or_default()
                )
            })?;
            held.set(held.get() + tokens.first().map_or(0, Token::text_len));
            if held.get() > MAX_HELD_BYTES {
                anyhow::bail!(
                    "the application users' token lists are larger than {} MiB in all: audit \
                     one application user at a time with --app-user",
                    MAX_HELD_BYTES >> 20
                );
            }
            Ok((index, tokens))
        })
        .buffer_unordered(MAX_IN_FLIGHT)
        .try_collect()
        .await?;
    lists.sort_unstable_by_key(|(index, _)| *index);
    owned.extend(
        users
            .iter()
            .map(|(owner, _)| app_user_owner(owner))
            .zip(lists.into_iter().map(|(_, tokens)| tokens)),
    );
    warn_unknown_email();
    Ok(owned)
}

fn app_user_owner(owner: &Owner) -> AuditOwner {
    let (label, owner_id) = match owner {
        Owner::AppUser { user_id, name, .. } => (
            name.clone().unwrap_or_else(|| user_id.clone()),
            user_id.clone(),
        ),
        Owner::Me => ("you".to_owned(), String::new()),
    };
    AuditOwner {
        label,
        owner_type: "application-user",
        owner_id: Some(owner_id),
    }
}

/// One row of the report: the owner, the token's fields as the API sent them, the findings.
fn row<'a>(owner: &'a AuditOwner, token: &'a Token, found: &[Finding]) -> Row<'a> {
    let field = |name| Value::field(token.record(), name);
    let findings = found.iter().map(|finding| finding_name(*finding).into());
    Row::new()
        .with("owner", Value::Text(owner.label.as_str().into()))
        .with("owner_type", Value::Text(owner.owner_type.into()))
        .with("owner_id", Value::text_or_null(owner.owner_id.as_deref()))
        .with("token_prefix", field("token_prefix"))
        .with("description", field("description"))
        .with("create_time", field("create_time"))
        .with("expiry_time", field("expiry_time"))
        .with("last_used_time", field("last_used_time"))
        .with("findings", Value::Texts(findings.collect()))
}

/// A finding's name, as `--fail-on` spells it and the report prints it.
fn finding_name(finding: Finding) -> &'static str {
    match finding {
        Finding::NeverExpires => "never-expires",
        Finding::ExpiresSoon => "expires-soon",
        Finding::NeverUsed => "never-used",
        Finding::Unused => "unused",
        Finding::NoIpAllowlist => "no-ip-allowlist",
        Finding::Unscoped => "unscoped",
    }
}

/// What is looked for, and what fails the audit.
struct Checks {
    expiring_within: TimeDelta,
    unused_for: TimeDelta,
    enabled: Vec<Finding>,
    fail_on: Vec<Finding>,
}

impl Checks {
    fn new(args: &AuditArgs) -> Result<Checks> {
        let delta = |duration: std::time::Duration, option: &str| {
            TimeDelta::from_std(duration)
                .map_err(|_| CommandError::Usage(format!("{option} is too long")))
        };
        let mut enabled = vec![
            Finding::NeverExpires,
            Finding::ExpiresSoon,
            Finding::NeverUsed,
            Finding::Unused,
        ];
        if args.strict {
            enabled.extend([Finding::NoIpAllowlist, Finding::Unscoped]);
        }
        // Asking to fail on a finding is asking to look for it.
        enabled.extend(args.fail_on.iter().copied());
        enabled.sort();
        enabled.dedup();
        let fail_on = if args.fail_on.is_empty() {
            enabled.clone()
        } else {
            args.fail_on.clone()
        };
        Ok(Checks {
            expiring_within: delta(args.expiring_within, "--expiring-within")?,
            unused_for: delta(args.unused_for, "--unused-for")?,
            enabled,
            fail_on,
        })
    }

    fn fails_on(&self, finding: Finding) -> bool {
        self.fail_on.contains(&finding)
    }

    /// The enabled findings for `token` at `now`, in [`Finding`]'s order. A time the
    /// server wrote in a form that cannot be read is no finding (rather than a false one).
    fn findings(&self, token: &Token, now: DateTime<Utc>) -> Vec<Finding> {
        let time = |field: &str| match token.get(field) {
            None | Some(serde_json::Value::Null) => Time::Never,
            Some(serde_json::Value::String(text)) => DateTime::parse_from_rfc3339(&text)
                .map_or(Time::Unknown, |time| Time::At(time.with_timezone(&Utc))),
            Some(_) => Time::Unknown,
        };
        let expiry = time("expiry_time");
        let last_used = time("last_used_time");
        let created = time("create_time");
        let ago = |delta: TimeDelta| {
            now.checked_sub_signed(delta)
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        };
        let soon = now
            .checked_add_signed(self.expiring_within)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        self.enabled
            .iter()
            .copied()
            .filter(|finding| match finding {
                Finding::NeverExpires => expiry == Time::Never,
                Finding::ExpiresSoon => matches!(expiry, Time::At(at) if at <= soon),
                Finding::NeverUsed => {
                    last_used == Time::Never
                        && matches!(created, Time::At(at) if at < ago(NEVER_USED_GRACE))
                }
                Finding::Unused => {
                    matches!(last_used, Time::At(at) if at < ago(self.unused_for))
                }
                Finding::NoIpAllowlist => token.string_list("ip_allowlist").is_empty(),
                Finding::Unscoped => token.string_list("scopes").is_empty(),
            })
            .collect()
    }
}

/// A token's time field: null or absent, a time, or something unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Time {
    Never,
    At(DateTime<Utc>),
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;
    use serde_json::json;
    use std::time::Duration;

    fn checks(strict: bool, fail_on: Vec<Finding>) -> Checks {
        Checks::new(&AuditArgs {
            owner: crate::cli::OwnerArgs {
                app_user: None,
                organization: crate::cli::OrganizationArg {
                    organization_id: None,
                },
            },
            expiring_within: Duration::from_secs(14 * 86_400),
            unused_for: Duration::from_secs(90 * 86_400),
            strict,
            fail_on,
            all: false,
        })
        .unwrap()
    }

    fn token(value: serde_json::Value) -> Token {
        serde_json::from_value(value).unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn findings_per_token() {
        let now = at("2026-06-01T00:00:00Z");
        let checks = checks(false, vec![]);
        let found = |value: serde_json::Value| checks.findings(&token(value), now);
        assert_eq!(
            found(json!({"expiry_time": null, "last_used_time": null,
                         "create_time": "2026-05-01T00:00:00.123456Z"})),
            [Finding::NeverExpires, Finding::NeverUsed]
        );
        // Just made: not "never used" yet. Absent times count as null.
        assert_eq!(
            found(json!({"create_time": "2026-05-31T12:00:00Z"})),
            [Finding::NeverExpires]
        );
        assert_eq!(
            found(json!({"expiry_time": "2026-06-10T00:00:00Z",
                         "last_used_time": "2026-01-01T00:00:00Z",
                         "create_time": "2025-01-01T00:00:00Z"})),
            [Finding::ExpiresSoon, Finding::Unused]
        );
        assert_eq!(
            found(json!({"expiry_time": "2026-07-01T00:00:00Z",
                         "last_used_time": "2026-05-30T00:00:00Z",
                         "create_time": "2025-01-01T00:00:00Z", "scopes": []})),
            []
        );
        // Unreadable times are no finding, not a false one.
        assert_eq!(
            found(json!({"expiry_time": "soon", "last_used_time": 5, "create_time": "x"})),
            []
        );
    }

    #[test]
    fn strict_and_fail_on() {
        let now = at("2026-06-01T00:00:00Z");
        let fine = token(json!({"expiry_time": "2026-07-01T00:00:00Z",
                                "last_used_time": "2026-05-30T00:00:00Z", "scopes": ["user:read"]}));
        assert_eq!(
            checks(true, vec![]).findings(&fine, now),
            [Finding::NoIpAllowlist]
        );
        // --fail-on a strict finding looks for it, and counts only it.
        let only = checks(false, vec![Finding::Unscoped]);
        let bare = token(json!({"expiry_time": null}));
        assert_eq!(
            only.findings(&bare, now),
            [Finding::NeverExpires, Finding::Unscoped]
        );
        assert!(only.fails_on(Finding::Unscoped) && !only.fails_on(Finding::NeverExpires));
        assert!(checks(false, vec![]).fails_on(Finding::NeverExpires));
    }

    #[test]
    fn names_are_the_option_values() {
        for finding in Finding::value_variants() {
            let value = finding.to_possible_value().unwrap();
            assert_eq!(value.get_name(), finding_name(*finding));
        }
    }
}
