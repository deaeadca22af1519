#!/usr/bin/env python3
"""Compares `kflow migrate --to 2.0` with Kestra's migration program on that program's fixtures.

Usage: compare.py FIXTURES [--kflow PATH] [--show]

FIXTURES is a copy of the program's `input-flows/` and `output-flows/` folders (from a clone of
kestra-io/kestra2-flow-migration). Each input is migrated by kflow in a temporary folder and the
result compared, as parsed YAML, with the program's expected output. A flow found in only one of
the two folders is taken as one the program leaves unchanged. Each flow falls in one class:

  both-unchanged   neither tool changes it
  equal            both give the same flow
  kflow-only       kflow changes it, the program leaves it as it is
  program-only     the program changes it, kflow leaves it (kflow says why on stderr)
  different        both change it, differently

`--show` prints the YAML difference and what kflow left for each flow not in the first two.
The classes are the starting point of docs/migration-comparison.md; the reasons are read there.
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml


def migrate(kflow: str, text: str) -> tuple[str, list[str]]:
    with tempfile.TemporaryDirectory() as d:
        flow = Path(d) / "flow.yaml"
        flow.write_text(text)
        p = subprocess.run([kflow, "migrate", "--to", "2.0", "--write", "flow.yaml"],
                           cwd=d, capture_output=True, text=True)
        left = [l for l in p.stderr.splitlines() if l.endswith("(not migrated)")]
        return flow.read_text(), left


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("fixtures", type=Path)
    ap.add_argument("--kflow", default="kflow")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    inputs, outputs = args.fixtures / "input-flows", args.fixtures / "output-flows"
    names = sorted({p.relative_to(inputs) for p in inputs.rglob("*.y*ml")}
                   | {p.relative_to(outputs) for p in outputs.rglob("*.y*ml")})
    classes = Counter()
    for name in names:
        src_path = inputs / name if (inputs / name).exists() else outputs / name
        src = src_path.read_text()
        expected = (outputs / name).read_text() if (outputs / name).exists() else src
        got, left = migrate(args.kflow, src)
        try:
            s, e, g = (yaml.safe_load(t) for t in (src, expected, got))
        except yaml.YAMLError as err:
            print(f"{name}: not YAML ({err})", file=sys.stderr)
            continue
        program, ours = s != e, s != g
        cls = ("equal" if e == g else "different") if program and ours else \
            "program-only" if program else "kflow-only" if ours else "both-unchanged"
        classes[cls] += 1
        print(f"{cls}\t{name}")
        if args.show and cls not in ("both-unchanged", "equal"):
            a = yaml.safe_dump(e, sort_keys=True, width=200).splitlines()
            b = yaml.safe_dump(g, sort_keys=True, width=200).splitlines()
            for line in difflib.unified_diff(a, b, "program", "kflow", lineterm="", n=1):
                print("    " + line)
            for line in left:
                print("    left: " + line)
    print(dict(classes), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
