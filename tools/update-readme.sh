#!/usr/bin/env bash
# Regenerates the README's rules reference from the rules' own documentation.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p kflow -- rules --markdown > target/rules-reference.md
python3 - <<'PY'
start, end = "<!-- rules:start -->\n", "<!-- rules:end -->"
readme = open("README.md").read()
ref = open("target/rules-reference.md").read()
a = readme.index(start) + len(start)
b = readme.index(end)
open("README.md", "w").write(readme[:a] + ref + readme[b:])
PY
