#!/usr/bin/env python3
"""Engine benchmarks: 10,000 sequential Log tasks, a 1,000-branch Parallel, a 100 MB Return,
100 MB of log lines, 200,000 ForEach iterations, and a 300 MB download from a loopback server
compared with curl on the same server, interleaved run by run (speed and peak RSS, medians).

Usage: cargo build --release && python3 benches/engine_bench.py
Needs curl and /usr/bin/time (GNU time, for peak RSS).
"""
import http.server
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KFLOW = ROOT / "target/release/kflow"


def once(cmd):
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed: {out.stderr[-500:]}")
    return took, int(out.stderr.strip().splitlines()[-1])


def timed(cmd, runs=5):
    """Median time and median peak RSS (KB) of `runs` runs: the machines are shared and noisy."""
    results = [once(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


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

        text = work / "big.txt"
        with open(text, "w") as f:
            line = "y" * 99 + "\n"
            f.write(line * 1_000_000)
        ret = work / "ret.yaml"
        ret.write_text("id: ret\nnamespace: bench\ninputs:\n  - id: f\n    type: FILE\ntasks:\n  - id: r\n"
                       "    type: io.kestra.plugin.core.debug.Return\n    format: \"{{ read(inputs.f) }}\"\n")
        t, rss = timed([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s4"), "--input", f"f={text}", str(ret)], runs=3)
        print(f"100 MB Return: {t:.2f} s, peak RSS {rss / 1024:.0f} MB")
        logs = work / "logs.yaml"
        logs.write_text("id: logs\nnamespace: bench\ntasks:\n  - id: sh\n    type: io.kestra.plugin.scripts.shell.Commands\n"
                        "    taskRunner:\n      type: io.kestra.plugin.core.runner.Process\n    commands:\n"
                        f"      - cat {text}\n")
        t, rss = timed([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s5"), str(logs)], runs=3)
        print(f"100 MB of log lines (1,000,000): {t:.2f} s, peak RSS {rss / 1024:.0f} MB")
        each = work / "each.yaml"
        each.write_text("id: each\nnamespace: bench\ntasks:\n  - id: loop\n    type: io.kestra.plugin.core.flow.ForEach\n"
                        "    values: \"{{ range(1, 200000) }}\"\n    tasks:\n      - id: r\n"
                        "        type: io.kestra.plugin.core.debug.Return\n        format: \"{{ taskrun.value }}\"\n")
        t, rss = timed([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s6"), str(each)], runs=3)
        print(f"200,000 ForEach iterations: {t:.2f} s, peak RSS {rss / 1024:.0f} MB")

        big = work / "www" / "big.bin"
        big.parent.mkdir()
        with open(big, "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(300):
                f.write(chunk)
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        handler = lambda *a: Quiet(*a, directory=str(big.parent))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/big.bin"
        dl = work / "dl.yaml"
        dl.write_text(f"id: dl\nnamespace: bench\ntasks:\n  - id: get\n    type: io.kestra.plugin.core.http.Download\n    uri: {url}\n")
        # Interleaved, so both see the same machine load; medians of five each.
        kflow_runs, curl_runs = [], []
        for _ in range(5):
            kflow_runs.append(once([str(KFLOW), "run", "--format", "json", "--storage", str(work / "s3"), str(dl)]))
            curl_runs.append(once(["curl", "-s", "-o", str(work / "curl.bin"), url]))
        tk, rss_k = (statistics.median(r[i] for r in kflow_runs) for i in (0, 1))
        tc, rss_c = (statistics.median(r[i] for r in curl_runs) for i in (0, 1))
        size = 300 * (1 << 20) / 1e6
        print(f"300 MB download: kflow {tk:.2f} s ({size / tk:.0f} MB/s, peak RSS {rss_k / 1024:.0f} MB); "
              f"curl {tc:.2f} s ({size / tc:.0f} MB/s, peak RSS {rss_c / 1024:.0f} MB); kflow/curl speed {tc / tk:.2f}x")
        server.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
