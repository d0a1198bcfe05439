//! The sandbox's data, one user's tokens, and the rules of the real service: the 10-token
//! quota, expiry and `extend_when_used`, prefix or full-token lookup, last-used bookkeeping.
//!
//! Pure logic: the time and the caller come in as arguments, so every rule is testable
//! without a server or a clock. HTTP lives in `handlers`, JSON shapes in `wire`, files in
//! `persist`, and the types they share in `model`.

use std::net::IpAddr;

use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use ring::rand::{SecureRandom, SystemRandom};

use super::model::{Failure, NewToken, StoredToken};
use crate::facts::{DEFAULT_MAX_AGE_SECONDS, PERSONAL_TOKEN_LIMIT, SESSION_TOKEN_LIMIT};

/// Random bytes per token: 256 bytes make 344 base64 characters ending in `==`, long like
/// the real tokens, and with `/`, `+` and `=` for clients' path encoding to get right.
const TOKEN_BYTES: usize = 256;
const SESSION_DESCRIPTION: &str = "avn-token sandbox login session";

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
    /// revoked, renamed, expired.
    pub(crate) changes: u64,
    /// Uses of tokens (last-used fields, extended expiry): written lazily, see `persist`.
    pub(crate) uses: u64,
}

/// All tokens of the sandbox's single user, in creation order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Store {
    tokens: Vec<StoredToken>,
    mark: Mark,
}

impl Store {
    pub(crate) fn new(tokens: Vec<StoredToken>) -> Store {
        Store {
            tokens,
            mark: Mark::default(),
        }
    }

