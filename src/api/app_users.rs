//! Organizations, application users (organization service accounts) and their tokens: the
//! calls `avn application-user ...` makes, with the paths and bodies it sends (AC
//! `client.py`; GC `handler/applicationuser`).
//!
//! An application user is kept whole (a [`Record`]), as a [`Token`] is: `--json` shows every
//! field the API returned, and the typed accessors read only what commands reason about.
//! Application tokens are [`Token`]s: the API lists them with the same fields as personal
//! tokens.

use serde::{Deserialize, Serialize};

use super::model::{Record, Token};
use super::path::{ApiPath, path_segment};
use super::transport::Method;
use super::{ApiError, Client, NewToken, encode_body};

/// `GET /v1/organizations`: `{"organizations": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "an object with an \"organizations\" list")]
struct OrganizationList {
    organizations: Vec<Organization>,
}

/// One organization the user belongs to. Only the id is required; the rest is for people.
#[derive(Debug, Clone, Deserialize)]
#[serde(expecting = "an organization object")]
pub(crate) struct Organization {
    pub organization_id: String,
    #[serde(default, deserialize_with = "super::model::string_or_none")]
    organization_name: Option<String>,
}

impl Organization {
    /// Its name, when the API gave one.
    pub(crate) fn name(&self) -> Option<&str> {
        self.organization_name.as_deref()
    }

    /// `org1a2b3c4d ("Acme")`: how an organization is named in messages.
    pub(crate) fn describe(&self) -> String {
        match &self.organization_name {
            Some(name) => format!("{} ({name:?})", self.organization_id),
            None => self.organization_id.clone(),
        }
    }
}

/// An application user as the API describes it (`name`, `user_email`, `user_id`,
/// `is_super_admin`, `create_time`, and whatever else it sends), kept whole.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub(crate) struct AppUser(Record);

impl AppUser {
    /// The id the API's paths take.
    pub(crate) fn user_id(&self) -> Option<String> {
        self.0.str("user_id").map(str::to_owned)
    }

    pub(crate) fn name(&self) -> Option<String> {
        self.0.str("name").map(str::to_owned)
    }

    /// Every field the API sent, for the output to show.
    pub(crate) fn record(&self) -> &Record {
        &self.0
    }
}

/// What `POST .../application-users` and `PATCH .../application-users/{id}` take (AC sends
/// only the name).
#[derive(Serialize)]
struct AppUserBody<'a> {
    name: &'a str,
}

/// What `POST .../application-users/{id}/access-tokens` takes, exactly as `avn` sends it:
/// `max_age_seconds` (and with it `extend_when_used`) only when there is a maximum age,
/// so a token without one never expires; lists only when not empty.
#[derive(Debug, Serialize)]
struct AppTokenBody<'a> {
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_age_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extend_when_used: Option<bool>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    ip_allowlist: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    scopes: &'a [String],
}

impl<'a> From<&'a NewToken> for AppTokenBody<'a> {
    fn from(new: &'a NewToken) -> AppTokenBody<'a> {
        AppTokenBody {
            description: &new.description,
            max_age_seconds: new.max_age_seconds,
            extend_when_used: new.max_age_seconds.map(|_| new.extend_when_used),
            ip_allowlist: &new.ip_allowlist,
            scopes: &new.scopes,
        }
    }
}

/// `/organization/{org}/application-users`, each part one percent-encoded segment (as
/// `avn`'s `build_path` quotes them).
fn users_path(organization_id: &str) -> String {
    format!(
        "/organization/{}/application-users",
        path_segment(organization_id)
    )
}

fn user_path(organization_id: &str, user_id: &str) -> String {
    format!("{}/{}", users_path(organization_id), path_segment(user_id))
}

fn tokens_path(organization_id: &str, user_id: &str) -> String {
    format!("{}/access-tokens", user_path(organization_id, user_id))
}

impl Client {
    /// `GET /v1/organizations`: the organizations the user belongs to.
    pub(crate) async fn organizations(&self) -> Result<Vec<Organization>, ApiError> {
        let path = ApiPath::endpoint("/organizations");
        let list: OrganizationList = self.http.call(Method::Get, &path, None).await?;
        Ok(list.organizations)
    }

    /// `GET .../application-users`.
    pub(crate) async fn list_app_users(
        &self,
        organization_id: &str,
    ) -> Result<Vec<AppUser>, ApiError> {
        let path = ApiPath::resource(&users_path(organization_id));
        // `{"application_users": [...]}`, bounded as a token list is.
        let users = self
            .http
            .call_with(Method::Get, &path, None, |body| {
                super::model::record_list(body, "application_users")
            })
            .await?;
        Ok(users.into_iter().map(AppUser).collect())
    }

