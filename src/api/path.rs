//! API paths, and the token prefixes inside them.
//!
//! A prefix named on the command line may be a whole token (`revoke FULL_TOKEN` works, as
//! with `avn`), so a path built from one carries that secret aside: traces and messages show
//! only its first characters, and whatever the server echoes is scrubbed of it.

use crate::secret::{Secret, visible_prefix};

/// Characters left as they are in a path segment: exactly what Python's
/// `urllib.parse.quote(part, safe="")` (used by `avn`) leaves, so both send the same URL.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A token prefix (or full token) as one percent-encoded path segment: `/`→`%2F`, `+`→`%2B`,
/// `=`→`%3D`. `.` and `..` are encoded too, or URL normalisation would eat them.
pub(crate) fn path_segment(prefix: &str) -> String {
    match prefix {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => percent_encoding::utf8_percent_encode(prefix, SEGMENT).to_string(),
    }
}

/// A path under `/v1`: what is sent, what people are shown, the secret it may hold, and
/// whether it names a resource.
pub(crate) struct ApiPath {
    pub(super) sent: String,
    pub(super) shown: String,
    pub(super) secret: Option<Secret>,
    /// The path names something that may not exist (a token, an application user, an
    /// organization): only then can a 404 mean "no such thing" rather than "no such
    /// endpoint here", which is a wrong base URL (see `transport::failure`).
    pub(super) names_resource: bool,
}

impl ApiPath {
    /// A fixed endpoint, naming nothing that may be missing (`/access_token`, `/me`).
    pub(crate) fn endpoint(path: &str) -> ApiPath {
        ApiPath {
            sent: path.to_owned(),
            shown: path.to_owned(),
            secret: None,
            names_resource: false,
        }
    }

    /// A path naming a resource by an ID already encoded into it
    /// (`/organization/{org}/application-users`).
    pub(crate) fn resource(path: &str) -> ApiPath {
        ApiPath {
            names_resource: true,
            ..ApiPath::endpoint(path)
        }
    }

    /// `base` followed by `value` percent-encoded as one path segment: a resource.
    pub(crate) fn with_segment(base: &str, value: &str) -> ApiPath {
        let visible = visible_prefix(value);
        let sent = format!("{base}{}", path_segment(value));
        if visible.len() == value.len() {
            return ApiPath::resource(&sent);
        }
        ApiPath {
            sent,
            shown: format!("{base}{}…", path_segment(visible)),
            secret: Some(Secret::new(value)),
            names_resource: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_one_segment() {
        assert_eq!(path_segment("a/b+c=="), "a%2Fb%2Bc%3D%3D");
        assert_eq!(path_segment("XCJ3+bgWywIh"), "XCJ3%2BbgWywIh");
        assert_eq!(path_segment("ok-._~"), "ok-._~");
        assert_eq!(path_segment(".."), "%2E%2E");
        assert_eq!(path_segment("é ?#"), "%C3%A9%20%3F%23");
    }

    #[test]
    fn a_full_token_in_a_path_is_shown_cut_and_kept_aside() {
        let path = ApiPath::with_segment("/access_token/", "XCJ3+bgWywIhFULL/TOKEN==");
        assert_eq!(path.shown, "/access_token/XCJ3%2BbgWywIh…");
        assert!(path.secret.is_some());
        assert_eq!(ApiPath::with_segment("/t/", "XCJ3+bgWywIh").secret, None);
    }
}
