//! The sandbox's data and the rules of the real service: the user's tokens (the 10-token
//! quota, expiry and `extend_when_used`, prefix or full-token lookup, last-used bookkeeping),
//! the organization's application users and their tokens.
//!
//! Pure logic: the time and the caller come in as arguments, so every rule is testable
//! without a server or a clock. HTTP lives in `handlers`, JSON shapes in `wire`, files in
//! `persist`, and the types they share in `model`.

use std::net::IpAddr;

use base64::prelude::{BASE64_STANDARD, Engine as _};
use chrono::{DateTime, TimeDelta, Utc};
use ring::rand::{SecureRandom, SystemRandom};

use super::model::{AppUser, Failure, NewToken, StoredToken, code};
use crate::facts::{self, DEFAULT_MAX_AGE_SECONDS, PERSONAL_TOKEN_LIMIT, SESSION_TOKEN_LIMIT};

/// Random bytes per token: 256 bytes make 344 base64 characters ending in `==`, long like
/// the real tokens, and with `/`, `+` and `=` for clients' path encoding to get right.
const TOKEN_BYTES: usize = 256;
const SESSION_DESCRIPTION: &str = "avn-token sandbox login session";

/// Tokens per application user, and application users per organization. Aiven documents no
/// quota for either (the 10-token quota is for personal tokens); these caps are the
/// sandbox's own, so that its memory and its token lookup stay bounded.
pub(crate) const MAX_APP_TOKENS_PER_USER: usize = 100;
pub(crate) const MAX_APP_USERS: usize = 1000;

/// `now + seconds`, or `None` (never expires) when that is beyond what a date can hold:
/// a hand-edited state file must not be able to crash the sandbox.
fn expiry_after(now: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
    now.checked_add_signed(TimeDelta::try_seconds(seconds)?)
}

/// Who is making a request: what last-used bookkeeping records and the allowlist checks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) ip: IpAddr,
    pub(crate) user_agent: Option<&'a str>,
}

/// How far a store has changed: what a write to disk covered, and what is still to write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Mark {
    /// Changes that must be on disk before their answer goes out: tokens created,
    /// revoked, renamed, expired; application users created, renamed, deleted.
    pub(crate) changes: u64,
    /// Uses of tokens (last-used fields, extended expiry): written lazily, see `persist`.
    pub(crate) uses: u64,
}

/// Everything the sandbox holds (and the state file keeps).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Data {
    /// Every token, the user's and the application users', in creation order.
    pub(crate) tokens: Vec<StoredToken>,
    /// The organization's application users, in creation order.
    pub(crate) app_users: Vec<AppUser>,
    /// When the user last expired all its tokens (`GET /v1/me`'s `token_validity_begin`).
    pub(crate) token_validity_begin: Option<DateTime<Utc>>,
}

/// The sandbox's data, and how far it has changed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Store {
    data: Data,
    mark: Mark,
    /// Changes undone by [`Store::roll_back`]: `(after, through, why)` covers the changes
    /// numbered `after + 1 ..= through`. A few entries at most: one per failed save.
    lost: Vec<(u64, u64, String)>,
}

impl Store {
    pub(crate) fn new(data: Data) -> Store {
        Store {
            data,
            mark: Mark::default(),
            lost: Vec::new(),
        }
    }

    /// Back to `saved`, the data as of `saved_mark` (what the state file holds), after a
    /// failed save: every change since is undone, and [`Store::lost`] says so to the
    /// requests that made or saw them. The restored data gets a number of its own, after
    /// those.
    pub(crate) fn roll_back(&mut self, saved: Data, saved_mark: Mark, why: &str) {
        if self.mark.changes > saved_mark.changes {
            self.lost
                .push((saved_mark.changes, self.mark.changes, why.to_owned()));
        }
        self.data = saved;
        self.changed();
    }

    /// Why change number `change` was undone, if it was.
    pub(crate) fn lost(&self, change: u64) -> Option<&str> {
        self.lost
            .iter()
            .find(|(after, through, _)| (*after + 1..=*through).contains(&change))
            .map(|(_, _, why)| why.as_str())
    }

    pub(crate) fn data(&self) -> &Data {
        &self.data
    }

