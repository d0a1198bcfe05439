//! HTTP in and out: one handler authenticates the request from its headers, reads its
//! body, records it, finds the endpoint and runs the store operation under one lock.
//!
//! **Authentication before the body.** A request whose headers do not carry a live token
//! allowed from the client's address is answered (403, or 404/405 for a path the API does
//! not have) without its body ever being kept: up to [`MAX_BODY_BYTES`] of it is read and
//! dropped as it arrives, so that the client reads the answer rather than a reset, and a
//! larger or slower one closes the connection after the answer. It also counts against its
//! connection ([`Standing`]: `serve` closes one that makes only such requests). Only
//! an authenticated request's body is read into memory, at most [`MAX_BODY_BYTES`]; the
//! token is checked again under the store's lock when the call runs (it may have been
//! revoked while the body arrived). Before this order, 300 unauthenticated clients each
//! sending a 1 MiB body took the sandbox from 5 to 320 MB.
//!
//! **Routing is one `match`** ([`route`]), on the raw path, so that every answer, 404 and
//! 405 included, has the API's error shape, `{prefix}` (which carries `%2F`, `%2B`, `%3D`)
//! stays one segment and is decoded here with a proper error for bad encodings, and an
//! endpoint's scopes sit next to it. axum's `Router` was the alternative: it would need a
//! fallback for 404, another for 405 (and its own `Allow`), our decoding instead of its
//! `Path` extractor (whose rejections are plain text), and a raw `Request` in every handler
//! to authenticate before the body, so that what it would bring is the table of eight
//! paths; the connections are served by hyper directly anyway (`serve`: timeouts, the
//! connection cap, per-connection standing). So the sandbox uses hyper's `http` types and
//! `http-body-util`, and axum (with matchit and tower's layers) is not a dependency.

use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use http_body_util::BodyExt as _;
use hyper::body::{Body as _, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Request, StatusCode};

use super::model::{Failure, ORGANIZATION_ID, code};
use super::store::{Caller, Store};
use super::wire::{self, AppUserList, AppUserView, NewAppToken, Response, TokenList, TokenView};
use super::{RecordedRequest, Shared, lock};
use crate::facts::{self, scopes};

/// Request bodies larger than this are refused (413): the largest sensible create request
/// (a 1000-character description, 100 scopes and 100 networks) is well under it. Also how
/// much of an unauthenticated request's body is read (and dropped).
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;
/// An authenticated request's body up to this size is read in full even when refused (what
/// is beyond [`MAX_BODY_BYTES`] dropped as it arrives), so the client gets to read the 413
/// rather than a connection reset; larger ones are cut off.
const MAX_DRAINED_BYTES: usize = 1024 * 1024;

/// The one handler behind every path, for a request from `peer` on a connection whose
/// conduct is `standing` (see the module comment for the order of things).
pub(crate) async fn handle(
    shared: &Shared,
    standing: &Standing,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Response {
    let (parts, body) = request.into_parts();
    let ip = peer.ip().to_canonical();
    let admitted = credentials(&parts.headers)
        .and_then(|presented| lock(&shared.store).admits(presented, ip, now()));
    if let Err(refusal) = admitted {
        return refuse(shared, standing, &parts, body, refusal).await;
    }
    standing.authenticated();
    let read = drain(&parts.headers, body, MAX_BODY_BYTES, MAX_DRAINED_BYTES);
    let drained = match tokio::time::timeout(shared.body_read, read).await {
        Ok(Ok(drained)) => drained,
        Ok(Err(_)) => return closing(unreadable_body()),
        Err(_) => return closing(slow_body(shared.body_read)),
    };
    record(shared, &parts, &drained.kept);
    if drained.length > MAX_BODY_BYTES {
        let too_large = Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::REQUEST_TOO_LARGE,
            format!("The request body is larger than {MAX_BODY_BYTES} bytes"),
        );
        return drained.answer(wire::error(too_large));
    }
    answer(shared, &parts, &drained.kept, ip)
        .await
        .unwrap_or_else(wire::error)
}

