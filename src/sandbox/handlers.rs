//! HTTP in and out: one handler reads the request, records it, finds the endpoint, checks
//! the `Authorization` header and runs the store operation under one lock.
//!
//! Routing is a `match` rather than axum routes so that every answer, 404 and 405 included,
//! has the API's error shape, and so that `{prefix}` is decoded here from the raw path
//! (it carries `%2F`, `%2B`, `%3D`) with a proper error for bad encodings.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SubsecRound, Utc};
use hyper::body::Body as _;

use super::model::{Failure, ORGANIZATION_ID, code};
use super::store::{Caller, Store};
use super::wire::{self, AppUserList, AppUserView, NewAppToken, TokenList, TokenView};
use super::{RecordedRequest, Shared, lock};
use crate::facts::{self, scopes};

/// Request bodies larger than this are refused (413): the largest sensible create request
/// (a 1000-character description, 100 scopes and 100 networks) is well under it.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;
/// Bodies up to this size are read in full even when refused, so the client gets to read
/// the 413 rather than a connection reset; larger ones are cut off.
const MAX_DRAINED_BYTES: usize = 1024 * 1024;

/// The one handler behind every path, for a request from `peer`.
pub(crate) async fn handle(shared: Arc<Shared>, peer: SocketAddr, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = if body.is_end_stream() {
        // Most requests (GET, DELETE) have no body: nothing to wait for, or to time.
        Ok(axum::body::Bytes::new())
    } else {
        match tokio::time::timeout(shared.body_read, read_body(&parts.headers, body)).await {
            Ok(body) => body,
            Err(_) => return slow_body(shared.body_read),
        }
    };
    if let Some(recorded) = &shared.recorded {
        let bytes = body.as_deref().unwrap_or_default();
        lock(recorded).push(RecordedRequest::of(&parts, bytes));
    }
    let outcome = match body {
        Ok(body) => answer(&shared, &parts, &body, peer.ip()).await,
        Err(failure) => Err(failure),
    };
    outcome.unwrap_or_else(IntoResponse::into_response)
}

