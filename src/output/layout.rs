//! Which fields each command's table shows: the columns `avn` prints, in its order.

/// Which fields a table shows, in order: exactly the columns `avn` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `create` (and `rotate`): the new token with its secret.
    Created,
    /// `list` and `update`.
    Listed,
    /// `info`: one token in detail.
    Detail,
    /// `application-user create|list|info|update`, as `avn` prints application users.
    AppUser,
    /// `application-user token create`: the API answers only the token and its prefix.
    AppTokenCreated,
    /// `application-user token list|info`.
    AppTokens,
    /// `application-user token list|info --verbose`.
    AppTokensVerbose,
    /// `revoke -o json|yaml|csv`: the prefix of the token revoked.
    Revoked,
}

impl Layout {
    pub const fn columns(self) -> &'static [&'static str] {
        match self {
            Layout::Created => &[
                "expiry_time",
                "description",
                "max_age_seconds",
                "extend_when_used",
                "full_token",
            ],
            Layout::Listed => &[
                "expiry_time",
                "token_prefix",
                "description",
                "max_age_seconds",
                "extend_when_used",
                "last_used_time",
                "last_ip",
                "last_user_agent",
            ],
            Layout::Detail => &[
                "token_prefix",
                "description",
                "create_time",
                "expiry_time",
                "max_age_seconds",
                "extend_when_used",
                "last_used_time",
                "last_ip",
                "last_user_agent",
                "scopes",
                "ip_allowlist",
                "created_manually",
                "currently_active",
            ],
            Layout::AppUser => &["name", "user_email", "user_id", "is_super_admin"],
            Layout::AppTokenCreated => &["full_token", "token_prefix"],
            Layout::Revoked => &["revoked"],
            Layout::AppTokens => &[
                "token_prefix",
                "description",
                "last_used_time",
                "expiry_time",
                "currently_active",
            ],
            Layout::AppTokensVerbose => &[
                "token_prefix",
                "description",
                "last_used_time",
                "expiry_time",
                "currently_active",
                "create_time",
                "created_manually",
                "extend_when_used",
                "ip_allowlist",
                "last_ip",
                "last_user_agent_human_readable",
                "max_age_seconds",
                "scopes",
            ],
        }
    }
}
