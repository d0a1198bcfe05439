//! HTTP in and out: one handler reads the request, records it, finds the endpoint, checks
//! the `Authorization` header and runs the store operation under one lock.
//!
//! Routing is a `match` rather than axum routes so that every answer, 404 and 405 included,
//! has the API's error shape, and so that `{prefix}` is decoded here from the raw path
//! (it carries `%2F`, `%2B`, `%3D`) with a proper error for bad encodings.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SubsecRound, Utc};

use super::model::Failure;
use super::store::{Caller, Store};
use super::wire::{self, TokenList, TokenView};
use super::{RecordedRequest, Shared, lock};

/// Request bodies larger than this are refused (413): the largest sensible create request
/// (a 1000-character description, 100 scopes and 100 networks) is well under it.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024;
/// Bodies up to this size are read in full even when refused, so the client gets to read
/// the 413 rather than a connection reset; larger ones are cut off.
const MAX_DRAINED_BYTES: usize = 1024 * 1024;

/// The one handler behind every path.
pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body).await;
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

async fn read_body(headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, Failure> {
    let too_large = || {
        Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
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

/// The API's endpoints; `{prefix}` still percent-encoded.
enum Endpoint<'a> {
    List,
    Create,
    Update(&'a str),
    Revoke(&'a str),
    Me,
    ExpireAll,
}

fn route<'a>(method: &Method, path: &'a str) -> Result<Endpoint<'a>, Failure> {
    let mut segments = path.strip_prefix("/v1/").unwrap_or_default().split('/');
    let allowed: &'static str = match (segments.next(), segments.next(), segments.next()) {
        (Some("access_token"), None, _) => match *method {
            Method::GET => return Ok(Endpoint::List),
            Method::POST => return Ok(Endpoint::Create),
            _ => "GET, POST",
        },
        (Some("access_token"), Some(prefix), None) => match *method {
            Method::PUT => return Ok(Endpoint::Update(prefix)),
            Method::DELETE => return Ok(Endpoint::Revoke(prefix)),
            _ => "PUT, DELETE",
        },
        (Some("me"), None, _) if method == Method::GET => return Ok(Endpoint::Me),
        (Some("me"), None, _) => "GET",
        (Some("me"), Some("expire_tokens"), None) if method == Method::POST => {
            return Ok(Endpoint::ExpireAll);
        }
        (Some("me"), Some("expire_tokens"), None) => "POST",
        // The path is not echoed back: it may hold a full token.
        _ => return Err(Failure::not_found("No such API endpoint")),
    };
    Err(Failure::method_not_allowed(
        format!("{method} is not allowed here (allowed: {allowed})"),
        allowed,
    ))
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
                    format!(
                        "The sandbox could not save its state file {}: {error}",
                        state.path().display()
                    ),
                )
            })?;
    }
    Ok(response)
}

/// Run `endpoint` for the authenticated token at index `me`.
fn apply(
    store: &mut Store,
    endpoint: Endpoint<'_>,
    me: usize,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Response, Failure> {
    Ok(match endpoint {
        Endpoint::List => {
            let tokens = store
                .live(now)
                .map(|(index, token)| TokenView::of(token, index == me))
                .collect();
            wire::ok(&TokenList { tokens })
        }
        Endpoint::Create => {
            let new = wire::parse_create(body)?;
            let index = store.create(new, now)?;
            let token = &store.tokens()[index];
            wire::ok(&TokenView::of(token, false).with_full_token(token))
        }
        Endpoint::Update(prefix) => {
            let index = store.find(&decode(prefix)?, now)?;
            store.set_description(index, wire::parse_update(body)?);
            wire::ok(&TokenView::of(&store.tokens()[index], index == me))
        }
        Endpoint::Revoke(prefix) => {
            let index = store.find(&decode(prefix)?, now)?;
            store.revoke(index);
            wire::message("Access token revoked")
        }
        Endpoint::Me => wire::ok(&wire::me()),
        Endpoint::ExpireAll => {
            store.expire_all();
            wire::message("All access tokens of the user have been expired")
        }
    })
}

/// The token in `Authorization: aivenv1 TOKEN` (`Bearer` is accepted too, as the real API
/// does). Anything missing or malformed is a 403, like an unknown token.
fn credentials(headers: &HeaderMap) -> Result<&str, Failure> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        Failure::forbidden(
            "Authentication required: send the header 'Authorization: aivenv1 TOKEN'",
        )
    })?;
    let malformed = || Failure::forbidden("The Authorization header must be 'aivenv1 TOKEN'");
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = text.trim().split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    let known = scheme.eq_ignore_ascii_case("aivenv1") || scheme.eq_ignore_ascii_case("bearer");
    if !known || token.is_empty() {
        return Err(malformed());
    }
    Ok(token)
}

/// A `{prefix}` path segment, percent-decoded.
fn decode(segment: &str) -> Result<String, Failure> {
    let text = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map_err(|_| Failure::bad_request("The token prefix is not valid UTF-8"))?;
    if text.is_empty() {
        return Err(Failure::bad_request("The token prefix is empty"));
    }
    Ok(text.into_owned())
}

/// Now, at the microsecond precision the API's times have (so what is stored, written to
/// the state file and shown are all the same instant).
pub(super) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
