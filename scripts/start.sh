#!/usr/bin/env bash
# `npm start`: on a fresh clone installs Node 24 and the dependencies, builds, then serves
# the panel (migrations apply at start) on http://localhost:3000 with embedded PGlite in ./data.
# Runs under scripts/node24.sh (see package.json), so node and node_modules/.bin are on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1  # no network calls home
bash scripts/install-deps.sh
bash scripts/build-if-needed.sh
export NODE_ENV=production
exec tsx server.ts
