//! No token is ever printed where it does not belong: `--show-http` traces with the token
//! and new tokens redacted (header names too), and a server that echoes the token back
//! (whole, cut, percent-encoded, base64url, JSON- or HTML-escaped) gets no piece of it
//! printed, by any command, in any format, with or without the trace. (A new token kept
//! out of `rotate`'s later messages is in `rotate`.)

use serde_json::{Value, json};

use crate::support::faults::{FULL_TOKEN, created, encoded, run_cli};
use crate::support::hostile::{PREFIX, no_panic, token_json};
use crate::support::server::{Canned, ScriptedServer};
use crate::support::{Run, TOKEN, cmd, write_credentials};

#[test]
fn show_http_traces_the_exchange_with_secrets_redacted() {
    let server = ScriptedServer::always(created());
    let out = run_cli(
        cmd()
            .api(&server)
            .args(["create", "--description", "ci", "--show-http"]),
    );
    out.success();
    let url = format!("> POST {}/v1/access_token", server.url());
    for expected in [
        url.as_str(),
        "> authorization: aivenv1 (redacted)",
        r#""description":"ci""#,
        "< HTTP 200 OK",
        "< content-type: application/json",
        r#""full_token":"(redacted)""#,
        r#""token_prefix":"XCJ3+bgWywIh""#,
    ] {
        out.stderr_contains(expected);
    }
    // The new token is the command's result: stdout still has it.
    out.stdout_contains(FULL_TOKEN);
}

#[test]
fn tokens_echoed_back_by_the_server_are_scrubbed() {
    // run_cli fails the test if either token reaches stderr.
    let server = ScriptedServer::always(Canned::json(
        403,
        json!({"message": format!("Invalid token {TOKEN} ({})", encoded(TOKEN))}),
    ));
    let out = run_cli(cmd().api(&server).args(["list", "--show-http"]));
    out.code(3);
    out.stderr_contains("Invalid token (redacted)");

    // A full token given as the prefix to revoke travels in the URL: traces and errors
    // show only its first characters, in that call and in the list read to explain its
    // 404 (the list echoes it too).
    let server = ScriptedServer::start(|request| {
        let echo = format!("{FULL_TOKEN} at /v1/access_token/{}", encoded(FULL_TOKEN));
        match request.method.as_str() {
            "GET" => Canned::json(200, json!({"tokens": [], "note": echo})),
            _ => Canned::json(404, json!({ "message": format!("no token {echo}") })),
        }
    });
    let out = run_cli(
        cmd()
            .api(&server)
            .args(["revoke", FULL_TOKEN, "--force", "--show-http"]),
    );
    out.code(4);
    out.stderr_contains("XCJ3%2BbgWywIh");
    assert_eq!(
        server.requests()[0].path,
        format!("/v1/access_token/{}", encoded(FULL_TOKEN)),
        "the real request still names the token in full"
    );

    let out = run_cli(
        cmd()
            .api(&server)
            .env("AIVEN_WEB_URL", "http://127.0.0.1:1")
            .args(["revoke", FULL_TOKEN, "--force", "--retry-budget", "0"]),
    );
    out.code(1).one_line_error();
}

/// Issue 8.2: `--show-http` shows response headers scrubbed of the token; their names were
/// shown as sent, so a server could echo a token (one that HTTP keeps as it is, such as a
/// lower-case one) as a header name.
#[test]
fn the_trace_scrubs_header_names_too() {
    let secret = "lower-case-token-0123456789abcdefghijklmnop";
    let server = ScriptedServer::start(|request| {
        let token = request
            .header("authorization")
            .unwrap_or_default()
            .trim_start_matches("aivenv1 ")
            .to_owned();
        Canned::json(200, json!({"tokens": []}))
            .with_header(&token, "as a name")
            .with_header(&format!("x-{}", &token[4..]), "cut")
    });
    let out = cmd()
        .url(server.url())
        .token(secret)
        .args(["list", "--show-http"])
        .run();
    out.success().stderr_contains("as a name");
    assert!(
        !out.stderr.contains(&secret[12..28]),
        "the token is shown: {}",
        out.stderr
    );
}