    /// `GET .../application-users/{user_id}`.
    pub(crate) async fn app_user(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<AppUser, ApiError> {
        let path = ApiPath::resource(&user_path(organization_id, user_id));
        self.http.call(Method::Get, &path, None).await
    }

    /// `POST .../application-users`: the new user.
    pub(crate) async fn create_app_user(
        &self,
        organization_id: &str,
        name: &str,
    ) -> Result<AppUser, ApiError> {
        let path = ApiPath::resource(&users_path(organization_id));
        let body = encode_body(&AppUserBody { name })?;
        self.http.call(Method::Post, &path, Some(body)).await
    }

    /// `PATCH .../application-users/{user_id}`: rename.
    pub(crate) async fn update_app_user(
        &self,
        organization_id: &str,
        user_id: &str,
        name: &str,
    ) -> Result<AppUser, ApiError> {
        let path = ApiPath::resource(&user_path(organization_id, user_id));
        let body = encode_body(&AppUserBody { name })?;
        self.http.call(Method::Patch, &path, Some(body)).await
    }

    /// `DELETE .../application-users/{user_id}`: the user and all of its tokens.
    pub(crate) async fn delete_app_user(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<(), ApiError> {
        let path = ApiPath::resource(&user_path(organization_id, user_id));
        let _: serde::de::IgnoredAny = self.http.call(Method::Delete, &path, None).await?;
        Ok(())
    }

    /// `GET .../application-users/{user_id}/access-tokens`.
    pub(crate) async fn list_app_tokens(
        &self,
        organization_id: &str,
        user_id: &str,
    ) -> Result<Vec<Token>, ApiError> {
        let path = ApiPath::resource(&tokens_path(organization_id, user_id));
        self.http
            .call_with(Method::Get, &path, None, super::model::token_list)
            .await
    }

    /// `POST .../application-users/{user_id}/access-tokens`. The API answers only
    /// `{"full_token", "token_prefix"}`. Never retried once it may have reached the server.
    pub(crate) async fn create_app_token(
        &self,
        organization_id: &str,
        user_id: &str,
        new: &NewToken,
    ) -> Result<Token, ApiError> {
        let path = ApiPath::resource(&tokens_path(organization_id, user_id));
        let body = encode_body(&AppTokenBody::from(new))?;
        self.http.call(Method::Post, &path, Some(body)).await
    }

    /// `DELETE .../application-users/{user_id}/access-tokens/{prefix}` (the prefix may be a
    /// whole token: it is kept out of traces and messages).
    pub(crate) async fn revoke_app_token(
        &self,
        organization_id: &str,
        user_id: &str,
        prefix: &str,
    ) -> Result<(), ApiError> {
        let base = format!("{}/", tokens_path(organization_id, user_id));
        let path = ApiPath::with_segment(&base, prefix);
        let _: serde::de::IgnoredAny = self.http.call(Method::Delete, &path, None).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn body(new: &NewToken) -> Value {
        serde_json::from_slice(&encode_body(&AppTokenBody::from(new)).unwrap()).unwrap()
    }

    #[test]
    fn token_bodies_are_what_avn_sends() {
        let mut new = NewToken {
            description: "d".into(),
            extend_when_used: true,
            ..NewToken::default()
        };
        assert_eq!(body(&new), json!({"description": "d"}));
        new.max_age_seconds = Some(600);
        new.scopes = vec!["user:read".into()];
        new.ip_allowlist = vec!["10.0.0.0/8".into()];
        assert_eq!(
            body(&new),
            json!({"description": "d", "max_age_seconds": 600, "extend_when_used": true,
                   "scopes": ["user:read"], "ip_allowlist": ["10.0.0.0/8"]})
        );
    }

    #[test]
    fn paths_quote_every_part() {
        assert_eq!(
            tokens_path("org/1", "u 2"),
            "/organization/org%2F1/application-users/u%202/access-tokens"
        );
    }

    #[test]
    fn envelopes_name_what_they_expected() {
        let body = br#"{"application_users": [{"user_id": "u1", "name": "ci"}]}"#;
        let users = super::super::model::record_list(body.to_vec(), "application_users");
        let user = AppUser(users.unwrap().remove(0));
        assert_eq!(user.user_id().as_deref(), Some("u1"));
        assert_eq!(user.name().as_deref(), Some("ci"));
        let error = super::super::model::record_list(b"{}".to_vec(), "application_users");
        assert!(error.unwrap_err().to_string().contains("application_users"));
        let error = serde_json::from_str::<OrganizationList>(r#"{"organizations": [{}]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("organization_id"), "{error}");
        let org: Organization =
            serde_json::from_str(r#"{"organization_id": "o1", "organization_name": "Acme"}"#)
                .unwrap();
        assert_eq!(org.describe(), r#"o1 ("Acme")"#);
        let org: Organization =
            serde_json::from_str(r#"{"organization_id": "o1", "organization_name": [{}]}"#)
                .unwrap();
        assert_eq!(org.describe(), "o1");
    }
}