/// 408 for a body that did not arrive in time; the connection closes after it (what is left
/// of the body is never read).
fn slow_body(limit: std::time::Duration) -> Response {
    let failure = Failure::new(
        StatusCode::REQUEST_TIMEOUT,
        code::REQUEST_TIMEOUT,
        format!(
            "The request body did not arrive within {} seconds",
            limit.as_secs_f64()
        ),
    );
    let mut response = failure.into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Failure> {
    let too_large = || {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::REQUEST_TOO_LARGE,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_DRAINED_BYTES as u64) {
        return Err(too_large());
    }
    match axum::body::to_bytes(body, MAX_DRAINED_BYTES).await {
        Ok(bytes) if bytes.len() <= MAX_BODY_BYTES => Ok(bytes),
        _ => Err(too_large()),
    }
}

/// The API's endpoints; path parameters still percent-encoded.
enum Endpoint<'a> {
    ListTokens,
    CreateToken,
    UpdateToken(&'a str),
    RevokeToken(&'a str),
    Me,
    Logout,
    ExpireAll,
    Organizations,
    Projects,
    /// `/v1/organization/{org}/application-users...`
    AppUsers(&'a str, AppUsersCall<'a>),
}

/// The calls under `/v1/organization/{org}/application-users`; `{user_id}` and `{prefix}`
/// still percent-encoded.
enum AppUsersCall<'a> {
    List,
    Create,
    Get(&'a str),
    Update(&'a str),
    Delete(&'a str),
    ListTokens(&'a str),
    CreateToken(&'a str),
    RevokeToken(&'a str, &'a str),
}

impl Endpoint<'_> {
    /// The scopes that allow the call ([`facts::scopes_allow`]).
    fn scopes(&self) -> &'static [&'static str] {
        match self {
            Endpoint::ListTokens => scopes::LIST_TOKENS,
            Endpoint::CreateToken
            | Endpoint::UpdateToken(_)
            | Endpoint::RevokeToken(_)
            | Endpoint::ExpireAll => scopes::CHANGE_TOKENS,
            Endpoint::Me => scopes::USER_INFO,
            Endpoint::Logout => scopes::LOGOUT,
            Endpoint::Organizations => scopes::LIST_ORGANIZATIONS,
            Endpoint::Projects => scopes::LIST_PROJECTS,
            Endpoint::AppUsers(_, call) => match call {
                AppUsersCall::List | AppUsersCall::Get(_) => scopes::READ_APP_USERS,
                AppUsersCall::Create | AppUsersCall::Update(_) | AppUsersCall::Delete(_) => {
                    scopes::CHANGE_APP_USERS
                }
                AppUsersCall::ListTokens(_) => scopes::READ_APP_TOKENS,
                AppUsersCall::CreateToken(_) | AppUsersCall::RevokeToken(..) => {
                    scopes::CHANGE_APP_TOKENS
                }
            },
        }
    }
}

/// Path segments after `/v1/` that [`route`] looks at; one more than the longest path, so
/// that longer paths are told apart.
const MAX_SEGMENTS: usize = 7;

fn route<'a>(method: &Method, path: &'a str) -> Result<Endpoint<'a>, Failure> {
    let mut parts = path.strip_prefix("/v1/").unwrap_or_default().split('/');
    let segments: [Option<&str>; MAX_SEGMENTS] = std::array::from_fn(|_| parts.next());
    let is = |wanted: Method| *method == wanted;
    let allowed: &'static str = match segments {
        [Some("access_token"), None, ..] => match *method {
            Method::GET => return Ok(Endpoint::ListTokens),
            Method::POST => return Ok(Endpoint::CreateToken),
            _ => "GET, POST",
        },
        [Some("access_token"), Some(prefix), None, ..] => match *method {
            Method::PUT => return Ok(Endpoint::UpdateToken(prefix)),
            Method::DELETE => return Ok(Endpoint::RevokeToken(prefix)),
            _ => "PUT, DELETE",
        },
        [Some("me"), None, ..] if is(Method::GET) => return Ok(Endpoint::Me),
        [Some("me"), None, ..] => "GET",
        [Some("me"), Some("expire_tokens"), None, ..] if is(Method::POST) => {
            return Ok(Endpoint::ExpireAll);
        }
        [Some("me"), Some("logout"), None, ..] if is(Method::POST) => {
            return Ok(Endpoint::Logout);
        }
        [Some("me"), Some("expire_tokens" | "logout"), None, ..] => "POST",
        [Some("organizations"), None, ..] if is(Method::GET) => {
            return Ok(Endpoint::Organizations);
        }
        [Some("organizations"), None, ..] => "GET",
        [Some("project"), None, ..] if is(Method::GET) => return Ok(Endpoint::Projects),
        [Some("project"), None, ..] => "GET",
        [
            Some("organization"),
            Some(org),
            Some("application-users"),
            rest @ ..,
        ] => {
            let call = match (rest, method.clone()) {
                ([None, ..], Method::GET) => AppUsersCall::List,
                ([None, ..], Method::POST) => AppUsersCall::Create,
                ([None, ..], _) => return Err(not_allowed(method, "GET, POST")),
                ([Some(user), None, ..], Method::GET) => AppUsersCall::Get(user),
                ([Some(user), None, ..], Method::PATCH) => AppUsersCall::Update(user),
                ([Some(user), None, ..], Method::DELETE) => AppUsersCall::Delete(user),
                ([Some(_), None, ..], _) => return Err(not_allowed(method, "GET, PATCH, DELETE")),
                ([Some(user), Some("access-tokens"), None, _], Method::GET) => {
                    AppUsersCall::ListTokens(user)
                }
                ([Some(user), Some("access-tokens"), None, _], Method::POST) => {
                    AppUsersCall::CreateToken(user)
                }
                ([Some(_), Some("access-tokens"), None, _], _) => {
                    return Err(not_allowed(method, "GET, POST"));
                }
                ([Some(user), Some("access-tokens"), Some(prefix), None], Method::DELETE) => {
                    AppUsersCall::RevokeToken(user, prefix)
                }
                ([Some(_), Some("access-tokens"), Some(_), None], _) => {
                    return Err(not_allowed(method, "DELETE"));
                }
                _ => return Err(no_such_endpoint()),
            };
            return Ok(Endpoint::AppUsers(org, call));
        }
        _ => return Err(no_such_endpoint()),
    };
    Err(not_allowed(method, allowed))
}

/// 404 for a path the API does not have. The path is not echoed back: it may hold a full
/// token.
fn no_such_endpoint() -> Failure {
    Failure::not_found(code::NOT_FOUND, "No such API endpoint")
}

fn not_allowed(method: &Method, allowed: &'static str) -> Failure {
    Failure::method_not_allowed(
        format!("{method} is not allowed here (allowed: {allowed})"),
        allowed,
    )
}

async fn answer(
    shared: &Shared,
    parts: &Parts,
    body: &[u8],
    ip: IpAddr,
) -> Result<Response, Failure> {
    let endpoint = route(&parts.method, parts.uri.path())?;
    let presented = credentials(&parts.headers)?;
    let caller = Caller {
        ip: ip.to_canonical(),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok()),
    };
    let now = now();
    // Every store operation runs under one lock, from authentication to the answer's
    // bytes; changes then wait (outside the lock) until they are on disk.
    let (response, changes) = {
        let mut store = lock(&shared.store);
        let me = store.authenticate(presented, caller, now)?;
        let granted = store.tokens()[me].scopes.as_deref().unwrap_or_default();
        if !facts::scopes_allow(granted, endpoint.scopes()) {
            return Err(Failure::forbidden(
                code::INSUFFICIENT_SCOPE,
                format!(
                    "This token's scopes do not allow this call (it needs one of: {})",
                    endpoint.scopes().join(", ")
                ),
            ));
        }
        let response = apply(&mut store, endpoint, me, body, now)?;
        (response, store.mark().changes)
    };
    if let Some(state) = &shared.state {
        state
            .persist_through(&shared.store, changes)
            .await
            .map_err(|error| {
                Failure::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    code::STATE_NOT_SAVED,
                    format!(
                        "The sandbox could not save its state file {}: {error}",
                        state.path().display()
                    ),
                )
            })?;
    }
    Ok(response)
}

