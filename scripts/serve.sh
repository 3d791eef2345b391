#!/usr/bin/env bash
# Builds the browser app and serves it on http://127.0.0.1:${PORT:-8080}/
# (installing whatever is missing first). The page works offline: traces are read in the
# browser tab and never uploaded.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH" TRUNK_SKIP_VERSION_CHECK=true
PORT=${PORT:-8080}
echo "tracetriage: building, then serving on http://127.0.0.1:$PORT/" >&2
exec trunk serve --release --address 127.0.0.1 --port "$PORT"
