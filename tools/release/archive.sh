#!/usr/bin/env bash
# Packs a built kflow binary into the release archive of a target, with its SHA-256 checksum:
#   DIR/kflow-VERSION-TARGET.tar.gz  (a .zip for Windows targets)
#   DIR/kflow-VERSION-TARGET.tar.gz.sha256   ("HASH  NAME", as `sha256sum -c` reads it)
# The archive holds one folder, kflow-VERSION-TARGET/, with kflow (kflow.exe) and README.md:
# the names [package.metadata.binstall] in server/Cargo.toml expects, so that
# `cargo binstall kflow` finds the same files the release workflow uploads.
#   usage: tools/release/archive.sh TARGET BINARY [DIR]     (DIR: dist/)
# Prints the archive's path. Needs tar (or Python for .zip) and sha256sum or shasum.
set -euo pipefail
die() { echo "archive.sh: error: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: tools/release/archive.sh TARGET BINARY [DIR]"
target=$1
bin=$2
out=${3:-dist}
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ -f "$bin" ] || die "no binary at $bin"
# The workspace version ([workspace.package] is the first `version = ` at the start of a line).
version=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)
[ -n "$version" ] || die "no version in $repo/Cargo.toml"

case $target in
  *windows*) ext=.exe; suffix=.zip ;;
  *) ext=; suffix=.tar.gz ;;
esac
name=kflow-$version-$target
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$bin" "$stage/$name/kflow$ext"
chmod 755 "$stage/$name/kflow$ext"
cp "$repo/README.md" "$stage/$name/README.md"

archive=$out/$name$suffix
rm -f "$archive" "$archive.sha256"
if [ "$suffix" = .zip ]; then
  # Python's zipfile is on every CI runner (Git Bash on Windows has no zip command).
  py=$(command -v python3 || command -v python) || die "python is needed to write a .zip"
  (cd "$stage" && "$py" -m zipfile -c "$archive" "$name/")
else
  # Sorted names, no owner: the same binary gives the same listing on every runner.
  if tar --version 2>/dev/null | grep -q GNU; then
    (cd "$stage" && tar --sort=name --owner=0 --group=0 --numeric-owner -czf "$archive" "$name")
  else
    (cd "$stage" && tar -czf "$archive" "$name")
  fi
fi

if command -v sha256sum >/dev/null; then
  hash=$(sha256sum "$archive" | cut -d' ' -f1)
else
  hash=$(shasum -a 256 "$archive" | cut -d' ' -f1)
fi
echo "$hash  $name$suffix" >"$archive.sha256"
echo "$archive"
