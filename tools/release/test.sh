#!/usr/bin/env bash
# Tests the release packaging on this machine: builds kflow for the host, packs it with
# archive.sh, checks the checksum file with `sha256sum -c`, unpacks the archive and runs the
# binary, and checks that [package.metadata.binstall] in server/Cargo.toml names that archive
# and the binary inside it. A Windows archive (.zip) is also packed, from the same binary
# renamed, to check its layout and binstall's zip override. Every target of
# .github/workflows/release.yml must be a name binstall's templates accept.
#   usage: tools/release/test.sh [--release]     (default: the debug build, faster to get)
# Reaches no network beyond what `cargo build` needs.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "tools/release/test.sh: error: $*" >&2; exit 1; }
profile=debug
[ "${1:-}" = "--release" ] && profile=release
command -v python3 >/dev/null || die "python3 (3.11+, for tomllib) is needed"
command -v sha256sum >/dev/null || die "sha256sum is needed"

host=$(rustc -vV | sed -n 's/^host: //p')
[ -n "$host" ] || die "cannot read the host target from rustc -vV"
(cd "$repo" && cargo build --quiet -p kflow $([ $profile = release ] && echo --release)) || die "cargo build failed"
bin=${CARGO_TARGET_DIR:-$repo/target}/$profile/kflow
[ -x "$bin" ] || die "no binary at $bin"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if "$@"; then :; else echo "FAIL: $*" >&2; fail=1; fi; }

# The host archive: checksum, layout, the binary runs.
archive=$("$repo/tools/release/archive.sh" "$host" "$bin" "$tmp/dist")
name=$(basename "$archive")
echo "packed $name"
check test -f "$archive.sha256"
(cd "$tmp/dist" && sha256sum -c "$name.sha256") || { echo "FAIL: checksum of $name" >&2; fail=1; }
mkdir "$tmp/x" && tar -xzf "$archive" -C "$tmp/x"
top=$(ls "$tmp/x")
check test "$top" = "${name%.tar.gz}"
check test -x "$tmp/x/$top/kflow"
check test -f "$tmp/x/$top/README.md"
version=$("$tmp/x/$top/kflow" --version) || { echo "FAIL: the archived kflow does not run" >&2; fail=1; }
echo "runs: $version"
# A corrupted archive fails the check.
cp "$archive" "$tmp/dist/copy" && printf 'x' >>"$archive"
if (cd "$tmp/dist" && sha256sum -c --status "$name.sha256"); then echo "FAIL: a changed archive passed its checksum" >&2; fail=1; fi
mv "$tmp/dist/copy" "$archive"

# A Windows archive: a .zip with kflow.exe in the same folder layout.
win=$("$repo/tools/release/archive.sh" x86_64-pc-windows-msvc "$bin" "$tmp/dist")
(cd "$tmp/dist" && sha256sum -c "$(basename "$win").sha256") || { echo "FAIL: checksum of $win" >&2; fail=1; }

# binstall's templates, filled in as cargo-binstall does, name exactly those files.
python3 - "$repo" "$host" "$archive" "$win" <<'PY' || fail=1
import re, sys, tomllib, zipfile, tarfile, os
repo, host, tgz, win = sys.argv[1:]
pkg = tomllib.load(open(f"{repo}/server/Cargo.toml", "rb"))
ws = tomllib.load(open(f"{repo}/Cargo.toml", "rb"))
meta = pkg["package"]["metadata"]["binstall"]
version = ws["workspace"]["package"]["version"]
suffix = {"tgz": ".tar.gz", "zip": ".zip"}
def fill(t, target):
    fmt = meta.get("overrides", {}).get(target, {}).get("pkg-fmt", meta["pkg-fmt"])
    values = {"repo": "https://example.invalid/kflow", "name": pkg["package"]["name"], "version": version,
              "target": target, "archive-suffix": suffix[fmt], "bin": "kflow",
              "binary-ext": ".exe" if "windows" in target else "", "archive-format": fmt}
    return re.sub(r"\{\s*([\w-]+)\s*\}", lambda m: values[m.group(1)], t)
errors = []
for target, path in [(host, tgz), ("x86_64-pc-windows-msvc", win)]:
    url = fill(meta["pkg-url"], target)
    if not url.endswith("/v" + version + "/" + os.path.basename(path)):
        errors.append(f"pkg-url for {target} is {url}, the archive is {os.path.basename(path)}")
    bin_dir = fill(meta["bin-dir"], target)
    names = zipfile.ZipFile(path).namelist() if path.endswith(".zip") else tarfile.open(path).getnames()
    if bin_dir not in names:
        errors.append(f"bin-dir for {target} is {bin_dir}, not in the archive ({names})")
    else:
        print(f"binstall: {target}: {url} -> {bin_dir}")
# Every workflow target must be one binstall can fill in (and Windows ones get the zip override).
wf = open(f"{repo}/.github/workflows/release.yml").read()
targets = re.findall(r"target:\s*([\w.-]+-[\w.-]+)", wf)
if len(targets) < 5:
    errors.append(f"release.yml lists {len(targets)} targets: {targets}")
for t in targets:
    if "windows" in t and meta.get("overrides", {}).get(t, {}).get("pkg-fmt") != "zip":
        errors.append(f"{t} is built as a .zip but binstall has no zip override for it")
print("workflow targets:", ", ".join(targets))
for e in errors:
    print("FAIL:", e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY

[ $fail = 0 ] || die "release packaging checks failed"
echo "release packaging: ok"
