//! A fake inference server for the browser end-to-end test of live capture: the same fakes
//! the relay's own tests use (`tests/common/fake.rs`, built from the servers' real HTTP
//! APIs), started on a free port, printing its URL, until killed.
//!
//! ```text
//! fake_server sglang PREFILL_TRACE DECODE_TRACE [graphs=on|graphs=off]
//! ```
//!
//! `graphs=…` makes the server report its CUDA graph setting (SGLang `/server_info`), for
//! a two-server capture.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::disallowed_methods,
    clippy::disallowed_types,
    missing_docs
)]

#[path = "../tests/common/fake.rs"]
#[allow(dead_code)]
mod fake;

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind = match args.first().map(String::as_str) {
        Some("vllm") => fake::Kind::Vllm,
        Some("trtllm") => fake::Kind::Trtllm,
        Some("tokenspeed") => fake::Kind::Tokenspeed,
        _ => fake::Kind::Sglang,
    };
    let prefill = PathBuf::from(args.get(1).expect("PREFILL_TRACE"));
    let decode = PathBuf::from(args.get(2).expect("DECODE_TRACE"));
    let mut config = fake::Config::new(kind, vec![(prefill, decode)]);
    config.graphs = match args.get(3).map(String::as_str) {
        Some("graphs=on") => Some(true),
        Some("graphs=off") => Some(false),
        _ => None,
    };
    let server = fake::Fake::start(config);
    println!("{}", server.url);
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
