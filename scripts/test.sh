#!/usr/bin/env bash
# `npm test`: installs what is missing (Node 24, npm packages, Debian's PostgreSQL, Chromium
# and OpenSSH, the Go-built control plane binaries — each only once), then runs every suite:
# type check, unit, integration (PostgreSQL + PGlite), cluster (local control plane), e2e (Chromium).
# Runs under scripts/node24.sh (see package.json), so node and node_modules/.bin are on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1  # no network calls home

bash scripts/install-deps.sh
bash scripts/ensure-system-packages.sh
tsx dev/cluster/cli.ts build   # cached outside the repo; a cold build prints its duration

mkdir -p test-results
status=0
: > test-results/durations.tsv
# Each step's wall time goes to test-results/durations.tsv; the summary prints them all.
step() {
  local name="$1"; shift
  local started=$SECONDS
  echo "=== $name"
  if ! "$@"; then echo "=== $name FAILED"; status=1; fi
  printf '%s\t%s\n' "$name" "$((SECONDS - started))" >> test-results/durations.tsv
}

step "type check" tsc --noEmit
step "unit, integration and cluster suites" vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
step "build the panel" bash scripts/build-if-needed.sh
step "end-to-end (Chromium)" playwright test

node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json test-results/durations.tsv || status=1
exit $status