/// A token shaped like the real ones: 344 characters of base64 with `+`, `/` and `=`.
fn long_token() -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut token: String = (0..342)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(alphabet[(state % 64) as usize])
        })
        .collect();
    token.push_str("==");
    token
}

/// Every way a careless or hostile server might echo `token`, as text that can sit inside
/// a JSON string as it is (the JSON-escaped spellings decode to the token itself).
fn echoes(token: &str) -> String {
    let url_safe = token.replace('+', "-").replace('/', "_");
    [
        token.to_owned(),
        token[..300].to_owned(),
        token[12..].to_owned(),
        token[150..170].to_owned(),
        token
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D"),
        token
            .replace('+', "%2b")
            .replace('/', "%2f")
            .replace('=', "%3d"),
        url_safe.clone(),
        url_safe.trim_end_matches('=').to_owned(),
        token.replace('/', "\\/").replace('+', "\\u002b"),
        token.replace('+', "&#43;").replace('/', "&#x2F;"),
        token
            .replace('+', "&plus;")
            .replace('/', "&sol;")
            .replace('=', "&equals;"),
        format!("aivenv1 {token}"),
        // Escapes that JSON decoding makes: in a JSON body these are `\\u0063` (an escaped
        // backslash, then `u0063`), `\u002563` (`%63`) and `\u0026#99;` (`&#99;`): the
        // decoded text holds the token escaped once, as from a server that escapes twice.
        escaped_each(&token[20..120], |c| format!("\\\\u{:04x}", u32::from(c))),
        escaped_each(&token[120..220], |c| format!("\\u0025{:02X}", u32::from(c))),
        escaped_each(&token[220..320], |c| format!("\\u0026#{};", u32::from(c))),
    ]
    .join(" ")
}

/// `text` with each character written by `escape`.
fn escaped_each(text: &str, escape: impl Fn(char) -> String) -> String {
    text.chars().map(escape).collect()
}

/// `text` in one spelling: escapes decoded (percent, JSON's `\u0063`, `\/` and `\\`,
/// HTML's `&#99;`, `&#x63;`, `&plus;`, `&sol;`, `&equals;`), base64url's `-_` as `+/`;
/// again until nothing changes, so that an escape written with escapes is read too.
fn canonical(text: &str) -> String {
    let mut text = text.to_owned();
    loop {
        let decoded = canonical_once(&text);
        if decoded == text {
            return text;
        }
        text = decoded;
    }
}

fn canonical_once(text: &str) -> String {
    let ascii = |value: u32| char::from_u32(value).filter(char::is_ascii);
    let hex = |digits: &str| u32::from_str_radix(digits, 16).ok();
    let mut out = String::new();
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let rest = &text[at..];
        let entity = rest
            .strip_prefix("&#")
            .and_then(|tail| Some((tail, tail.find(';').filter(|&end| end <= 9)?)))
            .and_then(|(tail, end)| {
                let digits = &tail[..end];
                let value = match digits.strip_prefix(['x', 'X']) {
                    Some(digits) => hex(digits)?,
                    None => digits.parse().ok()?,
                };
                Some((ascii(value)?, end + 3))
            });
        let named = [("&plus;", '+'), ("&sol;", '/'), ("&equals;", '=')]
            .into_iter()
            .find(|(name, _)| rest.starts_with(name))
            .map(|(name, c)| (c, name.len()));
        let (decoded, len) = match c {
            '%' => rest
                .get(1..3)
                .and_then(hex)
                .and_then(ascii)
                .map_or((c, 1), |c| (c, 3)),
            '\\' => match rest.get(1..2) {
                Some("/") => ('/', 2),
                Some("\\") => ('\\', 2),
                Some("u") => rest
                    .get(2..6)
                    .and_then(hex)
                    .and_then(ascii)
                    .map_or((c, 1), |c| (c, 6)),
                _ => (c, 1),
            },
            '&' => entity.or(named).unwrap_or((c, 1)),
            '-' => ('+', 1),
            '_' => ('/', 1),
            c => (c, c.len_utf8()),
        };
        out.push(decoded);
        at += len;
    }
    out
}

