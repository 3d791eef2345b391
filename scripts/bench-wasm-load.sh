#!/usr/bin/env bash
# Loader throughput in WebAssembly (V8, as in Chromium) without the browser around it:
# builds examples/wasm_load.rs for wasm32 (release, SIMD as in .cargo/config.toml),
# binds it for Node and feeds it a trace. Usage: scripts/bench-wasm-load.sh [TRACE] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
trace="${1:-target/bench/sglang-1gib.trace.json.gz}"
repeat="${2:-3}"
cargo build -q --profile ${PROFILE:-release} --target wasm32-unknown-unknown --example wasm_load
out=target/wasm-load
wasm-bindgen --target nodejs --out-dir "$out" \
  target/wasm32-unknown-unknown/${PROFILE:-release}/examples/wasm_load.wasm
if command -v wasm-opt >/dev/null || [ -x node_modules/.bin/wasm-opt ]; then
  opt="$(command -v wasm-opt || echo node_modules/.bin/wasm-opt)"
  "$opt" -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals "$out/wasm_load_bg.wasm" -o "$out/wasm_load_bg.wasm"
fi
node scripts/wasm-load.mjs "$out" "$trace" "$repeat"
