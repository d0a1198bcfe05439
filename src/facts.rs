//! What the real Aiven API declares, in one place for the client (which checks input before
//! sending it) and the sandbox (which enforces the same rules). Each fact cites its source
//! in `shared/reference/aiven-api-facts.md` (OA: Aiven's OpenAPI description, GC: the
//! official Go client, DOCS: Aiven's documentation, AC: aiven-client).

use std::net::IpAddr;
use std::ops::RangeInclusive;

use ipnet::IpNet;

/// How many characters of a token the API shows as `token_prefix` (every token the API
/// lists has a 12-character prefix): also what may be shown of anything that might be a
/// whole token.
pub(crate) const TOKEN_PREFIX_LEN: usize = 12;

/// Personal (manually created) tokens per user (DOCS).
pub(crate) const PERSONAL_TOKEN_LIMIT: usize = 10;

/// Session (login) tokens kept per user, the oldest dropped first (DOCS).
pub(crate) const SESSION_TOKEN_LIMIT: usize = 1000;

/// A token created without `max_age_seconds` expires after 30 days (the `avn` reference
/// documentation; DOCS for session tokens).
pub(crate) const DEFAULT_MAX_AGE_SECONDS: i64 = 30 * 24 * 60 * 60;

/// Longest `description`, in characters (OA).
pub(crate) const MAX_DESCRIPTION_CHARS: usize = 1000;

/// At most this many `scopes` (OA); the sandbox applies the same cap to `ip_allowlist`.
pub(crate) const MAX_LIST_ENTRIES: usize = 100;

