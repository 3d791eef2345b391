#!/usr/bin/env bash
# Installs whatever is missing to build, serve and test tracetriage, and nothing else.
# Idempotent: on a prepared machine it only checks versions (well under a second).
# Sources: rustup's wasm target, crates.io (trunk, wasm-bindgen-cli), npm (package-lock.json),
# Debian (chromium, chromium-driver). Nothing is downloaded from anywhere else.
#
# usage: scripts/setup.sh [--browser]   (--browser also installs Chromium for the tests)
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
log() { echo "setup: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "${1:-}" = "--browser" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "installing Debian chromium and chromium-driver"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  log "building trunk $TRUNK_VERSION from crates.io (a few minutes, once)"
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --locked trunk --version "$TRUNK_VERSION" --no-default-features
fi

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock.
WB=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB" ]; then
  log "building wasm-bindgen-cli $WB from crates.io (a few minutes, once)"
  # Not --locked: its own lockfile pins a webpki-roots version the registry lacks.
  cargo install wasm-bindgen-cli --version "=$WB"
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  log "installing npm packages (binaryen's wasm-opt, playwright-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi
