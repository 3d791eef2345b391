//! `tracetriage-relay`: live capture from running LLM servers (SGLang, vLLM,
//! TensorRT-LLM, TokenSpeed) for the CLI and the browser app.
//!
//! Not built yet: the capture protocol and the local relay server are tracked in the
//! relay issue. Until then the binary says so instead of pretending to work.
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

fn main() -> ExitCode {
    eprintln!(
        "tracetriage-relay: live capture is not available in this build yet; \
         capture with your server's /start_profile and /stop_profile and run `tracetriage` on the files"
    );
    ExitCode::FAILURE
}
