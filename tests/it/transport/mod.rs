//! The client's side of HTTP, against scripted servers on 127.0.0.1: what is retried, what
//! ends a call, and what the user sees of the API's answers, broken ones included, and a URL
//! with no API behind it (`wrong_url`).

mod empty_answers;
mod responses;
mod retries;
mod timeouts;
mod wrong_url;
