#!/usr/bin/env bash
# Installs node_modules from package-lock.json when missing or out of date (a stamp file
# remembers the lock's hash), so later runs skip the work.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.minicloud-lock-sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
echo "minicloud: installing npm dependencies" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
