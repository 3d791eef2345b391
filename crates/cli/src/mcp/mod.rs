//! `tracetriage mcp`: the engine as Model Context Protocol tools over stdio (the official
//! Rust SDK, `rmcp`), for coding agents. Tools: `triage`, `inspect`, `kernels`, `verdict`,
//! `overlap`, `fuse`, `layers`, `diff`, `roofline`, `explain` (a row by its id) and
//! `capture` (through a running relay). Each answers with structured content (the report
//! JSON's parts, every row with its `row_id`) and a short text, bounded by `limit`.
//! Loaded traces and reports are cached ([`cache`]); the `sources` resource lists them.
//!
//! Errors an agent can act on (a missing path, a file that is not a trace, a bad argument)
//! are tool results with `isError` whose text names the problem and the fix; a request the
//! protocol cannot read is a JSON-RPC error. Nothing a client sends ends the server: the
//! tools run on a blocking thread each, and a panic there is one more tool error.

mod cache;
mod errors;
mod load;
mod other;
mod params;
mod relay;
mod rows;
mod server;
mod tools;

/// Arguments of `mcp`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A running `tracetriage-relay serve` for the `capture` tool (`http://127.0.0.1:PORT`;
    /// default: the environment variable TRACETRIAGE_RELAY).
    #[arg(long, value_name = "URL")]
    pub relay: Option<String>,
    /// The relay's token (printed by `tracetriage-relay serve`; default: the environment
    /// variable TRACETRIAGE_RELAY_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    pub relay_token: Option<String>,
}

/// Runs the server until the client closes stdin.
///
/// # Errors
/// When the runtime cannot start or stdio fails.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let url = args.relay.clone().or_else(|| env("TRACETRIAGE_RELAY"));
    let token = args.relay_token.clone().or_else(|| env("TRACETRIAGE_RELAY_TOKEN")).unwrap_or_default();
    let relay = url.map(|url| relay::Relay { url, token });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(server::serve(relay))
}