    pub(crate) fn tokens(&self) -> &[StoredToken] {
        &self.data.tokens
    }

    pub(crate) fn app_users(&self) -> &[AppUser] {
        &self.data.app_users
    }

    pub(crate) fn mark(&self) -> Mark {
        self.mark
    }

    fn changed(&mut self) {
        self.mark.changes += 1;
    }

    /// The bootstrap (login) token the sandbox hands out: `wanted` when given (revived if it
    /// was revoked or has expired), else the newest live session token, else a new one.
    pub(crate) fn open_session(&mut self, wanted: Option<&str>, now: DateTime<Utc>) -> String {
        let tokens = &mut self.data.tokens;
        let reusable = match wanted {
            Some(value) => tokens
                .iter()
                .find(|t| t.full_token == value && t.app_user.is_none() && t.is_live(now)),
            None => tokens
                .iter()
                .filter(|t| !t.created_manually && t.app_user.is_none() && t.is_live(now))
                .max_by_key(|t| t.create_time),
        };
        if let Some(token) = reusable {
            return token.full_token.clone();
        }
        let value = wanted.map_or_else(new_token_value, str::to_owned);
        tokens.retain(|t| t.full_token != value);
        tokens.push(StoredToken {
            full_token: value.clone(),
            app_user: None,
            create_time: now,
            created_manually: false,
            description: SESSION_DESCRIPTION.to_owned(),
            expiry_time: expiry_after(now, DEFAULT_MAX_AGE_SECONDS),
            extend_when_used: true,
            max_age_seconds: Some(DEFAULT_MAX_AGE_SECONDS),
            last_ip: None,
            last_used_time: None,
            last_user_agent: None,
            scopes: None,
            ip_allowlist: None,
        });
        let is_session = |t: &StoredToken| !t.created_manually && t.app_user.is_none();
        let sessions = tokens.iter().filter(|t| is_session(t)).count();
        let mut excess = sessions.saturating_sub(SESSION_TOKEN_LIMIT);
        // Oldest first: the tokens are in creation order.
        tokens.retain(|t| {
            let drop = excess > 0 && is_session(t);
            excess -= usize::from(drop);
            !drop
        });
        self.changed();
        value
    }

    /// The index of the live token `presented` (the Authorization header's value), after
    /// recording its use. Unknown, revoked and expired tokens all get the same 403, so the
    /// answer says nothing about which tokens exist.
    pub(crate) fn authenticate(
        &mut self,
        presented: &str,
        caller: Caller<'_>,
        now: DateTime<Utc>,
    ) -> Result<usize, Failure> {
        let index = self.valid_token(presented, caller.ip, now)?;
        let token = &mut self.data.tokens[index];
        token.last_used_time = Some(now);
        if token.last_ip.as_deref() != Some(&caller.ip.to_string()) {
            token.last_ip = Some(caller.ip.to_string());
        }
        if token.last_user_agent.as_deref() != caller.user_agent {
            token.last_user_agent = caller.user_agent.map(str::to_owned);
        }
        if let (true, Some(max_age)) = (token.extend_when_used, token.max_age_seconds) {
            token.expiry_time = expiry_after(now, max_age);
        }
        self.mark.uses += 1;
        Ok(index)
    }

    /// Whether `presented` would authenticate a request from `ip`: [`Store::authenticate`]
    /// without recording a use, for deciding from a request's headers alone.
    pub(crate) fn admits(
        &self,
        presented: &str,
        ip: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<(), Failure> {
        self.valid_token(presented, ip, now).map(|_| ())
    }

    /// The index of the live token `presented`, if it may be used from `ip`.
    fn valid_token(
        &self,
        presented: &str,
        ip: IpAddr,
        now: DateTime<Utc>,
    ) -> Result<usize, Failure> {
        let index = self
            .data
            .tokens
            .iter()
            .position(|t| t.full_token == presented && t.is_live(now))
            .ok_or_else(|| {
                Failure::forbidden(code::AUTHENTICATION_FAILED, "Invalid or expired token")
            })?;
        if !self.data.tokens[index].allows(ip) {
            return Err(Failure::forbidden(
                code::IP_NOT_ALLOWED,
                format!("This token may not be used from {ip}"),
            ));
        }
        Ok(index)
    }

    /// The application user the token at `index` belongs to; `None` for the user's own.
    pub(crate) fn owner(&self, index: usize) -> Option<&str> {
        self.data.tokens.get(index)?.app_user.as_deref()
    }

    /// The live tokens of `owner` (`None`: the user), in creation order.
    pub(crate) fn live<'a>(
        &'a self,
        owner: Option<&'a str>,
        now: DateTime<Utc>,
    ) -> impl Iterator<Item = (usize, &'a StoredToken)> + 'a {
        self.data
            .tokens
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.app_user.as_deref() == owner && t.is_live(now))
    }

