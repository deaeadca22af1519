#!/usr/bin/env python3
"""Engine benchmarks: 10,000 sequential Log tasks, a 1,000-branch Parallel, and a 300 MB download
from a loopback server compared with curl on the same server (speed and peak RSS).

Usage: cargo build --release && python3 benches/engine_bench.py
Needs curl and /usr/bin/time (GNU time, for peak RSS).
"""
import http.server
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KFLOW = ROOT / "target/release/kflow"


def timed(cmd, runs=3):
    best = None
    rss = 0
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
        took = time.perf_counter() - start
        if out.returncode != 0:
            raise SystemExit(f"{cmd} failed: {out.stderr[-500:]}")
        rss = max(rss, int(out.stderr.strip().splitlines()[-1]))
        best = took if best is None else min(best, took)
    return best, rss


def main():
    work = Path(tempfile.mkdtemp(prefix="kflow-engine-bench-"))
    try:
        seq = work / "seq.yaml"
        seq.write_text("id: seq\nnamespace: bench\ntasks:\n" + "".join(
            f"  - id: t{i}\n    type: io.kestra.plugin.core.log.Log\n    message: \"hello {i}\"\n" for i in range(10_000)))
        par = work / "par.yaml"
        par.write_text("id: par\nnamespace: bench\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n" + "".join(
            f"      - id: b{i}\n        type: io.kestra.plugin.core.debug.Return\n        format: \"{{{{ taskrun.id }}}}\"\n" for i in range(1_000)))
        t, rss = timed([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s1"), str(seq)])
        print(f"10,000 sequential Log tasks: {t:.3f} s, peak RSS {rss / 1024:.0f} MB")
        t, rss = timed([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s2"), str(par)])
        print(f"1,000-branch Parallel: {t:.3f} s, peak RSS {rss / 1024:.0f} MB")

        big = work / "www" / "big.bin"
        big.parent.mkdir()
        with open(big, "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(300):
                f.write(chunk)
        handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(big.parent))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/big.bin"
        dl = work / "dl.yaml"
        dl.write_text(f"id: dl\nnamespace: bench\ntasks:\n  - id: get\n    type: io.kestra.plugin.core.http.Download\n    uri: {url}\n")
        tk, rss_k = timed([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s3"), str(dl)])
        tc, rss_c = timed(["curl", "-s", "-o", str(work / "curl.bin"), url])
        size = 300 * (1 << 20) / 1e6
        print(f"300 MB download: kflow {tk:.2f} s ({size / tk:.0f} MB/s, peak RSS {rss_k / 1024:.0f} MB); "
              f"curl {tc:.2f} s ({size / tc:.0f} MB/s, peak RSS {rss_c / 1024:.0f} MB); kflow/curl speed {tc / tk:.2f}x")
        server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
