#!/usr/bin/env bash
# `npm start`: on a fresh clone installs Node 24 and the dependencies, builds, then serves
# the panel (migrations apply at start) on http://localhost:3000 with embedded PGlite in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1  # no network calls home
if [ -z "${MINICLOUD_UNDER_NODE24:-}" ]; then
  export MINICLOUD_UNDER_NODE24=1
  exec bash scripts/node24.sh bash "$0" "$@"
fi
bash scripts/install-deps.sh
bash scripts/build-if-needed.sh
export NODE_ENV=production
exec tsx server.ts
