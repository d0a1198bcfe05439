//! A fake organization with application users, scripted: the API `--app-user`, `audit`
//! and `application-user` call, answering from what the test put in it.

use std::collections::HashMap;

use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

use super::server::{Canned, Request, ScriptedServer};
use super::{Run, cmd};

/// The one organization's ID.
pub const ORG: &str = "org1a2b3c4d";

/// The token an application user's create makes.
pub const NEW_FULL_TOKEN: &str = "NEWapptoken0/the+rest/ofit==";

/// A time `days` from now (negative: ago), as the API writes times.
pub fn days_from_now(days: i64) -> String {
    (Utc::now() + chrono::TimeDelta::days(days)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// An application user's token as the API lists it, used yesterday, expiring in 60 days.
pub fn app_token(prefix: &str, description: &str) -> Value {
    json!({
        "token_prefix": prefix, "description": description, "create_time": days_from_now(-10),
        "created_manually": true, "currently_active": false, "expiry_time": days_from_now(60),
        "extend_when_used": true, "max_age_seconds": 7200, "last_used_time": days_from_now(-1),
        "last_ip": null, "last_user_agent": null, "scopes": ["projects:read"],
        "ip_allowlist": ["10.0.0.0/8"]
    })
}

/// What the fake organization holds.
#[derive(Clone)]
pub struct Org {
    pub organizations: Vec<Value>,
    pub users: Vec<Value>,
    /// Application users' tokens by user id; a missing user answers 404.
    pub tokens: HashMap<String, Vec<Value>>,
    pub personal: Vec<Value>,
}

impl Org {
    /// One organization, users `u1` ("ci-bot") and `u2` ("deployer"), each with a token.
    pub fn new() -> Org {
        let mut tokens = HashMap::new();
        tokens.insert(
            "u1".to_owned(),
            vec![
                app_token("CIBOTtoken01", "ci"),
                // What `create` makes, as the list shows it afterwards.
                app_token("NEWapptoken0", "deploy"),
            ],
        );
        tokens.insert("u2".to_owned(), vec![app_token("DEPLOYtoken1", "deploy")]);
        Org {
            organizations: vec![json!({"organization_id": ORG, "organization_name": "Acme"})],
            users: vec![
                json!({"user_id": "u1", "name": "ci-bot", "user_email": "u1@app", "is_super_admin": false}),
                json!({"user_id": "u2", "name": "deployer", "user_email": "u2@app", "is_super_admin": false}),
            ],
            tokens,
            personal: vec![],
        }
    }

    pub fn answer(&self, request: &Request) -> Canned {
        let path = request.path.as_str();
        let users_path = format!("/v1/organization/{ORG}/application-users");
        match (request.method.as_str(), path) {
            ("GET", "/v1/organizations") => {
                Canned::json(200, json!({"organizations": self.organizations}))
            }
            ("GET", "/v1/me") => Canned::json(200, json!({"user": {"user": "dev@example.com"}})),
            ("GET", "/v1/access_token") => Canned::json(200, json!({"tokens": self.personal})),
            ("GET", p) if p == users_path => {
                Canned::json(200, json!({"application_users": self.users}))
            }
            (method, p) if p.starts_with(&format!("{users_path}/")) => {
                let rest: Vec<&str> = p[users_path.len() + 1..].split('/').collect();
                match (method, rest.as_slice()) {
                    ("GET", [user, "access-tokens"]) => match self.tokens.get(*user) {
                        Some(tokens) => Canned::json(200, json!({"tokens": tokens})),
                        None => Canned::json(404, json!({"message": "Application user not found"})),
                    },
                    ("POST", [_, "access-tokens"]) => Canned::json(
                        200,
                        json!({"full_token": NEW_FULL_TOKEN, "token_prefix": "NEWapptoken0"}),
                    ),
                    ("DELETE", [_, "access-tokens", _] | [_]) => {
                        Canned::raw(204, "text/plain", b"")
                    }
                    _ => Canned::json(404, json!({"message": "Not found"})),
                }
            }
            _ => Canned::json(404, json!({"message": "Not found"})),
        }
    }

    pub fn serve(self) -> ScriptedServer {
        ScriptedServer::start(move |request| self.answer(request))
    }
}

/// Method and path of every request, in order.
pub fn calls(server: &ScriptedServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// `avn-token ARGS` against `server`.
pub fn run(server: &ScriptedServer, args: &[&str]) -> Run {
    cmd().api(server).args(args).run()
}
