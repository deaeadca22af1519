#!/usr/bin/env python3
"""Generates kflow's plugin catalog from the Java sources of Kestra's official plugins.

Inputs are named by repository and commit in `sources.tsv` (one line per repository: the commit
whose release goes with Kestra 1.3, and the one that goes with 2.0). The sources are read from
local git mirrors (`--mirrors DIR`, holding `OWNER+NAME/repo` bare repositories); nothing is built
or run. Outputs, both checked in:
  lint-rules/catalog/plugins/<repo>.json   one file per repository, one type per line
  tests/plugin-examples/<repo>.json        the @Example flows of its types
The `lint-rules` build embeds the first (see lint-rules/build.rs); the tests lint the second.

  pip install -r tools/catalog-gen/requirements.txt
  python3 tools/catalog-gen/generate.py --mirrors /path/to/mirrors
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from extract import Extractor  # noqa: E402
from java_model import parse_file  # noqa: E402
from plugins import Index  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
LINES = ("1.3", "2.0")


def read_sources(path: Path) -> tuple[dict, list[dict]]:
    core = None
    repos = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        cols = line.split()
        entry = {"repo": cols[0], "1.3": cols[1], "2.0": cols[2] if len(cols) > 2 else cols[1],
                 "mirror": cols[3] if len(cols) > 3 else cols[0]}
        if entry["repo"] == "kestra-io/kestra":
            core = entry
        else:
            repos.append(entry)
    if core is None:
        sys.exit("sources.tsv must name kestra-io/kestra (core classes for resolution)")
    return core, repos


def git(gitdir: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["git", f"--git-dir={gitdir}", *args], input=data, check=True,
                          capture_output=True).stdout


def java_sources(gitdir: Path, commit: str, core: bool):
    """(path, bytes) of the main Java sources at a commit, read with one `git cat-file --batch`."""
    listing = git(gitdir, "ls-tree", "-r", commit).decode().splitlines()
    wanted = []
    for row in listing:
        meta, path = row.split("\t", 1)
        if not path.endswith(".java") or "/src/main/java/" not in f"/{path}":
            continue
        if core and not (path.startswith("core/") or path.startswith("script/") or path.startswith("model/")):
            continue
        wanted.append((meta.split()[2], path))
    if not wanted:
        return []
    out = git(gitdir, "cat-file", "--batch", data="".join(f"{sha}\n" for sha, _ in wanted).encode())
    files = []
    pos = 0
    for _, path in wanted:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        body = out[header_end + 1 : header_end + 1 + size]
        pos = header_end + 1 + size + 1
        files.append((path, body))
    return files


def gradle_properties(gitdir: Path, commit: str) -> dict:
    try:
        raw = git(gitdir, "show", f"{commit}:gradle.properties").decode()
    except subprocess.CalledProcessError:
        return {}
    props = {}
    for line in raw.splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            props[k.strip()] = v.strip()
    return {k: props[k] for k in ("version", "kestraVersion") if k in props}


def mirror(mirrors: Path, repo: str) -> Path:
    return mirrors / repo.replace("/", "+") / "repo"


def load_line(mirrors: Path, core: dict, repos: list[dict], line: str, parsed: dict):
    """Every class of one Kestra line; `parsed` keeps each (repository, commit) parsed once,
    since most repositories give both lines the same commit."""
    classes = []
    for r in [core, *repos]:
        key = (r["repo"], r[line])
        if key not in parsed:
            sources = java_sources(mirror(mirrors, r["mirror"]), r[line], core=r is core)
            parsed[key] = [c for path, body in sources for c in parse_file(path, body, r["repo"])]
        classes.extend(parsed[key])
    return classes


def wrap_example(entry: dict, ex: dict) -> str | None:
    """A flow around an example: full ones are flows already; others are a task's or a trigger's
    properties, placed in a flow as Kestra's documentation shows them."""
    if ex["full"]:
        return ex["code"]
    code = ex["code"]
    short = entry["type"].rsplit(".", 1)[-1].lower()
    # Some examples give the whole task (its own id and type); the others only its properties.
    whole = any(l.startswith("type:") for l in code.splitlines())
    if whole:
        lines = code.splitlines()
        body = "\n".join(("  - " if i == 0 else "    ") + l if l.strip() else "" for i, l in enumerate(lines))
        head = ""
    else:
        body = "\n".join(("    " + l) if l.strip() else "" for l in code.splitlines())
        head = f"  - id: {short}\n    type: {entry['type']}\n"
    if entry["kind"] == "task":
        return f"id: {short}\nnamespace: company.team\n\ntasks:\n{head}{body}\n"
    if entry["kind"] == "trigger":
        return (f"id: {short}\nnamespace: company.team\n\ntasks:\n  - id: hello\n"
                f"    type: io.kestra.plugin.core.log.Log\n    message: Hello\n\ntriggers:\n{head}{body}\n")
    return None