    pub(crate) fn tokens(&self) -> &[StoredToken] {
        &self.tokens
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
        let reusable = match wanted {
            Some(value) => self
                .tokens
                .iter()
                .find(|t| t.full_token == value && t.is_live(now)),
            None => self
                .tokens
                .iter()
                .filter(|t| !t.created_manually && t.is_live(now))
                .max_by_key(|t| t.create_time),
        };
        if let Some(token) = reusable {
            return token.full_token.clone();
        }
        let value = wanted.map_or_else(new_token_value, str::to_owned);
        self.tokens.retain(|t| t.full_token != value);
        self.tokens.push(StoredToken {
            full_token: value.clone(),
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
        let sessions = self.tokens.iter().filter(|t| !t.created_manually).count();
        let mut excess = sessions.saturating_sub(SESSION_TOKEN_LIMIT);
        // Oldest first: the tokens are in creation order.
        self.tokens.retain(|t| {
            let drop = excess > 0 && !t.created_manually;
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
        let index = self
            .tokens
            .iter()
            .position(|t| t.full_token == presented && t.is_live(now))
            .ok_or_else(|| Failure::forbidden("Invalid or expired token"))?;
        let token = &mut self.tokens[index];
        if !token.allows(caller.ip) {
            return Err(Failure::forbidden(format!(
                "This token may not be used from {}",
                caller.ip
            )));
        }
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

    /// The live tokens, in creation order.
    pub(crate) fn live(&self, now: DateTime<Utc>) -> impl Iterator<Item = (usize, &StoredToken)> {
        self.tokens
            .iter()
            .enumerate()
            .filter(move |(_, t)| t.is_live(now))
    }

    /// A new personal token; its index. Expired tokens are dropped first: they are gone for
    /// good, and must not count against the quota.
    pub(crate) fn create(&mut self, new: NewToken, now: DateTime<Utc>) -> Result<usize, Failure> {
        let before = self.tokens.len();
        self.tokens.retain(|t| t.is_live(now));
        if self.tokens.len() != before {
            self.changed();
        }
        let personal = self.tokens.iter().filter(|t| t.created_manually).count();
        if personal >= PERSONAL_TOKEN_LIMIT {
            return Err(Failure::conflict(format!(
                "You already have {PERSONAL_TOKEN_LIMIT} personal access tokens, the maximum: \
                 revoke one before creating another"
            )));
        }
        let max_age = new.max_age_seconds.unwrap_or(DEFAULT_MAX_AGE_SECONDS);
        self.tokens.push(StoredToken {
            full_token: new_token_value(),
            create_time: now,
            created_manually: true,
            description: new.description,
            expiry_time: expiry_after(now, max_age),
            extend_when_used: new.extend_when_used,
            max_age_seconds: Some(max_age),
            last_ip: None,
            last_used_time: None,
            last_user_agent: None,
            scopes: new.scopes,
            ip_allowlist: new.ip_allowlist,
        });
        self.changed();
        Ok(self.tokens.len() - 1)
    }

    /// The index of the one live token `wanted` names (404 for none, 409 for several).
    pub(crate) fn find(&self, wanted: &str, now: DateTime<Utc>) -> Result<usize, Failure> {
        let mut matches = self.live(now).filter(|(_, t)| t.answers_to(wanted));
        let shown = crate::secret::visible_prefix(wanted);
        match (matches.next(), matches.next()) {
            (Some((index, _)), None) => Ok(index),
            (None, _) => Err(Failure::not_found(format!(
                "No access token matches prefix '{shown}'"
            ))),
            (Some(_), Some(_)) => Err(Failure::conflict(format!(
                "Prefix '{shown}' matches more than one access token: give more characters"
            ))),
        }
    }

    pub(crate) fn set_description(&mut self, index: usize, description: String) {
        if let Some(token) = self.tokens.get_mut(index) {
            token.description = description;
            self.changed();
        }
    }

    pub(crate) fn revoke(&mut self, index: usize) {
        if index < self.tokens.len() {
            self.tokens.remove(index);
            self.changed();
        }
    }

    /// `POST /v1/me/expire_tokens`: every token of the user ends, the caller's included.
    pub(crate) fn expire_all(&mut self) {
        self.tokens.clear();
        self.changed();
    }
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
    base64::engine::general_purpose::STANDARD.encode(bytes)
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
        let mut store = Store::new(Vec::new());
        store.open_session(None, at(0));
        for n in 0..PERSONAL_TOKEN_LIMIT {
            let max_age = if n == 0 { Some(5) } else { None };
            assert!(store.create(new_token("t", max_age, false), at(0)).is_ok());
        }
        let refused = store.create(new_token("t", None, false), at(1));
        assert_eq!(refused.map_err(|f| f.status.as_u16()), Err(409));
        // The first token has expired by now, which frees its slot.
        assert!(store.create(new_token("t", None, false), at(10)).is_ok());
    }

    #[test]
    fn extend_when_used_pushes_expiry() {
        let mut store = Store::new(Vec::new());
        let index = store
            .create(new_token("t", Some(100), true), at(0))
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
        let store = Store::new(vec![
            token("abc/def+ghij0000000000=="),
            token("abc/xyz+ghij1111111111=="),
        ]);
        let status = |wanted: &str| store.find(wanted, at(0)).map_err(|f| f.status.as_u16());
        assert_eq!(status("abc/"), Err(409));
        assert_eq!(status("abc/d"), Ok(0));
        assert_eq!(status("abc/xyz+ghij"), Ok(1));
        assert_eq!(status("abc/xyz+ghij1111111111=="), Ok(1));
        assert_eq!(status("abc/xyz+ghij11"), Err(404));
        assert_eq!(status("zzz"), Err(404));
    }

    #[test]
    fn session_token_is_reused_or_revived() {
        let mut store = Store::new(Vec::new());
        let first = store.open_session(None, at(0));
        assert_eq!(store.open_session(None, at(1)), first);
        assert_eq!(store.open_session(Some("fixed"), at(2)), "fixed");
        store.expire_all();
        assert_eq!(store.open_session(Some("fixed"), at(3)), "fixed");
        assert_eq!(store.tokens().len(), 1);
    }

    #[test]
    fn allowlist_is_enforced() {
        let mut store = Store::new(Vec::new());
        let mut new = new_token("t", None, false);
        new.ip_allowlist = Some(vec!["10.0.0.0/8".into()]);
        let index = store.create(new, at(0)).unwrap_or_default();
        let value = store.tokens()[index].full_token.clone();
        assert!(store.authenticate(&value, caller(), at(1)).is_err());
    }
}