/// An IPv4/IPv6 address (`192.0.2.1`) or CIDR range (`10.0.0.0/8`, `2001:db8::/32`), as
/// `ip_allowlist` entries are written. A bare address is a one-address network.
///
/// This is the one parser of allowlist entries. The client is stricter on top of it: it
/// refuses host bits (`10.0.0.1/8`), most likely a typo, before anything is sent; the
/// sandbox, like a server, accepts every entry it can interpret.
pub(crate) fn parse_ip_network(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// `max_age_seconds` the API accepts: a number from ten minutes to ten years (OA: `number`,
/// minimum 600, maximum 315360000). The client refuses other values before sending them,
/// and the sandbox answers them with 400, as the API does.
pub(crate) const MAX_AGE_SECONDS: RangeInclusive<i64> = 600..=315_360_000;

/// `seconds` if the API accepts it as `max_age_seconds` ([`MAX_AGE_SECONDS`]); else why not,
/// in words for an error message.
pub(crate) fn check_max_age_seconds(seconds: i64) -> Result<i64, String> {
    if MAX_AGE_SECONDS.contains(&seconds) {
        return Ok(seconds);
    }
    Err(format!(
        "the maximum age must be from {} seconds (10 minutes) to {} seconds (10 years), not {seconds}",
        MAX_AGE_SECONDS.start(),
        MAX_AGE_SECONDS.end()
    ))
}

/// The areas of the API's OAuth2 scopes (OA). Each area `X` gives three scopes: `X` (all of
/// the area), `X:read` and `X:write`; with `all`, that is every scope name there is.
pub(crate) const SCOPE_AREAS: [&str; 11] = [
    "accounts",
    "authentication",
    "billing",
    "payments",
    "privatelink",
    "projects",
    "scim",
    "services",
    "static_ips",
    "tickets",
    "user",
];

/// Whether `name` is one of the API's scope names (OA).
pub(crate) fn is_known_scope(name: &str) -> bool {
    if name == "all" {
        return true;
    }
    let area = name
        .strip_suffix(":read")
        .or_else(|| name.strip_suffix(":write"))
        .unwrap_or(name);
    SCOPE_AREAS.contains(&area)
}

/// The scopes that allow each operation (OA `security`), for [`scopes_allow`].
pub(crate) mod scopes {
    /// `GET /v1/access_token`.
    pub(crate) const LIST_TOKENS: &[&str] = &["user:read", "authentication:read"];
    /// `POST /v1/access_token`, `PUT` and `DELETE /v1/access_token/{prefix}`,
    /// `POST /v1/me/expire_tokens`.
    pub(crate) const CHANGE_TOKENS: &[&str] = &["user:write", "authentication:write"];
    /// `GET /v1/me`.
    pub(crate) const USER_INFO: &[&str] = &["user:read"];
    /// `POST /v1/me/logout` declares no scope: any token may end itself.
    pub(crate) const LOGOUT: &[&str] = &[];
    /// `GET /v1/organizations`.
    pub(crate) const LIST_ORGANIZATIONS: &[&str] = &["accounts:read"];
    /// `GET /v1/project` (OA `ProjectList`; not in the facts file: the sandbox serves it
    /// for `avn user login`).
    pub(crate) const LIST_PROJECTS: &[&str] = &["projects:read"];
    /// Reading application users. The API declares a permission for these
    /// (`organization:app_users:write`, GC) but no scope in the public description: these
    /// are the scopes of the organization endpoints it does declare (OA: `accounts:read`
    /// for reading, `accounts:write` for changes).
    pub(crate) const READ_APP_USERS: &[&str] = &["accounts:read"];
    /// Creating, renaming and deleting application users (see [`READ_APP_USERS`]).
    pub(crate) const CHANGE_APP_USERS: &[&str] = &["accounts:write"];
    /// Listing an application user's tokens: as reading the organization, or tokens.
    pub(crate) const READ_APP_TOKENS: &[&str] = &["accounts:read", "authentication:read"];
    /// Creating and revoking an application user's tokens: as changing the organization,
    /// or tokens.
    pub(crate) const CHANGE_APP_TOKENS: &[&str] = &["accounts:write", "authentication:write"];
}

/// Whether a token restricted to `granted` may call an operation that the scopes `allowed`
/// allow (one of the [`scopes`] lists). A token without scopes is unrestricted, and an
/// operation that lists none is open to every token; otherwise one granted scope must be
/// `all`, an allowed scope, the bare area of one (`user` covers `user:read` and
/// `user:write`), or the `:write` of an allowed `:read` (OA, as the facts file reads it).
pub(crate) fn scopes_allow(granted: &[String], allowed: &[&str]) -> bool {
    if granted.is_empty() || allowed.is_empty() {
        return true;
    }
    granted.iter().any(|scope| {
        scope == "all"
            || allowed.iter().any(|wanted| {
                let (area, access) = wanted.split_once(':').unwrap_or((wanted, ""));
                let write_of = scope
                    .strip_prefix(area)
                    .and_then(|rest| rest.strip_prefix(':'))
                    == Some("write");
                scope == wanted || scope == area || (access == "read" && write_of)
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_the_published_range() {
        assert_eq!(check_max_age_seconds(600), Ok(600));
        assert_eq!(check_max_age_seconds(315_360_000), Ok(315_360_000));
        for bad in [-1, 0, 1, 300, 599, 315_360_001] {
            let message = check_max_age_seconds(bad).unwrap_err();
            assert!(message.contains("600"), "{message}");
        }
    }

    #[test]
    fn scope_names_are_the_declared_ones() {
        for known in [
            "all",
            "user",
            "user:read",
            "static_ips:write",
            "authentication",
        ] {
            assert!(is_known_scope(known), "{known}");
        }
        for unknown in [
            "",
            "al",
            "users",
            "user:admin",
            "user:",
            ":read",
            "User:read",
        ] {
            assert!(!is_known_scope(unknown), "{unknown}");
        }
    }

    #[test]
    fn scopes_allow_by_name_area_and_write_over_read() {
        let granted = |names: &[&str]| names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let allow = |names: &[&str], allowed| scopes_allow(&granted(names), allowed);
        assert!(
            allow(&[], scopes::CHANGE_TOKENS),
            "unscoped is unrestricted"
        );
        assert!(allow(&["projects:read"], scopes::LOGOUT));
        assert!(allow(&["all"], scopes::CHANGE_TOKENS));
        assert!(allow(&["user:read"], scopes::LIST_TOKENS));
        assert!(!allow(&["user:read"], scopes::CHANGE_TOKENS));
        assert!(
            allow(&["user:write"], scopes::LIST_TOKENS),
            "write covers read"
        );
        assert!(allow(&["authentication"], scopes::LIST_TOKENS));
        assert!(allow(&["authentication"], scopes::CHANGE_TOKENS));
        assert!(!allow(&["projects:read"], scopes::LIST_TOKENS));
        assert!(!allow(
            &["projects", "services:write"],
            scopes::CHANGE_TOKENS
        ));
        assert!(
            !allow(&["users:write"], scopes::CHANGE_TOKENS),
            "no prefix games"
        );
        assert!(!allow(&["user:writer"], scopes::LIST_TOKENS));
        assert!(!allow(&["authentication:read"], scopes::USER_INFO));
    }
}