/// No 16-character piece of the token's secret part (after its public 12-character
/// prefix) in anything the run printed, in any spelling.
#[track_caller]
fn assert_no_piece_of(token: &str, out: &Run, what: &str) {
    let printed = format!("{}\n{}", out.stdout, out.stderr);
    let canonical = canonical(&printed);
    let secret = &token.as_bytes()[12..];
    for piece in secret.windows(16) {
        let piece = std::str::from_utf8(piece).unwrap();
        assert!(
            !printed.contains(piece) && !canonical.contains(piece),
            "{what}: a piece of the token ({piece}) was printed: {out:?}"
        );
    }
}

/// How the hostile server of [`hostile_echo_server`] answers.
#[derive(Clone, Copy, Debug)]
enum EchoedIn {
    /// Successful answers with the token in every string field and a header, and handed
    /// back as a "new" token by create.
    Data,
    /// A 401 whose JSON message holds the token (longer than the 300-character cut).
    ErrorMessage,
    /// A 500 HTML page with the token across the 4096-byte trace cut.
    Html,
    /// A 200 that is not JSON, quoting the token.
    Text,
    /// A 200 of the wrong shape, so the decode error quotes the value.
    DecodeError,
}

fn hostile_echo_server(mode: EchoedIn) -> ScriptedServer {
    ScriptedServer::start(move |request| {
        let token = request
            .header("authorization")
            .unwrap_or_default()
            .trim_start_matches("aivenv1 ")
            .to_owned();
        let echo = echoes(&token);
        let with_echo = |status: u16, body: Value| {
            let body = body.to_string().replace("ECHO", &echo);
            Canned::raw(status, "application/json", body.as_bytes())
                .with_header("x-echo", &echo)
                .with_header("www-authenticate", &format!("aivenv1 {token}"))
        };
        let token_with_echo = || {
            let mut token_object = token_json(PREFIX, "ECHO");
            token_object["last_user_agent"] = json!("ECHO");
            token_object["brand_new"] = json!({"nested": ["ECHO"]});
            token_object
        };
        match mode {
            EchoedIn::Data => match (request.method.as_str(), request.path.as_str()) {
                ("GET", "/v1/access_token") => {
                    with_echo(200, json!({ "tokens": [token_with_echo()] }))
                }
                ("POST", "/v1/access_token") | ("PUT", _) => {
                    let mut created = token_with_echo();
                    created["full_token"] = json!(token);
                    with_echo(200, created)
                }
                ("GET", "/v1/me") => with_echo(200, json!({"user": {"user": "ECHO"}})),
                _ => with_echo(200, json!({"message": "ECHO"})),
            },
            EchoedIn::ErrorMessage => with_echo(
                401,
                json!({"message": "Invalid token ECHO", "errors": [{"message": "ECHO", "status": 401}]}),
            ),
            EchoedIn::Html => {
                let page = format!(
                    "<!DOCTYPE html><html><body>{}<p>{echo}</p></body></html>",
                    "x".repeat(3990)
                );
                Canned::raw(500, "text/html", page.as_bytes()).with_header("x-echo", &echo)
            }
            EchoedIn::Text => Canned::raw(200, "text/plain", format!("echo: {echo}").as_bytes()),
            EchoedIn::DecodeError => with_echo(200, json!({"tokens": "ECHO", "user": "ECHO"})),
        }
    })
}

