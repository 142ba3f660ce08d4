#!/usr/bin/env bash
# Builds the Next.js app when there is no build yet or a source file is newer than it.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1  # no network calls home
sources=(app components lib types public next.config.ts tsconfig.json package-lock.json)
existing=()
for s in "${sources[@]}"; do [ -e "$s" ] && existing+=("$s"); done
if [ -f .next/BUILD_ID ] && [ -z "$(find "${existing[@]}" -newer .next/BUILD_ID -print -quit)" ]; then exit 0; fi
echo "minicloud: building the panel" >&2
next build
