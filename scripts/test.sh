#!/usr/bin/env bash
# Runs every check and test (installing whatever is missing first). `.ci/run` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export PATH="$PWD/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
# The corpus tests need ../shared; here a missing corpus fails them instead of skipping them.
export TRACETRIAGE_REQUIRE_CORPUS=1

step() { echo "::: $*" >&2; }

step "format"
cargo fmt --all --check

step "lint (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "lint (the pure crates on wasm32)"
cargo clippy -p trace -p engine -p report --target wasm32-unknown-unknown --locked -- -D warnings

step "tests (native: engine, CLI, corpus, robustness)"
cargo test --workspace --locked

step "the pure crates in headless Chromium (wasm-bindgen-test: load, triage, report, share link)"
cargo test -p report --target wasm32-unknown-unknown --test web --locked

step "browser app build (trunk, release)"
trunk build --release

step "CLI and relay release builds (the browser tests compare the page with the CLI and drive a real relay)"
cargo build --release -p cli --locked
cargo build --release -p relay --locked --example fake_server --bin tracetriage-relay

step "end-to-end tests in headless Chromium (playwright-core)"
node --test e2e/
