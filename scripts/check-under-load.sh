#!/usr/bin/env bash
# Runs `npm test` several times in a row on a clean clone of HEAD while a CPU-bound job keeps
# one core busy beside it: a test that only passes on an idle machine fails here first.
#   bash scripts/check-under-load.sh [runs=3]
# Each run's result line and step durations are printed at the end; exits 1 if any run failed.
# The clone reuses the caches outside the repo (Node 24, Go-built binaries, npm's cache).
set -euo pipefail
runs="${1:-3}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/minicloud-load-check.XXXXXX")"
load=""
trap '[ -n "$load" ] && kill "$load" 2>/dev/null; rm -rf "$work"' EXIT

git clone --quiet "$repo" "$work/clone"

# The competing load: one core spinning, bounded to four hours so it can never outlive a forgotten run.
node -e 'const end = Date.now() + 4 * 3600e3; while (Date.now() < end) {}' &
load=$!

status=0
summary=""
for run in $(seq 1 "$runs"); do
  echo "=== load check: run $run of $runs (one core busy beside it)"
  started=$SECONDS
  if (cd "$work/clone" && npm test) > "$work/run-$run.log" 2>&1; then result=passed; else result=FAILED; status=1; fi
  line="$(grep -E '^tests: ' "$work/run-$run.log" | tail -1 || true)"
  summary+="run $run: $result in $(( (SECONDS - started) / 60 ))m$(( (SECONDS - started) % 60 ))s — ${line:-no summary line}"$'\n'
  sed -n '/^durations:/,/^tests: /p' "$work/run-$run.log"
  if [ "$result" = FAILED ]; then
    cp "$work/run-$run.log" "$repo/test-results/load-check-run-$run.log" 2>/dev/null || true
    grep -E 'FAIL|✗|×' "$work/run-$run.log" | head -40 || true
  fi
done
echo "=== load check"
printf '%s' "$summary"
exit $status