/// The answer to a request its headers do not authenticate (`refusal` says why): a path
/// the API does not have is told first (404, 405), as for everyone. Its body is dropped
/// (see the module comment) and kept only when requests are recorded (tests).
async fn refuse(
    shared: &Shared,
    standing: &Standing,
    parts: &Parts,
    body: Incoming,
    refusal: Failure,
) -> Response {
    let failure = route(&parts.method, parts.uri.path())
        .err()
        .unwrap_or(refusal);
    let keep = if shared.recorded.is_some() {
        MAX_BODY_BYTES
    } else {
        0
    };
    // A client waiting for `100 Continue` is not asked for a body nobody will read.
    let expects_continue = parts
        .headers
        .get(header::EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let drained = if expects_continue {
        None
    } else {
        let read = drain(&parts.headers, body, keep, MAX_BODY_BYTES);
        match tokio::time::timeout(shared.body_read, read).await {
            Ok(Ok(drained)) => Some(drained),
            _ => None,
        }
    };
    record(shared, parts, drained.as_ref().map_or(&[], |d| &d.kept));
    let response = wire::error(failure);
    match drained {
        Some(drained) if !standing.refused() => drained.answer(response),
        _ => closing(response),
    }
}

/// Requests refused from their headers (no valid token) a connection may make in a row:
/// the answer to the last says `Connection: close`. (A client whose token stopped working
/// fails its next call on a fresh connection, and sees the same answer.)
pub(crate) const MAX_REFUSED_IN_A_ROW: u32 = 16;

/// How a connection has been using its slot, as its requests tell: the refused ones since
/// its last authenticated one, and when `serve` closes it unless another request
/// authenticates before (a `grace` after it opened or after its last authenticated one).
pub(crate) struct Standing {
    refused: AtomicU32,
    deadline: Mutex<Instant>,
    grace: Duration,
}

impl Standing {
    pub(crate) fn new(grace: Duration) -> Standing {
        Standing {
            refused: AtomicU32::new(0),
            deadline: Mutex::new(Instant::now() + grace),
            grace,
        }
    }

    /// A request whose headers authenticate it: the connection may stay another `grace`.
    pub(crate) fn authenticated(&self) {
        self.refused.store(0, Ordering::Relaxed);
        *super::lock(&self.deadline) = Instant::now() + self.grace;
    }

    /// A request refused from its headers; whether it is the last the connection may make.
    pub(crate) fn refused(&self) -> bool {
        self.refused.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_REFUSED_IN_A_ROW
    }

    /// Ready once no request has authenticated for `grace`.
    pub(crate) async fn lapsed(&self) {
        loop {
            let deadline = *super::lock(&self.deadline);
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// What was read of a request's body.
struct Drained {
    /// Its first bytes, as many as were to be kept.
    kept: Vec<u8>,
    /// Its length as far as known: what was read, or the declared length of a body too
    /// large to read.
    length: usize,
    /// Whether it was read to its end: otherwise the connection cannot go on after the
    /// answer (what is left of the body would be read as the next request).
    complete: bool,
}

impl Drained {
    /// `response`, closing the connection after it unless the body was read to its end.
    fn answer(&self, response: Response) -> Response {
        if self.complete {
            response
        } else {
            closing(response)
        }
    }
}

/// Read `body` to its end, keeping its first `keep` bytes and dropping the rest as it
/// arrives; give up after `limit` bytes, or at once when the declared length is larger.
async fn drain(
    headers: &HeaderMap,
    mut body: Incoming,
    keep: usize,
    limit: usize,
) -> Result<Drained, hyper::Error> {
    let mut drained = Drained {
        kept: Vec::new(),
        length: 0,
        complete: false,
    };
    // Most requests (GET, DELETE) have no body: nothing to wait for.
    if body.is_end_stream() {
        drained.complete = true;
        return Ok(drained);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.parse::<u64>().ok());
    if let Some(length) = declared.filter(|length| *length > limit as u64) {
        drained.length = usize::try_from(length).unwrap_or(usize::MAX);
        return Ok(drained);
    }
    while let Some(frame) = body.frame().await {
        if let Some(data) = frame?.data_ref() {
            let room = keep.saturating_sub(drained.kept.len());
            drained
                .kept
                .extend_from_slice(&data[..data.len().min(room)]);
            drained.length = drained.length.saturating_add(data.len());
            if drained.length > limit {
                return Ok(drained);
            }
        }
    }
    drained.complete = true;
    Ok(drained)
}

fn record(shared: &Shared, parts: &Parts, body: &[u8]) {
    if let Some(recorded) = &shared.recorded {
        lock(recorded).push(RecordedRequest::of(parts, body));
    }
}

/// `response` with `Connection: close`: the connection ends once it is sent.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// 408 for a body that did not arrive in time; the connection closes after it (what is left
/// of the body is never read).
fn slow_body(limit: std::time::Duration) -> Response {
    wire::error(Failure::new(
        StatusCode::REQUEST_TIMEOUT,
        code::REQUEST_TIMEOUT,
        format!(
            "The request body did not arrive within {} seconds",
            limit.as_secs_f64()
        ),
    ))
}

/// 400 for a body that broke off or is not valid HTTP (bad chunked encoding).
fn unreadable_body() -> Response {
    wire::error(Failure::bad_request("The request body could not be read"))
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

/// Run an authenticated request (`ip` as [`IpAddr::to_canonical`] gives it).
async fn answer(
    shared: &Shared,
    parts: &Parts,
    body: &[u8],
    ip: IpAddr,
) -> Result<Response, Failure> {
    let endpoint = route(&parts.method, parts.uri.path())?;
    let presented = credentials(&parts.headers)?;
    let caller = Caller {
        ip,
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
            store.check_within_creator(me, owner, &new)?;
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
            store.check_within_creator(me, Some(&owner), &new)?;
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