def strip_private(value):
    """Drops the generator's own markers (keys starting with `_`)."""
    if isinstance(value, dict):
        return {k: strip_private(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [strip_private(v) for v in value]
    return value


def merge_props(old: dict, new: dict) -> dict:
    """1.3's properties with `removed_in` / `since` where 2.0 differs, down into nested objects
    (a plugin built against an older Kestra still gets core classes such as HttpConfiguration
    as each line defines them)."""
    for pname, p in old.items():
        if pname not in new:
            p["removed_in"] = "2.0"
            continue
        q = new[pname]
        if isinstance(p.get("fields"), dict) and isinstance(q.get("fields"), dict):
            p["fields"] = merge_props(p["fields"], q["fields"])
        pi, qi = p.get("items"), q.get("items")
        if isinstance(pi, dict) and isinstance(qi, dict) and isinstance(pi.get("fields"), dict) \
                and isinstance(qi.get("fields"), dict):
            pi["fields"] = merge_props(pi["fields"], qi["fields"])
    for pname, q in new.items():
        if pname not in old:
            q = json.loads(json.dumps(q))
            q["since"] = "2.0"
            old[pname] = q
    return dict(sorted(old.items()))


def merge_lines(per_line: dict[str, dict[str, dict]]) -> list[dict]:
    """One list of entries: 1.3's description, with `since`/`removed_in` where the lines differ."""
    old, new = per_line["1.3"], per_line["2.0"]
    merged = []
    for name in sorted(set(old) | set(new)):
        if name in old and name in new:
            entry = json.loads(json.dumps(old[name]))
            entry["properties"] = merge_props(entry.get("properties", {}), new[name].get("properties", {}))
        elif name in old:
            entry = json.loads(json.dumps(old[name]))
            entry["removed_in"] = "2.0"
        else:
            entry = json.loads(json.dumps(new[name]))
            entry["since"] = "2.0"
        merged.append(entry)
    return merged


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--sources", type=Path, default=Path(__file__).parent / "sources.tsv")
    ap.add_argument("--out", type=Path, default=ROOT / "lint-rules/catalog/plugins")
    ap.add_argument("--examples", type=Path, default=ROOT / "tests/plugin-examples")
    args = ap.parse_args()

    core, repos = read_sources(args.sources)
    outputs = [core, *repos]
    per_repo: dict[str, dict[str, dict]] = {r["repo"]: {l: {} for l in LINES} for r in outputs}
    examples: dict[str, dict[str, list]] = {r["repo"]: {} for r in outputs}
    # Packages with a plugin class the generator could not classify (a base class in a repository
    # it could not read): kflow must not call other names in them unknown.
    partial_packages: dict[str, set[str]] = {r["repo"]: set() for r in outputs}
    parsed: dict = {}
    # Repositories without a distinct 2.0 release: their examples are checked under 1.3 only.
    one_release = {r["repo"] for r in outputs if r["1.3"] == r["2.0"]}
    for line in LINES:
        classes = load_line(args.mirrors, core, repos, line, parsed)
        index = Index(classes)
        ex = Extractor(index)
        for cls in classes:
            if index.get(cls.fqn, cls.origin) is not cls:
                continue
            entry = ex.describe(cls)
            if entry is None:
                if ex.unclassified(cls):
                    partial_packages[cls.origin].add(cls.package)
                continue
            slot = per_repo[cls.origin][line]
            if entry["type"] in slot:
                continue
            slot[entry["type"]] = entry
            if line == "2.0" and cls.origin in one_release:
                continue
            for e in ex.examples(cls):
                flow = wrap_example(entry, e)
                if flow is not None:
                    examples[cls.origin].setdefault(line, []).append(
                        {"type": entry["type"], "title": e["title"], "source": f"{cls.file.path}:{e['line']}",
                         "flow": flow})
        print(f"{line}: {len(classes)} classes, "
              f"{sum(len(v[line]) for v in per_repo.values())} plugin types", file=sys.stderr)

    args.out.mkdir(parents=True, exist_ok=True)
    args.examples.mkdir(parents=True, exist_ok=True)
    for r in outputs:
        name = r["repo"].split("/", 1)[1]
        gitdir = mirror(args.mirrors, r["mirror"])
        source = {"repo": r["repo"]}
        for line in LINES:
            source[line] = {"commit": r[line], **gradle_properties(gitdir, r[line])}
        types = strip_private(merge_lines(per_repo[r["repo"]]))
        path = args.out / f"{name}.json"
        if not types:
            path.unlink(missing_ok=True)
            continue
        packages = sorted({t["type"].rsplit(".", 1)[0] for t in types} - partial_packages[r["repo"]])
        with path.open("w") as f:
            f.write('{"source": ' + json.dumps(source, sort_keys=True) + ',\n')
            f.write('"packages": ' + json.dumps(packages) + ',\n"types": [\n')
            f.write(",\n".join(json.dumps(t, ensure_ascii=False, separators=(",", ":")) for t in types))
            f.write("\n]}\n")
        exs = examples[r["repo"]]
        expath = args.examples / f"{name}.json"
        # One list; each example names the Kestra lines whose release carries it.
        merged: dict[tuple, dict] = {}
        for line in LINES:
            for e in exs.get(line, []):
                key = (e["type"], e["flow"])
                if key in merged:
                    if line not in merged[key]["lines"]:
                        merged[key]["lines"].append(line)
                else:
                    merged[key] = {**e, "lines": [line]}
        payload = sorted(merged.values(), key=lambda e: (e["type"], e["source"], e["lines"]))
        if payload:
            expath.write_text(json.dumps(payload, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        else:
            expath.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