    /// A new token for `owner` (`None`: a personal token of the user; else an application
    /// user's ID, which must exist); its index. Expired tokens are dropped first: they are
    /// gone for good, and must not count against a quota.
    ///
    /// Personal tokens: at most [`PERSONAL_TOKEN_LIMIT`], 30 days when no maximum age is
    /// given. Application tokens: no quota (DOCS documents none; the sandbox caps them at
    /// [`MAX_APP_TOKENS_PER_USER`]), and no expiry unless a maximum age is given.
    pub(crate) fn create(
        &mut self,
        owner: Option<&str>,
        new: NewToken,
        now: DateTime<Utc>,
    ) -> Result<usize, Failure> {
        let before = self.data.tokens.len();
        self.data.tokens.retain(|t| t.is_live(now));
        if self.data.tokens.len() != before {
            self.changed();
        }
        let max_age = max_age_for(owner, &new);
        let owned = |t: &&StoredToken| t.app_user.as_deref() == owner;
        let tokens = &self.data.tokens;
        match owner {
            None => {
                let personal = tokens.iter().filter(owned).filter(|t| t.created_manually);
                if personal.count() >= PERSONAL_TOKEN_LIMIT {
                    return Err(Failure::conflict(
                        code::TOKEN_LIMIT_EXCEEDED,
                        format!(
                            "You already have {PERSONAL_TOKEN_LIMIT} personal access tokens, \
                             the maximum: revoke one before creating another"
                        ),
                    ));
                }
            }
            Some(user) => {
                if tokens.iter().filter(owned).count() >= MAX_APP_TOKENS_PER_USER {
                    return Err(Failure::conflict(
                        code::TOKEN_LIMIT_EXCEEDED,
                        format!(
                            "Application user {user} already has {MAX_APP_TOKENS_PER_USER} \
                             tokens, the sandbox's maximum: revoke one before creating another"
                        ),
                    ));
                }
            }
        }
        self.data.tokens.push(StoredToken {
            full_token: new_token_value(),
            app_user: owner.map(str::to_owned),
            create_time: now,
            created_manually: true,
            description: new.description,
            expiry_time: max_age.and_then(|seconds| expiry_after(now, seconds)),
            extend_when_used: new.extend_when_used,
            max_age_seconds: max_age,
            last_ip: None,
            last_used_time: None,
            last_user_agent: None,
            scopes: new.scopes,
            ip_allowlist: new.ip_allowlist,
        });
        self.changed();
        Ok(self.data.tokens.len() - 1)
    }

    /// Refuse `new`, a token for `owner` asked for by the token at index `creator`, when it
    /// would be wider than that token.
    ///
    /// Aiven documents nothing about what a token restricted by scopes or an IP allowlist
    /// may create (the API description lists only the scopes that allow the call; the docs
    /// say nothing), so the sandbox keeps what such a token was given: a restricted token
    /// (scopes, or an allowlist) creates only tokens within all of its restrictions, for
    /// its own owner or an application user alike:
    /// - scopes: the new token has scopes, each one the creator holds or covers (`all`
    ///   covers everything, an area its `:read` and `:write`, `:write` its `:read`);
    /// - IP allowlist: the new token has one, each network within one of the creator's;
    /// - lifetime: the new token's maximum age (its default included: 30 days for a
    ///   personal token, none for an application token) is no longer than the creator's,
    ///   and it extends when used only if the creator does.
    ///
    /// Otherwise a `user:write` token could mint an unscoped, ten-year token and so escape
    /// its scope. An unrestricted token may create any token, as its user may (a login
    /// session, itself a 30-day token, creates tokens of any lifetime).
    pub(crate) fn check_within_creator(
        &self,
        creator: usize,
        owner: Option<&str>,
        new: &NewToken,
    ) -> Result<(), Failure> {
        let Some(creator) = self.data.tokens.get(creator) else {
            return Ok(());
        };
        match wider_than(creator, new, max_age_for(owner, new)) {
            Some(why) => Err(Failure::forbidden(code::RESTRICTION_EXCEEDED, why)),
            None => Ok(()),
        }
    }