/// Run `endpoint` for the authenticated token at index `me`. Personal-token calls act on
/// the caller's own tokens, whoever owns the calling token (the user, or an application
/// user acting through one of its tokens).
fn apply(
    store: &mut Store,
    endpoint: Endpoint<'_>,
    me: usize,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response, Failure> {
    let owner = store.owner(me).map(str::to_owned);
    let owner = owner.as_deref();
    Ok(match endpoint {
        Endpoint::ListTokens => list(store, owner, me, now),
        Endpoint::CreateToken => {
            let new = wire::parse_create(body)?;
            let index = store.create(owner, new, now)?;
            let token = &store.tokens()[index];
            wire::ok(&TokenView::of(token, false).with_full_token(token))
        }
        Endpoint::UpdateToken(prefix) => {
            let index = store.find(owner, &decode(prefix)?, now)?;
            store.set_description(index, wire::parse_update(body)?);
            wire::ok(&TokenView::of(&store.tokens()[index], index == me))
        }
        Endpoint::RevokeToken(prefix) => {
            let index = store.find(owner, &decode(prefix)?, now)?;
            store.revoke(index);
            wire::message("Access token revoked")
        }
        Endpoint::Me => {
            let me = match owner {
                Some(user_id) => wire::me(
                    Some(&store.app_users()[store.find_app_user(user_id)?]),
                    None,
                ),
                None => wire::me(None, store.data().token_validity_begin),
            };
            wire::ok(&me)
        }
        Endpoint::Logout => {
            store.revoke(me);
            wire::message("Logged out")
        }
        Endpoint::ExpireAll => {
            store.expire_all(owner, now);
            wire::message("All access tokens of the user have been expired")
        }
        Endpoint::Organizations => wire::ok(&wire::organizations()),
        Endpoint::Projects => wire::ok(&wire::projects()),
        Endpoint::AppUsers(org, call) => {
            app_users(store, owner, me, &decode(org)?, call, body, now)?
        }
    })
}

/// `{"tokens": [...]}`: the live tokens of `owner`, `me` marked as the current one.
fn list(store: &Store, owner: Option<&str>, me: usize, now: DateTime<Utc>) -> Response {
    let tokens = store
        .live(owner, now)
        .map(|(index, token)| TokenView::of(token, index == me))
        .collect();
    wire::ok(&TokenList { tokens })
}

/// The application-user calls of organization `org`, made by `caller` (`None`: the user;
/// else an application user, who must be a super admin: the API requires the permission
/// `organization:app_users:write`, which organization admins have).
fn app_users(
    store: &mut Store,
    caller: Option<&str>,
    me: usize,
    org: &str,
    call: AppUsersCall<'_>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response, Failure> {
    if org != ORGANIZATION_ID {
        return Err(Failure::not_found(
            code::ORGANIZATION_NOT_FOUND,
            "Organization not found",
        ));
    }
    if let Some(user_id) = caller {
        let user = &store.app_users()[store.find_app_user(user_id)?];
        if !user.is_super_admin {
            return Err(Failure::forbidden(
                code::PERMISSION_DENIED,
                "Only organization admins may manage application users: the caller lacks \
                 the permission organization:app_users:write",
            ));
        }
    }
    let user = |store: &Store, user_id: &str| store.find_app_user(&decode(user_id)?);
    Ok(match call {
        AppUsersCall::List => wire::ok(&AppUserList {
            application_users: store.app_users().iter().map(AppUserView::of).collect(),
        }),
        AppUsersCall::Create => {
            let (name, admin) = wire::parse_app_user(body)?;
            let index = store.create_app_user(name, admin.unwrap_or(false), now)?;
            wire::ok(&AppUserView::of(&store.app_users()[index]))
        }
        AppUsersCall::Get(user_id) => {
            let index = user(store, user_id)?;
            wire::ok(&AppUserView::of(&store.app_users()[index]))
        }
        AppUsersCall::Update(user_id) => {
            let index = user(store, user_id)?;
            let (name, admin) = wire::parse_app_user(body)?;
            store.update_app_user(index, name, admin);
            wire::ok(&AppUserView::of(&store.app_users()[index]))
        }
        AppUsersCall::Delete(user_id) => {
            let index = user(store, user_id)?;
            store.delete_app_user(index);
            wire::no_content()
        }
        AppUsersCall::ListTokens(user_id) => {
            let index = user(store, user_id)?;
            let owner = store.app_users()[index].user_id.clone();
            list(store, Some(&owner), me, now)
        }
        AppUsersCall::CreateToken(user_id) => {
            let index = user(store, user_id)?;
            let owner = store.app_users()[index].user_id.clone();
            let new = wire::parse_create(body)?;
            let index = store.create(Some(&owner), new, now)?;
            wire::ok(&NewAppToken::of(&store.tokens()[index]))
        }
        AppUsersCall::RevokeToken(user_id, prefix) => {
            let index = user(store, user_id)?;
            let owner = store.app_users()[index].user_id.clone();
            let index = store.find(Some(&owner), &decode(prefix)?, now)?;
            store.revoke(index);
            wire::no_content()
        }
    })
}

/// The token in `Authorization: aivenv1 TOKEN` (`Bearer` is accepted too, as the real API
/// does). Anything missing or malformed is a 403, like an unknown token.
fn credentials(headers: &HeaderMap) -> Result<&str, Failure> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        Failure::forbidden(
            code::AUTHENTICATION_FAILED,
            "Authentication required: send the header 'Authorization: aivenv1 TOKEN'",
        )
    })?;
    let malformed = || {
        Failure::forbidden(
            code::AUTHENTICATION_FAILED,
            "The Authorization header must be 'aivenv1 TOKEN'",
        )
    };
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = text.trim().split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    let known = scheme.eq_ignore_ascii_case("aivenv1") || scheme.eq_ignore_ascii_case("bearer");
    if !known || token.is_empty() {
        return Err(malformed());
    }
    Ok(token)
}

/// A path parameter (`{prefix}`, `{user_id}`, `{org}`), percent-decoded.
fn decode(segment: &str) -> Result<String, Failure> {
    let text = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map_err(|_| Failure::bad_request("A path parameter is not valid UTF-8"))?;
    if text.is_empty() {
        return Err(Failure::bad_request("A path parameter is empty"));
    }
    Ok(text.into_owned())
}

/// Now, at the microsecond precision the API's times have (so what is stored, written to
/// the state file and shown are all the same instant).
pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
