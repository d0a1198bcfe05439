//! What the real Aiven API declares, in one place for the client (which checks input before
//! sending it) and the sandbox (which enforces the same rules). Each fact cites its source
//! in `shared/reference/aiven-api-facts.md` (OA: Aiven's OpenAPI description, GC: the
//! official Go client, DOCS: Aiven's documentation, AC: aiven-client).

use std::net::IpAddr;

use ipnet::IpNet;

/// How many characters of a token the API shows as `token_prefix` (every token the API
/// lists has a 12-character prefix): also what may be shown of anything that might be a
/// whole token.
pub const TOKEN_PREFIX_LEN: usize = 12;

/// Personal (manually created) tokens per user (DOCS).
pub const PERSONAL_TOKEN_LIMIT: usize = 10;

/// Session (login) tokens kept per user, the oldest dropped first (DOCS).
pub const SESSION_TOKEN_LIMIT: usize = 1000;

/// A token created without `max_age_seconds` expires after 30 days (the `avn` reference
/// documentation; DOCS for session tokens).
pub const DEFAULT_MAX_AGE_SECONDS: i64 = 30 * 24 * 60 * 60;

/// Longest `description`, in characters (OA).
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// At most this many `scopes` (OA); the sandbox applies the same cap to `ip_allowlist`.
pub const MAX_LIST_ENTRIES: usize = 100;

/// An IPv4/IPv6 address (`192.0.2.1`) or CIDR range (`10.0.0.0/8`, `2001:db8::/32`), as
/// `ip_allowlist` entries are written. A bare address is a one-address network.
///
/// This is the one parser of allowlist entries. The client is stricter on top of it: it
/// refuses host bits (`10.0.0.1/8`), most likely a typo, before anything is sent; the
/// sandbox, like a server, accepts every entry it can interpret.
pub fn parse_ip_network(text: &str) -> Option<IpNet> {
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}
