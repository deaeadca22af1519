#!/bin/sh
# Runs this working tree's pre-commit hook `kflow-lint-system` through pre-commit itself
# (`pre-commit try-repo`: no network) on a clean flow and a broken one, in a scratch git
# repository. Needs `pre-commit` and a built kflow: KFLOW_BIN, default target/debug/kflow.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${KFLOW_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/kflow}
[ -x "$bin" ] || { echo "no kflow at $bin (cargo build -p kflow, or set KFLOW_BIN)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" PATH="$(dirname "$bin"):$PATH"

cd "$work" && mkdir repo && cd repo && git init -q
cat > good.yaml <<'FLOW'
id: good
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hello
FLOW
cat > bad.yaml <<'FLOW'
id: bad
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    mesage: hello
FLOW
echo "not yaml" > notes.txt
git add .

fail() { echo "FAIL: $*" >&2; exit 1; }

pre-commit try-repo "$root" kflow-lint-system --files good.yaml notes.txt > out.txt 2>&1 ||
    { cat out.txt; fail "the clean flow did not pass"; }
grep -q "kflow lint.*Passed" out.txt || { cat out.txt; fail "the hook did not run on good.yaml"; }

if pre-commit try-repo "$root" kflow-lint-system --files good.yaml bad.yaml > out.txt 2>&1; then
    cat out.txt; fail "the broken flow passed"
fi
grep -q "kflow lint.*Failed" out.txt || { cat out.txt; fail "no failed hook"; }
grep -q "unknown-property" out.txt || { cat out.txt; fail "no unknown-property finding"; }
grep -q "bad.yaml:6:5" out.txt || { cat out.txt; fail "the finding is not located"; }

pre-commit try-repo "$root" kflow-lint-system --files notes.txt > out.txt 2>&1 ||
    { cat out.txt; fail "a non-YAML file was checked"; }
grep -q "kflow lint.*no files to check.*Skipped" out.txt || { cat out.txt; fail "notes.txt was not skipped"; }
echo "pre-commit hooks: ok"
