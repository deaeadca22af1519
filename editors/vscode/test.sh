#!/usr/bin/env bash
# VS Code extension tests: npm ci (committed package-lock.json), type check, unit tests (node:test),
# the .vsix (esbuild bundle + vsce), then the end-to-end test in code-server (installed by
# ../shared/tools/install-code-server.sh) driven in Debian's Chromium by playwright-core.
# Reaches only the package registries and 127.0.0.1. Fails on anything missing.
#   usage: editors/vscode/test.sh [--unit-only]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
shared=$repo/../shared
die() { echo "editors/vscode/test.sh: error: $*" >&2; exit 1; }

command -v node >/dev/null || die "node (20) is not installed"
command -v npm >/dev/null || die "npm is not installed"
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || die "node >= 20 is needed"

cd "$here"
npm ci --no-audit --no-fund --loglevel=error || die "npm ci failed"
npx tsc -p . --noEmit || die "type check failed"
npm run -s test:unit
(cd "$repo" && cargo build --quiet -p kflow) || die "cargo build -p kflow failed"
KFLOW_BIN=${CARGO_TARGET_DIR:-$repo/target}/debug/kflow npm run -s package </dev/null >/dev/null \
  || die "packaging the .vsix failed"
unzip -l kflow.vsix | grep -q node_modules && die "the .vsix carries node_modules"
unzip -l kflow.vsix | grep -q "extension/bin/$(node -p 'process.platform + "-" + process.arch')/kflow" \
  || die "the .vsix does not ship the kflow binary for this platform"
[ "${1:-}" = "--unit-only" ] && exit 0

[ -x "$shared/tools/install-code-server.sh" ] || [ -f "$shared/tools/install-code-server.sh" ] \
  || die "../shared/tools/install-code-server.sh is missing"
[ -f "$shared/examples/antipatterns/broken_references.yaml" ] || die "../shared/examples is missing"
command -v cargo >/dev/null || die "cargo is not installed"

chromium_bin=/usr/lib/chromium/chromium
if [ ! -x "$chromium_bin" ]; then
  command -v apt-get >/dev/null || die "Chromium is missing and apt-get is not available"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null || die "apt-get install chromium failed"
fi
[ -x "$chromium_bin" ] || die "no Chromium binary at $chromium_bin"

entry=$(bash "$shared/tools/install-code-server.sh" "${CODE_SERVER_DIR:-/tmp/code-server}" | tail -n 1) \
  || die "installing code-server failed"
[ -f "$entry" ] || die "code-server entry point $entry is missing"

(cd "$repo" && cargo build --quiet -p kflow) || die "cargo build -p kflow failed"
bin=${CARGO_TARGET_DIR:-$repo/target}/debug/kflow
[ -x "$bin" ] || die "no kflow binary at $bin"

# The Kestra API stand-in of the Rust tests, for "Run on Kestra server".
source "$repo/tools/kestra-api/standin.sh"
start_standin "$repo" 2.0 || die "no Kestra API stand-in"
trap 'kill $standin_pid 2>/dev/null' EXIT

timeout 600 node test/e2e/e2e.mjs --code-server "$entry" --vsix kflow.vsix --kflow "$bin" \
  --examples "$shared/examples" --chromium "$chromium_bin" --standin "$standin_url"
