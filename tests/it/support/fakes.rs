//! Fake Aiven APIs that several test files script commands against: each answers the calls
//! it knows as the real service does, from a list of tokens the test gives.

use serde_json::{Value, json};

use super::server::{Canned, ScriptedServer};

/// Two tokens as `avn`'s reference page shows them, one with a field avn does not know.
pub fn sample_tokens() -> Value {
    json!([
        {
            "create_time": "2021-08-16T15:29:14.000001Z", "created_manually": true,
            "currently_active": false, "description": "Test token",
            "expiry_time": "2021-09-15T15:29:14.654321Z", "extend_when_used": true,
            "last_ip": "192.168.1.1", "last_used_time": "2021-08-16T15:29:14Z",
            "last_user_agent": "aiven-client/2.12.0", "last_user_agent_human_readable": "Aiven Client 2.12.0",
            "max_age_seconds": 2592000, "token_prefix": "XCJ3+bgWywIh", "a_new_field": {"k": [1, 2]}
        },
        {
            "create_time": "2021-08-16T16:26:10Z", "created_manually": true,
            "currently_active": true, "description": "To be used with Python Notebooks",
            "expiry_time": "2021-08-16T16:26:10Z", "extend_when_used": true,
            "last_ip": null, "last_used_time": null, "last_user_agent": null,
            "max_age_seconds": 3600, "token_prefix": "6JsKDclT3OMQ"
        }
    ])
}

/// A fake Aiven API answering the four access-token calls.
pub fn fake_aiven(tokens: Value) -> ScriptedServer {
    ScriptedServer::start(
        move |request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v1/access_token") => Canned::json(200, json!({ "tokens": tokens })),
            ("POST", "/v1/access_token") => {
                let mut token = tokens[0].clone();
                let body = request.json();
                token["description"] = body["description"].clone();
                token["max_age_seconds"] = body["max_age_seconds"].clone();
                token["extend_when_used"] = body["extend_when_used"].clone();
                token["full_token"] = json!("XCJ3+bgWywIhFULL/TOKEN+VALUE==");
                Canned::json(200, token)
            }
            ("PUT", _) => {
                let mut token = tokens[0].clone();
                token["description"] = request.json()["description"].clone();
                Canned::json(200, token)
            }
            ("DELETE", _) => Canned::json(200, json!({"message": "Token revoked"})),
            _ => Canned::json(
                404,
                json!({"message": "Not found", "errors": [{"message": "Not found", "status": 404}]}),
            ),
        },
    )
}

/// A fake API: the list is `tokens`; create echoes the request with a full token; delete,
/// me and expire_tokens answer as the real service does.
pub fn token_api(tokens: Vec<Value>) -> ScriptedServer {
    ScriptedServer::start(
        move |request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", "/v1/access_token") => Canned::json(200, json!({ "tokens": tokens })),
            ("POST", "/v1/access_token") => {
                let mut created = request.json();
                created["token_prefix"] = json!("NEWtoken0000");
                created["full_token"] = json!("NEWtoken0000/full+token==");
                created["expiry_time"] = json!("2030-01-01T00:00:00Z");
                Canned::json(200, created)
            }
            ("DELETE", _) | ("POST", "/v1/me/logout") => {
                Canned::json(200, json!({"message": "Revoked"}))
            }
            ("POST", "/v1/me/expire_tokens") => {
                Canned::json(200, json!({"message": "All tokens expired"}))
            }
            ("GET", "/v1/me") => Canned::json(
                200,
                json!({"user": {"user": "dev@example.com", "user_id": "u-1", "real_name": "Dev"}}),
            ),
            _ => Canned::json(404, json!({"message": "Not found"})),
        },
    )
}

/// How many `DELETE`s `server` received.
pub fn deletes(server: &ScriptedServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .count()
}

/// The paths of the `DELETE`s `server` received, in order.
pub fn deleted(server: &ScriptedServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|request| request.method == "DELETE")
        .map(|request| request.path)
        .collect()
}

/// The bodies of the tokens created (`POST /v1/access_token`), in order.
pub fn posted(server: &ScriptedServer) -> Vec<Value> {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/v1/access_token")
        .map(|r| r.json())
        .collect()
}

/// A fake API listing `tokens`. Create echoes the request with a full token; a path naming
/// a token answers as the real service does: 404 when nothing matches, 409 when several do.
pub fn prefix_api(tokens: Vec<Value>) -> ScriptedServer {
    ScriptedServer::start(move |request| {
        let prefix = request
            .path
            .strip_prefix("/v1/access_token/")
            .map(|encoded| {
                encoded
                    .replace("%2F", "/")
                    .replace("%2B", "+")
                    .replace("%3D", "=")
            });
        match (request.method.as_str(), request.path.as_str(), prefix) {
            ("GET", "/v1/access_token", _) => Canned::json(200, json!({ "tokens": tokens })),
            ("POST", "/v1/access_token", _) => {
                let mut created = request.json();
                created["token_prefix"] = json!("NEWtoken0000");
                created["full_token"] = json!(format!("NEWtoken0000{}", "/full+token".repeat(30)));
                created["expiry_time"] = json!("2030-01-01T00:00:00Z");
                Canned::json(200, created)
            }
            ("GET", "/v1/me", _) => Canned::json(200, json!({"user": {"user": "dev@example.com"}})),
            (_, _, Some(prefix)) => {
                let matching: Vec<&Value> = tokens
                    .iter()
                    .filter(|t| {
                        let known = t["token_prefix"].as_str().unwrap();
                        known.starts_with(&prefix) || prefix.starts_with(known)
                    })
                    .collect();
                match matching.len() {
                    0 => api_error(404, "Token not found"),
                    1 => Canned::json(200, matching[0].clone()),
                    _ => api_error(409, "Multiple tokens match"),
                }
            }
            _ => api_error(404, "Not found"),
        }
    })
}

/// An error in the API's shape: `message`, and `errors` holding it with the status.
pub fn api_error(status: u16, message: &str) -> Canned {
    Canned::json(
        status,
        json!({"message": message, "errors": [{"message": message, "status": status}]}),
    )
}

/// Whether `server` received anything but `GET /v1/access_token`.
pub fn sent_anything_but_list(server: &ScriptedServer) -> bool {
    server
        .requests()
        .iter()
        .any(|r| !(r.method == "GET" && r.path == "/v1/access_token"))
}
