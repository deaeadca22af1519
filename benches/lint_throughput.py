#!/usr/bin/env python3
"""Lint throughput: `kflow lint` over the corpus copied several times, with yamllint's time on
the same files beside it; with `--migrate`, `kflow migrate --to 2.0` (the diff, nothing written)
on the same files too.

Usage: python3 benches/lint_throughput.py [--copies N] [--runs N] [--migrate]
Needs a release build (`cargo build --release`) and installs yamllint from PyPI into a
temporary virtual environment (or uses $YAMLLINT if set).
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("KFLOW_SHARED", ROOT.parent / "shared")) / "corpus"


def timed(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def yamllint_in(work):
    """yamllint from $YAMLLINT, or installed from PyPI into a virtual environment under `work`."""
    yamllint = os.environ.get("YAMLLINT")
    if not yamllint:
        venv = work / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "-q", "yamllint"], check=True)
        yamllint = str(venv / "bin/yamllint")
    return yamllint


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--migrate", action="store_true")
    args = ap.parse_args()

    kflow = ROOT / "target/release/kflow"
    if not kflow.exists():
        sys.exit("build first: cargo build --release")
    work = Path(tempfile.mkdtemp(prefix="kflow-bench-"))
    try:
        files = [p for p in CORPUS.rglob("*") if p.suffix in (".yml", ".yaml")]
        total = 0
        for i in range(args.copies):
            for p in files:
                dest = work / "data" / f"copy{i}" / p.relative_to(CORPUS)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, dest)
                total += p.stat().st_size
        n_files = len(files) * args.copies
        mb = total / 1e6

        yamllint = yamllint_in(work)

        data = str(work / "data")
        # --format json so that both tools do the same amount of output work.
        k = timed([str(kflow), "lint", "--format", "json", data], args.runs)
        y = timed([yamllint, "-f", "parsable", data], max(1, args.runs // 2))
        print(f"files: {n_files}, {mb:.1f} MB ({args.copies} copies of the corpus)")
        print(f"kflow lint:  {k:.3f} s  {mb / k:8.1f} MB/s")
        print(f"yamllint:    {y:.3f} s  {mb / y:8.1f} MB/s")
        print(f"kflow is {y / k:.0f}x faster than yamllint")
        if args.migrate:
            m = timed([str(kflow), "migrate", "--to", "2.0", data], args.runs)
            print(f"kflow migrate: {m:.3f} s  {mb / m:8.1f} MB/s ({y / m:.0f}x yamllint's time)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
