#!/bin/sh
# The `kflow-lint` pre-commit hook: builds kflow from the hook's checkout (pre-commit keeps one
# per revision; cargo rebuilds only when needed) and lints the files pre-commit passes.
#
# pre-commit's `language: rust` cannot be used: it runs `cargo install --path .` at the
# repository root, which is a virtual workspace manifest, not a package.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --quiet --release --locked \
    --manifest-path "$root/Cargo.toml" --target-dir "$target" -p kflow
exec "$target/release/kflow" lint "$@"
