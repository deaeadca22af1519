#!/usr/bin/env python3
"""The generated plugin catalog's cost: start-up on one small file, corpus x10 throughput and
binary size, for two kflow binaries side by side (runs interleaved, medians reported).

Usage: python3 benches/catalog_startup.py --before OLD_KFLOW [--after NEW_KFLOW] [--runs N]
OLD_KFLOW is a release build of an earlier commit, e.g.
  git worktree add /tmp/kflow-old COMMIT && cargo build --release --manifest-path /tmp/kflow-old/Cargo.toml
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KFLOW_SHARED", ROOT.parent / "shared"))

SMALL = """id: small
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: Hello {{ flow.id }}
"""

PLUGINS = """id: plugins
namespace: company.team
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: jdbc:postgresql://127.0.0.1:5432/shop
    sql: SELECT 1
    fetchType: FETCH_ONE
  - id: notify
    type: io.kestra.plugin.slack.SlackIncomingWebhook
    url: "{{ secret('SLACK_WEBHOOK') }}"
    messageText: "{{ outputs.query.row }}"
"""


def once(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def compare(name, binaries, args, runs):
    times = {b: [] for b in binaries}
    for _ in range(runs):
        for b in binaries:
            times[b].append(once([str(b), *args]))
    cells = [f"{statistics.median(times[b]) * 1000:.1f} ms" for b in binaries]
    print(f"| {name} | " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", default=str(ROOT / "target/release/kflow"))
    ap.add_argument("--runs", type=int, default=31)
    args = ap.parse_args()
    binaries = [Path(args.before), Path(args.after)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "small.yaml").write_text(SMALL)
        (tmp / "plugins.yaml").write_text(PLUGINS)
        corpus = tmp / "corpus"
        for i in range(10):
            shutil.copytree(SHARED / "corpus", corpus / f"copy{i}")
        print("| | before | after |")
        print("|---|---|---|")
        compare("one small file", binaries, ["lint", str(tmp / "small.yaml")], args.runs)
        compare("one file with two plugin tasks", binaries, ["lint", str(tmp / "plugins.yaml")], args.runs)
        compare("corpus x10 (10,580 files)", binaries, ["lint", "--format", "json", str(corpus)],
                max(5, args.runs // 6))
        sizes = [f"{b.stat().st_size / 1e6:.1f} MB" for b in binaries]
        stripped = []
        for b in binaries:
            out = tmp / "stripped"
            subprocess.run(["strip", "-o", str(out), str(b)], check=True)
            stripped.append(f"{out.stat().st_size / 1e6:.1f} MB")
        print("| binary size (as built, line tables) | " + " | ".join(sizes) + " |")
        print("| binary size (stripped) | " + " | ".join(stripped) + " |")


if __name__ == "__main__":
    main()