/// Issue 8.2: a server that echoes the Authorization header back — in messages, bodies,
/// headers and HTML, whole, cut, percent-encoded, base64url, JSON-escaped — gets no piece
/// of the token's secret part printed, by any command, in any output format, with or
/// without `--show-http`.
#[test]
fn no_piece_of_the_token_is_printed_whatever_the_server_echoes() {
    let token = long_token();
    let commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["info", PREFIX],
        vec!["create", "--description", "d"],
        vec!["create", "--description", "d", "-q"],
        vec!["update", PREFIX, "--description", "x"],
        vec!["revoke", PREFIX, "--force"],
        vec!["rotate", PREFIX, "--force"],
        vec!["rotate", PREFIX, "--force", "-q"],
        vec!["expire-all", "--yes"],
        vec!["login"],
        vec!["logout"],
    ];
    let formats: [&[&str]; 6] = [
        &[],
        &["-o", "json"],
        &["-o", "csv"],
        &["-o", "yaml"],
        &["-o", "pretty"],
        &["--relative"],
    ];
    for mode in [
        EchoedIn::Data,
        EchoedIn::ErrorMessage,
        EchoedIn::Html,
        EchoedIn::Text,
        EchoedIn::DecodeError,
    ] {
        let server = hostile_echo_server(mode);
        // Output formats only matter when there is data to print.
        let formats: &[&[&str]] = match mode {
            EchoedIn::Data => &formats,
            _ => &formats[..1],
        };
        for command in &commands {
            for format in formats {
                for trace in [&[][..], &["--show-http"][..]] {
                    let home = tempfile::tempdir().unwrap();
                    let mut run = cmd()
                        .home(home.path())
                        .url(server.url())
                        .args(command)
                        .args(*format)
                        .args(trace)
                        .args(["--retry-budget", "0"]);
                    match command[0] {
                        "login" => run = run.write_stdin(format!("{token}\n")),
                        "logout" => {
                            write_credentials(
                                home.path(),
                                &json!({ "auth_token": token }).to_string(),
                            );
                        }
                        _ => run = run.token(&token),
                    }
                    let out = run.run();
                    let what = format!("{mode:?} {command:?} {format:?} {trace:?}");
                    no_panic(&out);
                    assert_no_piece_of(&token, &out, &what);
                }
            }
        }
    }
}

/// Issue 21.2: a token in use may be any printable ASCII (a sandbox's `--token`, a
/// test's), so it may hold the characters escapes start with (`%`, `\`, `&`), and escapes
/// of its own (`%2B`, `\u0041`, `&amp;`). A server echoing it raw, JSON-escaped,
/// percent-encoded and HTML-escaped, in its message, a header and the trace, gets no piece
/// of it printed, and the command ends.
#[test]
fn a_token_holding_escape_characters_is_scrubbed_from_every_echo() {
    // Each spells a text character by character, so the spelling of the token's public
    // prefix is the start of the token's spelling.
    let encodings: [fn(&str) -> String; 4] = [
        |text| text.to_owned(),
        |text| {
            let json = serde_json::to_string(text).unwrap();
            json[1..json.len() - 1].to_owned()
        },
        |text| {
            text.bytes()
                .map(|byte| match byte {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => char::from(byte).to_string(),
                    other => format!("%{other:02X}"),
                })
                .collect()
        },
        |text| {
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('"', "&quot;")
        },
    ];
    for token in [
        r"Sandbox%Tok\en&amp;%2B\u0041&#43;%zz\\x&&-0123456789abcdef",
        r#"%%%%\\\\&&&&"quoted"<tag>%25%5C%26\u0025\u005c\u0026&#37;&#92;"#,
    ] {
        let spellings: Vec<String> = encodings.iter().map(|encode| encode(token)).collect();
        let message = format!("bad token {}", spellings.join(" or "));
        let server = ScriptedServer::always(
            Canned::json(401, json!({ "message": message })).with_header("x-echo", token),
        );
        let out = cmd()
            .url(server.url())
            .token(token)
            .args(["list", "--show-http"])
            .run();
        out.code(3)
            .stderr_contains("bad token (redacted) or (redacted) or (redacted) or (redacted)");
        let printed = format!("{}{}", out.stdout, out.stderr);
        for (encode, spelling) in encodings.iter().zip(&spellings) {
            let public = encode(&token[..12]).len();
            for piece in spelling.as_bytes()[public..].windows(16) {
                let piece = std::str::from_utf8(piece).unwrap();
                assert!(
                    !printed.contains(piece),
                    "{token:?}: {piece:?} of {spelling:?} is printed: {printed}"
                );
            }
        }
    }
}

