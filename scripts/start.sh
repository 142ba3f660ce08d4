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
# Production refuses to start without an encryption key for stored kubeconfigs. For this
# single-host quick start, create one next to the data once; back it up with ./data.
if [[ -z "${MINICLOUD_ENCRYPTION_KEY:-}" ]]; then
  key_file="${MINICLOUD_DATA_DIR:-./data}/encryption-key"
  if [[ ! -s "$key_file" ]]; then
    mkdir -p "$(dirname "$key_file")"
    (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))' >"$key_file")
    echo "[minicloud] created $key_file (the key encrypting stored kubeconfigs): back it up with the data directory" >&2
  fi
  MINICLOUD_ENCRYPTION_KEY="$(cat "$key_file")"
  export MINICLOUD_ENCRYPTION_KEY
fi
exec tsx server.ts
