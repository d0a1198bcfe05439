//! Parse and render a 10,000-token list in-process, without the network: the render time
//! `bench/run.sh` reports. Run with `cargo bench --bench render`.

use std::time::{Duration, Instant};

use avn_token::api::parse_token_list;
use avn_token::cli::OutputFormat;
use avn_token::output::{Layout, Printer};
use serde_json::json;

const TOKENS: usize = 10_000;
const ROUNDS: usize = 15;

fn main() {
    let tokens: Vec<_> = (0..TOKENS)
        .map(|index| {
            json!({
                "create_time": "2021-08-16T15:29:14.000001Z", "created_manually": index < 5,
                "currently_active": index == 0, "description": format!("bench token {index}"),
                "expiry_time": "2031-09-15T15:29:14.654321Z", "extend_when_used": true,
                "last_ip": "192.168.1.1", "last_used_time": "2021-08-16T15:29:14Z",
                "last_user_agent": "aiven-client/4.18.0",
                "last_user_agent_human_readable": "Aiven Client 4.18.0",
                "max_age_seconds": 2592000, "token_prefix": format!("bench{index:07}"),
            })
        })
        .collect();
    let body = json!({ "tokens": tokens }).to_string().into_bytes();
    let parsed = parse_token_list(200, &body).expect("the canned list parses");

    let parse = median(|| {
        std::hint::black_box(parse_token_list(200, &body).unwrap());
    });
    println!(
        "parse a {} KiB body into {TOKENS} tokens: {:.1} ms",
        body.len() / 1024,
        ms(parse)
    );
    for format in [
        OutputFormat::Table,
        OutputFormat::Json,
        OutputFormat::Csv,
        OutputFormat::Yaml,
    ] {
        let printer = Printer::new(format, false);
        let render = median(|| {
            std::hint::black_box(printer.render(&parsed, Layout::Listed));
        });
        println!("render {TOKENS} tokens as {format:?}: {:.1} ms", ms(render));
    }
}

/// The median of ROUNDS timings of `work`.
fn median(mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[ROUNDS / 2]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
