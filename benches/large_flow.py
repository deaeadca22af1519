#!/usr/bin/env python3
"""One very large flow: 10,000 tasks, each reading a misspelt task id (every reference gets a
"did you mean" finding), linted by `kflow lint`, with yamllint's time on the same file beside it.

Usage: python3 benches/large_flow.py [--tasks N] [--runs N]
Needs a release build (`cargo build --release`); installs yamllint from PyPI into a temporary
virtual environment (or uses $YAMLLINT if set).
"""
import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from lint_throughput import timed, yamllint_in

ROOT = Path(__file__).resolve().parent.parent


def flow(tasks):
    lines = ["id: big", "namespace: company.team", "tasks:"]
    for i in range(tasks):
        lines += [
            f"  - id: task_{i:05d}",
            "    type: io.kestra.plugin.core.log.Log",
            f'    message: "{{{{ outputs.tsak_{max(i - 1, 0):05d}.value }}}}"',
        ]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    kflow = ROOT / "target/release/kflow"
    if not kflow.exists():
        sys.exit("build first: cargo build --release")
    work = Path(tempfile.mkdtemp(prefix="kflow-large-"))
    path = work / "big.yaml"
    path.write_text(flow(args.tasks))
    report = subprocess.run([str(kflow), "lint", "--format", "json", str(path)],
                            capture_output=True, check=False)
    found = json.loads(report.stdout)["diagnostics"]
    suggested = sum("did you mean" in d["message"] for d in found)
    yamllint = yamllint_in(work)
    k = timed([str(kflow), "lint", "--format", "json", str(path)], args.runs)
    y = timed([yamllint, "-f", "parsable", str(path)], args.runs)
    size = path.stat().st_size / 1e6
    print(f"{args.tasks} tasks, {size:.2f} MB, {len(found)} findings reported ({suggested} with a suggestion)")
    print(f"kflow lint: median {k:.3f} s; yamllint: median {y:.3f} s (runs: {args.runs})")


if __name__ == "__main__":
    main()