    /// The index of the one live token of `owner` that `wanted` names (404 for none, 409 for
    /// several).
    pub(crate) fn find(
        &self,
        owner: Option<&str>,
        wanted: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, Failure> {
        let mut matches = self.live(owner, now).filter(|(_, t)| t.answers_to(wanted));
        let shown = crate::secret::visible_prefix(wanted);
        match (matches.next(), matches.next()) {
            (Some((index, _)), None) => Ok(index),
            (None, _) => Err(Failure::not_found(
                code::TOKEN_NOT_FOUND,
                format!("No access token matches prefix '{shown}'"),
            )),
            (Some(_), Some(_)) => Err(Failure::conflict(
                code::AMBIGUOUS_TOKEN_PREFIX,
                format!(
                    "Prefix '{shown}' matches more than one access token: give more characters"
                ),
            )),
        }
    }

    pub(crate) fn set_description(&mut self, index: usize, description: String) {
        if let Some(token) = self.data.tokens.get_mut(index) {
            token.description = description;
            self.changed();
        }
    }

    pub(crate) fn revoke(&mut self, index: usize) {
        if index < self.data.tokens.len() {
            self.data.tokens.remove(index);
            self.changed();
        }
    }

    /// `POST /v1/me/expire_tokens`: every token of `owner` ends, the caller's included.
    pub(crate) fn expire_all(&mut self, owner: Option<&str>, now: DateTime<Utc>) {
        self.data.tokens.retain(|t| t.app_user.as_deref() != owner);
        if owner.is_none() {
            self.data.token_validity_begin = Some(now);
        }
        self.changed();
    }

    /// The index of the application user `user_id` (404 when there is none).
    pub(crate) fn find_app_user(&self, user_id: &str) -> Result<usize, Failure> {
        self.data
            .app_users
            .iter()
            .position(|user| user.user_id == user_id)
            .ok_or_else(|| {
                // Never more than a token prefix of it (it may be a token given by mistake),
                // and a cut marked, so that it does not read as another ID.
                let shown = crate::secret::visible_prefix(user_id);
                let cut = if shown.len() < user_id.len() {
                    "…"
                } else {
                    ""
                };
                Failure::not_found(
                    code::APPLICATION_USER_NOT_FOUND,
                    format!("Application user {shown}{cut} not found"),
                )
            })
    }

    /// A new application user; its index. Names need not be unique (users are told apart by
    /// their IDs).
    pub(crate) fn create_app_user(
        &mut self,
        name: String,
        is_super_admin: bool,
        now: DateTime<Utc>,
    ) -> Result<usize, Failure> {
        if self.data.app_users.len() >= MAX_APP_USERS {
            return Err(Failure::conflict(
                code::APPLICATION_USER_LIMIT_EXCEEDED,
                format!(
                    "The organization already has {MAX_APP_USERS} application users, the \
                     sandbox's maximum: delete one before creating another"
                ),
            ));
        }
        let user_id = loop {
            let candidate = new_user_id();
            if self.find_app_user(&candidate).is_err() {
                break candidate;
            }
        };
        self.data.app_users.push(AppUser {
            user_email: format!("{user_id}@application-users.sandbox.invalid"),
            user_id,
            name,
            is_super_admin,
            create_time: now,
        });
        self.changed();
        Ok(self.data.app_users.len() - 1)
    }

    /// `PATCH`: a new name, and the super admin state when given.
    pub(crate) fn update_app_user(&mut self, index: usize, name: String, admin: Option<bool>) {
        if let Some(user) = self.data.app_users.get_mut(index) {
            user.name = name;
            if let Some(admin) = admin {
                user.is_super_admin = admin;
            }
            self.changed();
        }
    }

    /// Delete an application user and, with it, every token it has.
    pub(crate) fn delete_app_user(&mut self, index: usize) {
        if index < self.data.app_users.len() {
            let user = self.data.app_users.remove(index);
            self.data
                .tokens
                .retain(|t| t.app_user.as_deref() != Some(user.user_id.as_str()));
            self.changed();
        }
    }
}

/// The maximum age a token created for `owner` gets: what was asked, else 30 days for a
/// personal token and none for an application token.
fn max_age_for(owner: Option<&str>, new: &NewToken) -> Option<i64> {
    match (owner, new.max_age_seconds) {
        (_, Some(seconds)) => Some(seconds),
        (None, None) => Some(DEFAULT_MAX_AGE_SECONDS),
        (Some(_), None) => None,
    }
}

/// Why `new` (which would get `max_age`) is wider than the restricted token `creator`, if
/// it is (see [`Store::check_within_creator`]).
fn wider_than(creator: &StoredToken, new: &NewToken, max_age: Option<i64>) -> Option<String> {
    let held = creator.scopes.as_deref().unwrap_or_default();
    let networks = creator.ip_allowlist.as_deref().unwrap_or_default();
    if held.is_empty() && networks.is_empty() {
        return None;
    }
    let listed = |items: &[String]| items.join(", ");
    if !held.is_empty() {
        let asked = new.scopes.as_deref().unwrap_or_default();
        if asked.is_empty() {
            return Some(format!(
                "This token is restricted to the scopes {}: it cannot create a token without \
                 scopes (give it some of those)",
                listed(held)
            ));
        }
        if let Some(scope) = asked
            .iter()
            .find(|scope| !facts::scopes_allow(held, &[scope.as_str()]))
        {
            return Some(format!(
                "This token is restricted to the scopes {}: it cannot grant the scope '{scope}'",
                listed(held)
            ));
        }
    }
    if !networks.is_empty() {
        let allowed: Vec<_> = networks
            .iter()
            .filter_map(|entry| facts::parse_ip_network(entry))
            .collect();
        let asked = new.ip_allowlist.as_deref().unwrap_or_default();
        if asked.is_empty() {
            return Some(format!(
                "This token may be used only from {}: it cannot create a token usable from \
                 anywhere (give an ip_allowlist within those)",
                listed(networks)
            ));
        }
        let within = |entry: &String| {
            facts::parse_ip_network(entry)
                .is_some_and(|network| allowed.iter().any(|outer| outer.contains(&network)))
        };
        if let Some(entry) = asked.iter().find(|entry| !within(entry)) {
            return Some(format!(
                "This token may be used only from {}: it cannot allow {entry}",
                listed(networks)
            ));
        }
    }
    if let Some(limit) = creator.max_age_seconds {
        let longer = match max_age {
            Some(seconds) => seconds > limit,
            None => true,
        };
        if longer {
            let asked = match (new.max_age_seconds, max_age) {
                (Some(seconds), _) => format!("{seconds} seconds"),
                (None, Some(seconds)) => format!("the default of {seconds} seconds"),
                (None, None) => "no expiry".to_owned(),
            };
            return Some(format!(
                "This token is restricted and lives at most {limit} seconds: it cannot create \
                 a token with {asked} (give max_age_seconds of at most {limit})"
            ));
        }
        if new.extend_when_used && !creator.extend_when_used {
            return Some(
                "This token is restricted and does not extend when used: it cannot create a \
                 token that does (extend_when_used)"
                    .to_owned(),
            );
        }
    }
    None
}

/// `u` and 12 hexadecimal digits, as the real user IDs look.
fn new_user_id() -> String {
    let mut bytes = [0u8; 6];
    if SystemRandom::new().fill(&mut bytes).is_err() {
        fallback_fill(&mut bytes);
    }
    let mut id = String::from("u");
    for byte in bytes {
        id.push_str(&format!("{byte:02x}"));
    }
    id
}

/// A fresh random token: [`TOKEN_BYTES`] from the system's secure generator, standard
/// base64 with padding (so `/`, `+` and `=` all occur, as in the real service's tokens).
pub(crate) fn new_token_value() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    // The system generator only fails when the OS has no entropy source at all; a sandbox
    // token must still be unguessable enough to be unique, so fall back to time and a
    // counter rather than refuse to run.
    if SystemRandom::new().fill(&mut bytes).is_err() {
        fallback_fill(&mut bytes);
    }
    BASE64_STANDARD.encode(bytes)
}