/// A token the server has just made is a secret from the moment it arrives (issue 18.4):
/// `--show-http` and every message keep it out whatever the answer parses as (strict JSON,
/// `NaN`, trailing data, cut short, the key spelled with escapes), for personal and
/// application tokens alike. Only the result on stdout carries it.
mod new_tokens {
    use crate::support::cmd;
    use crate::support::server::{Canned, ScriptedServer};
    use serde_json::json;

    const NEW: &str = "TkVXdG9rZW4wMDAwU2VjcmV0UGFydE9mVGhlTmV3VG9rZW4x/+MjM0NTY3ODkw==";

    /// No 13-character run of the new token's secret part (past its public 12-character
    /// prefix) on stderr.
    #[track_caller]
    fn not_on_stderr(stderr: &str, what: &str) {
        for window in NEW.as_bytes()[12..].windows(13) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(
                !stderr.contains(piece),
                "{what}: a piece of the new token ({piece}) is on stderr:\n{stderr}"
            );
        }
    }

    /// Create answers of every shape, each holding [`NEW`] as `full_token`.
    fn answers() -> Vec<(&'static str, Vec<u8>)> {
        let object = json!({"token_prefix": &NEW[..12], "full_token": NEW, "description": "d"});
        let strict = object.to_string();
        vec![
            ("strict JSON", strict.clone().into_bytes()),
            (
                "NaN",
                format!(
                    r#"{{"token_prefix": "{}", "full_token": "{NEW}", "max_age_seconds": NaN}}"#,
                    &NEW[..12]
                )
                .into_bytes(),
            ),
            ("trailing data", format!("{strict} and more").into_bytes()),
            ("cut short", strict.as_bytes()[..strict.len() - 3].to_vec()),
            (
                "escaped key, not JSON",
                format!(r#"{{"full\u005ftoken" :  "{NEW}", "x": [1,]}}"#).into_bytes(),
            ),
            (
                "escaped value, not JSON",
                format!(
                    r#"{{"full_token": "{}", oops}}"#,
                    NEW.replace('/', "\\/").replace('+', "\\u002b")
                )
                .into_bytes(),
            ),
            (
                "a long page of text",
                format!("{}{{\"full_token\": \"{NEW}\"}}", "x".repeat(5000)).into_bytes(),
            ),
        ]
    }

    #[test]
    fn show_http_never_shows_a_new_token_whatever_the_answer_is() {
        for (what, body) in answers() {
            for args in [
                vec!["create", "--description", "d", "--show-http"],
                vec!["create", "--description", "d", "--show-http", "-q"],
                vec!["create", "--description", "d", "--show-http", "--json"],
                vec![
                    "application-user",
                    "token",
                    "create",
                    "--organization-id",
                    "org1",
                    "u1",
                    "--description",
                    "d",
                    "--show-http",
                ],
            ] {
                let server = ScriptedServer::always(Canned::raw(200, "application/json", &body));
                let out = cmd().api(&server).args(&args).run();
                assert!(
                    out.stderr.contains("< HTTP 200"),
                    "{what} {args:?}: no trace: {}",
                    out.stderr
                );
                not_on_stderr(&out.stderr, &format!("{what} {args:?}"));
            }
        }
    }

    /// A failed create whose error echoes the token it may have made keeps it out too.
    #[test]
    fn an_error_answer_carrying_a_new_token_does_not_show_it() {
        let body = format!(r#"{{"message": "quota: {NEW} was made", "full_token": "{NEW}"}}"#);
        let server = ScriptedServer::always(Canned::raw(500, "application/json", body.as_bytes()));
        for trace in [&[][..], &["--show-http"][..]] {
            let out = cmd()
                .api(&server)
                .args(["create", "--description", "d"])
                .args(trace)
                .run();
            out.code(1);
            not_on_stderr(&out.stderr, &format!("{trace:?}"));
        }
    }
}
