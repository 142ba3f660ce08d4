#!/usr/bin/env bash
# `npm start`: on a fresh clone installs Node 24 and the dependencies, builds, then serves
# the panel (migrations apply at start) on http://localhost:3000 with embedded PGlite in ./data.
# Each step prints how long it took; work already done (dependencies, a build newer than every
# source) is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
# First note the time, then run the rest under Node 24 (installed once by scripts/node24.sh, which
# puts node and node_modules/.bin on PATH): its install counts in the total too.
if [[ -z "${MINICLOUD_STARTED_AT:-}" ]]; then
  export MINICLOUD_STARTED_AT="${EPOCHREALTIME/./}"
  exec bash scripts/node24.sh bash scripts/start.sh "$@"
fi
export NEXT_TELEMETRY_DISABLED=1  # no network calls home

# Microseconds since the epoch, and a duration in seconds with one decimal.
now_us() { echo "${EPOCHREALTIME/./}"; }
seconds_since() { local us=$(( $(now_us) - $1 )); printf '%d.%d s' $((us / 1000000)) $(((us % 1000000) / 100000)); }
step_started=$(now_us)
step() { echo "[minicloud] $1 ($(seconds_since "$step_started"))" >&2; step_started=$(now_us); }

echo "[minicloud] Node $(node --version) ready ($(seconds_since "$MINICLOUD_STARTED_AT"))" >&2
step_started=$(now_us)
# Whether a step did work or found it done: the files it leaves behind change only when it works.
stamp_of() { stat -c %Y.%s "$1" 2>/dev/null || echo none; }
before=$(stamp_of node_modules/.minicloud-lock-sha256)
bash scripts/install-deps.sh
[ "$before" = "$(stamp_of node_modules/.minicloud-lock-sha256)" ] && step "npm dependencies: up to date" || step "npm dependencies: installed"
before=$(stamp_of .next/BUILD_ID)
# The start-time build leaves type checking to `tsc --noEmit` (npm test runs it first: it was a
# third of the build's time) and writes no build cache (next.config.ts).
MINICLOUD_START_BUILD=1 bash scripts/build-if-needed.sh
[ "$before" = "$(stamp_of .next/BUILD_ID)" ] && step "panel build: up to date" || step "panel build: built"
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
# server.ts prints the rest: migrations, the framework's start, and when it listens (with the total).
# One process: node with tsx as its loader (the tsx command would start a second node to run it).
exec node --import tsx server.ts