fn fallback_fill(bytes: &mut [u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64
        ^ COUNTER.fetch_add(1, Ordering::Relaxed).rotate_left(32);
    let mut state = seed | 1;
    for byte in bytes {
        // xorshift64: unique values, not secrecy (this path is for broken systems only).
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + seconds, 0).unwrap_or_default()
    }

    fn caller() -> Caller<'static> {
        Caller {
            ip: IpAddr::from([127, 0, 0, 1]),
            user_agent: Some("test/1"),
        }
    }

    fn new_token(description: &str, max_age_seconds: Option<i64>, extend: bool) -> NewToken {
        NewToken {
            description: description.into(),
            max_age_seconds,
            extend_when_used: extend,
            scopes: None,
            ip_allowlist: None,
        }
    }

    #[test]
    fn tokens_are_long_padded_base64() {
        let token = new_token_value();
        assert_eq!(token.len(), 344);
        assert!(token.ends_with("=="));
        assert_ne!(token, new_token_value());
    }

    #[test]
    fn quota_counts_personal_live_tokens_only() {
        let mut store = Store::new(Data::default());
        store.open_session(None, at(0));
        for n in 0..PERSONAL_TOKEN_LIMIT {
            let max_age = if n == 0 { Some(5) } else { None };
            assert!(
                store
                    .create(None, new_token("t", max_age, false), at(0))
                    .is_ok()
            );
        }
        let refused = store.create(None, new_token("t", None, false), at(1));
        assert_eq!(refused.map_err(|f| f.status.as_u16()), Err(409));
        // The first token has expired by now, which frees its slot.
        assert!(
            store
                .create(None, new_token("t", None, false), at(10))
                .is_ok()
        );
    }

    #[test]
    fn extend_when_used_pushes_expiry() {
        let mut store = Store::new(Data::default());
        let index = store
            .create(None, new_token("t", Some(100), true), at(0))
            .unwrap_or_default();
        let value = store.tokens()[index].full_token.clone();
        assert!(store.authenticate(&value, caller(), at(90)).is_ok());
        assert_eq!(store.tokens()[index].expiry_time, Some(at(190)));
        assert!(store.authenticate(&value, caller(), at(180)).is_ok());
        assert!(store.authenticate(&value, caller(), at(281)).is_err());
    }

    #[test]
    fn lookup_by_prefix_and_full_token() {
        let token = |value: &str| StoredToken {
            full_token: value.into(),
            app_user: None,
            create_time: at(0),
            created_manually: true,
            description: "d".into(),
            expiry_time: None,
            extend_when_used: false,
            max_age_seconds: None,
            last_ip: None,
            last_used_time: None,
            last_user_agent: None,
            scopes: None,
            ip_allowlist: None,
        };
        let store = Store::new(Data {
            tokens: vec![
                token("abc/def+ghij0000000000=="),
                token("abc/xyz+ghij1111111111=="),
            ],
            ..Data::default()
        });
        let status = |wanted: &str| {
            store
                .find(None, wanted, at(0))
                .map_err(|f| f.status.as_u16())
        };
        assert_eq!(status("abc/"), Err(409));
        assert_eq!(status("abc/d"), Ok(0));
        assert_eq!(status("abc/xyz+ghij"), Ok(1));
        assert_eq!(status("abc/xyz+ghij1111111111=="), Ok(1));
        assert_eq!(status("abc/xyz+ghij11"), Err(404));
        assert_eq!(status("zzz"), Err(404));
    }

    #[test]
    fn session_token_is_reused_or_revived() {
        let mut store = Store::new(Data::default());
        let first = store.open_session(None, at(0));
        assert_eq!(store.open_session(None, at(1)), first);
        assert_eq!(store.open_session(Some("fixed"), at(2)), "fixed");
        store.expire_all(None, at(2));
        assert_eq!(store.open_session(Some("fixed"), at(3)), "fixed");
        assert_eq!(store.tokens().len(), 1);
    }

    #[test]
    fn allowlist_is_enforced() {
        let mut store = Store::new(Data::default());
        let mut new = new_token("t", None, false);
        new.ip_allowlist = Some(vec!["10.0.0.0/8".into()]);
        let index = store.create(None, new, at(0)).unwrap_or_default();
        let value = store.tokens()[index].full_token.clone();
        assert!(store.authenticate(&value, caller(), at(1)).is_err());
    }

    #[test]
    fn application_tokens_have_no_quota_and_no_default_expiry() {
        let mut store = Store::new(Data::default());
        store.open_session(None, at(0));
        let user = store
            .create_app_user("bot".into(), false, at(0))
            .unwrap_or_default();
        let id = store.app_users()[user].user_id.clone();
        assert!(id.starts_with('u') && id.len() == 13, "{id}");
        for _ in 0..PERSONAL_TOKEN_LIMIT + 1 {
            assert!(
                store
                    .create(Some(&id), new_token("t", None, false), at(0))
                    .is_ok()
            );
        }
        let index = store.create(Some(&id), new_token("t", None, true), at(0));
        let token = &store.tokens()[index.unwrap_or_default()];
        assert_eq!((token.expiry_time, token.max_age_seconds), (None, None));
        assert_eq!(store.live(Some(&id), at(1_000_000_000)).count(), 12);
        assert_eq!(
            store.live(None, at(1)).count(),
            1,
            "only the session is the user's"
        );
    }

    #[test]
    fn expire_all_and_deleting_a_user_touch_only_that_owners_tokens() {
        let mut store = Store::new(Data::default());
        store.open_session(None, at(0));
        let first = store
            .create_app_user("a".into(), false, at(0))
            .unwrap_or_default();
        let a = store.app_users()[first].user_id.clone();
        let second = store
            .create_app_user("b".into(), false, at(0))
            .unwrap_or_default();
        let b = store.app_users()[second].user_id.clone();
        for owner in [Some(a.as_str()), Some(a.as_str()), Some(b.as_str())] {
            assert!(
                store
                    .create(owner, new_token("t", None, false), at(0))
                    .is_ok()
            );
        }
        store.expire_all(Some(&a), at(1));
        assert_eq!(store.live(Some(&a), at(1)).count(), 0);
        assert_eq!(store.live(Some(&b), at(1)).count(), 1);
        assert_eq!(store.live(None, at(1)).count(), 1);
        assert_eq!(store.data().token_validity_begin, None);
        store.delete_app_user(second);
        assert_eq!(store.live(Some(&b), at(1)).count(), 0);
        assert!(store.find_app_user(&b).is_err());
        assert_eq!(store.tokens().len(), 1);
    }

    #[test]
    fn a_roll_back_undoes_and_reports_the_changes_since_the_save() {
        let mut store = Store::new(Data::default());
        store.open_session(None, at(0));
        let saved = (store.data().clone(), store.mark());
        assert!(
            store
                .create(None, new_token("a", None, false), at(0))
                .is_ok()
        );
        let first = store.mark().changes;
        assert!(
            store
                .create(None, new_token("b", None, false), at(0))
                .is_ok()
        );
        let second = store.mark().changes;
        store.roll_back(saved.0.clone(), saved.1, "disk full");
        assert_eq!(store.data(), &saved.0);
        assert_eq!(store.lost(first), Some("disk full"));
        assert_eq!(store.lost(second), Some("disk full"));
        assert_eq!(store.lost(saved.1.changes), None, "what was saved stays");
        assert_eq!(
            store.lost(store.mark().changes),
            None,
            "the restored data is no loss"
        );
        assert!(
            store
                .create(None, new_token("c", None, false), at(0))
                .is_ok()
        );
        assert!(store.mark().changes > second, "numbers are never reused");
        assert_eq!(store.lost(store.mark().changes), None);
    }
}
