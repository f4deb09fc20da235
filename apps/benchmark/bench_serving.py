"""Serving benchmark (a script, not a test): per app, in-process predict latency and HTTP /predict under gunicorn.

For each trained app (model/metrics.json and model/sample_scores.json present) it runs itself in that app's own
environment (scripts/app_env.sh) and measures, on the app's stored sample transactions:
  - in-process: Scorer.predict for 1 and for 100 transactions (median and p99 of repeated calls);
  - HTTP: gunicorn with the image's config on 127.0.0.1, /predict with 1 transaction: sequential median, then a
    bounded load (N requests from C keep-alive clients) for p50/p99 latency and throughput; and 100 transactions
    sequentially; plus the ratio HTTP median / in-process median for 1 transaction.
Writes apps/benchmark/results/serving.json and serving.md (one run, so the ratios compare like with like).

Usage: python apps/benchmark/bench_serving.py [--apps a,b] [--requests 400] [--clients 4] [--omp-threads N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

APPS_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = APPS_ROOT.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(APPS_ROOT))

from fraudkit.app_folders import find_app_dirs, load_app_module  # noqa: E402
from fraudkit.records import Transaction  # noqa: E402
from fraudkit.serving.validation import parse_transaction  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _timed(call: Callable[[], Any], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _batches(sample: list[dict[str, Any]], size: int, count: int) -> list[list[dict[str, Any]]]:
    """``count`` batches of ``size`` sample transactions, cycling through the sample with fresh ids."""
    out = []
    for b in range(count):
        batch = []
        for i in range(size):
            tx = sample[(b * size + i) % len(sample)]
            batch.append({**tx, "transaction_id": f"bench-{b}-{i}"})
        out.append(batch)
    return out


def _as_records(batch: list[dict[str, Any]]) -> list[Transaction]:
    return [parse_transaction(tx, "tx") for tx in batch]


def measure_in_process(app_dir: Path, sample: list[dict[str, Any]]) -> dict[str, float]:
    """Scorer.predict latency (ms) for 1 and 100 transactions, after a warm-up."""
    app = load_app_module(app_dir).create_app()
    holder = app.extensions["fraudkit_model"]
    holder.wait(300)
    scorer = holder.scorer
    singles = [_as_records(b) for b in _batches(sample, 1, 300)]
    hundreds = [_as_records(b) for b in _batches(sample, 100, 30)]
    for batch in singles[:20]:
        scorer.predict(batch)
    single_iter, hundred_iter = iter(singles[20:]), iter(hundreds)
    one = _timed(lambda: scorer.predict(next(single_iter)), len(singles) - 20)
    hundred = _timed(lambda: scorer.predict(next(hundred_iter)), len(hundreds))
    return {
        "inproc_1_p50_ms": statistics.median(one),
        "inproc_1_p99_ms": percentile(one, 99),
        "inproc_100_p50_ms": statistics.median(hundred),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Client:
    """One keep-alive HTTP connection to the server."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def post(self, body: bytes) -> float:
        start = time.perf_counter()
        self.connection.request("POST", "/predict", body=body, headers={"Content-Type": "application/json"})
        reply = self.connection.getresponse()
        reply.read()
        if reply.status != 200:
            raise RuntimeError(f"/predict answered {reply.status}")
        return (time.perf_counter() - start) * 1000


def _wait_healthy(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"/health not 200 within {timeout} s")


def _load(port: int, bodies: list[bytes], clients: int) -> tuple[list[float], float]:
    """Sends ``bodies`` from ``clients`` concurrent keep-alive clients; per-request latencies and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    chunks = [bodies[i::clients] for i in range(clients)]

    def run(chunk: list[bytes]) -> None:
        client = _Client(port)
        mine = [client.post(body) for body in chunk]
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.perf_counter() - start


def measure_http(app_dir: Path, sample: list[dict[str, Any]], requests: int, clients: int) -> dict[str, float]:
    """/predict latency and throughput against gunicorn on 127.0.0.1 (the image's gunicorn config)."""
    port = _free_port()
    path = os.pathsep.join(p for p in (str(APPS_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "FRAUDKIT_BIND": f"127.0.0.1:{port}"}
    command = [
        sys.executable, "-m", "gunicorn", "--config", "python:fraudkit.serving.gunicorn_conf",
        "--access-logfile", "/dev/null", "app:create_app()",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(port, process, 300)
            body = lambda batch: json.dumps({"transactions": batch}).encode()  # noqa: E731
            singles = [body(b) for b in _batches(sample, 1, 50 + requests)]
            client = _Client(port)
            for warm in singles[:20]:
                client.post(warm)
            sequential = [client.post(b) for b in singles[20:50]]
            hundred = [client.post(body(b)) for b in _batches(sample, 100, 20)]
            loaded, wall = _load(port, singles[50:], clients)
        finally:
            process.terminate()
            process.wait(30)
    return {
        "http_1_seq_p50_ms": statistics.median(sequential),
        "http_100_seq_p50_ms": statistics.median(hundred),
        "http_1_load_p50_ms": statistics.median(loaded),
        "http_1_load_p99_ms": percentile(loaded, 99),
        "http_1_load_rps": len(loaded) / wall,
    }


def measure_app(app_dir: Path, requests: int, clients: int) -> dict[str, Any]:
    """Every figure for one app, measured in the running interpreter."""
    sample = json.loads((app_dir / "model" / "sample_scores.json").read_text(encoding="utf-8"))["transactions"]
    result: dict[str, Any] = {"app": app_dir.name, "python": platform.python_version()}
    result.update(measure_in_process(app_dir, sample))
    result.update(measure_http(app_dir, sample, requests, clients))
    result["ratio_http_to_inproc_1"] = result["http_1_seq_p50_ms"] / result["inproc_1_p50_ms"]
    result["ratio_http_to_inproc_100"] = result["http_100_seq_p50_ms"] / result["inproc_100_p50_ms"]
    return result


def _serving_env(omp_threads: int | None) -> dict[str, str]:
    """The process environment gunicorn gives the app (gunicorn_conf.raw_env), for the in-process figures too."""
    base = {**os.environ}
    if omp_threads is not None:
        base["OMP_NUM_THREADS"] = str(omp_threads)
    from fraudkit.serving.gunicorn_conf import raw_env

    settings = dict(entry.split("=", 1) for entry in raw_env)
    settings.pop("FRAUDKIT_LOAD", None)  # the in-process run loads synchronously
    return {**base, **settings}


def _app_python(app: str) -> str:
    run = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "app_env.sh"), app], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "app_env.sh failed")
    return run.stdout.strip().splitlines()[-1]


COLUMNS = [
    ("app", "app", "{}"),
    ("python", "Python", "{}"),
    ("inproc_1_p50_ms", "in-proc 1 tx p50 ms", "{:.3g}"),
    ("inproc_100_p50_ms", "in-proc 100 tx p50 ms", "{:.3g}"),
    ("http_1_seq_p50_ms", "HTTP 1 tx p50 ms", "{:.3g}"),
    ("http_100_seq_p50_ms", "HTTP 100 tx p50 ms", "{:.3g}"),
    ("ratio_http_to_inproc_1", "HTTP/in-proc (1 tx)", "{:.1f}x"),
    ("ratio_http_to_inproc_100", "HTTP/in-proc (100 tx)", "{:.2f}x"),
    ("http_1_load_p50_ms", "loaded p50 ms", "{:.3g}"),
    ("http_1_load_p99_ms", "loaded p99 ms", "{:.3g}"),
    ("http_1_load_rps", "loaded req/s", "{:.0f}"),
]


def markdown(results: list[dict[str, Any]], requests: int, clients: int, omp: int | None) -> str:
    """The results as a markdown table."""
    lines = [
        "# Serving benchmark",
        "",
        f"`python apps/benchmark/bench_serving.py --requests {requests} --clients {clients}"
        f"{'' if omp is None else f' --omp-threads {omp}'}`; one run on this "
        "machine, gunicorn (1 worker, gthread) on 127.0.0.1; the in-process figures run with gunicorn's environment "
        f"(OMP_NUM_THREADS={omp or 'default'}). Loaded = that many 1-transaction requests from that many "
        f"keep-alive clients. Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
        "(other jobs share the machine; figures above 1 CPU-load are noisy).",
        "",
        "| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for row in results:
        if "error" in row:
            lines.append(f"| {row['app']} | failed: {row['error']} |")
        else:
            lines.append("| " + " | ".join(fmt.format(row[key]) for key, _, fmt in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Runs the benchmark for every trained app (each in its own env), or for one app in this interpreter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", help="comma-separated app names (default: every trained app)")
    parser.add_argument("--requests", type=int, default=400, help="1-transaction requests in the loaded run")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive clients in the loaded run")
    parser.add_argument("--omp-threads", type=int, help="OMP_NUM_THREADS for the app (default: the libraries' own)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one app here, print JSON
    args = parser.parse_args()
    if args.requests < 1 or args.clients < 1:
        sys.exit("error: --requests and --clients must be at least 1")

    if args.one:
        print(json.dumps(measure_app(APPS_ROOT / args.one, args.requests, args.clients)))
        return

    trained = [d for d in find_app_dirs() if (d / "model" / "sample_scores.json").is_file()]
    if args.apps:
        wanted = set(args.apps.split(","))
        unknown = wanted - {d.name for d in find_app_dirs()}
        if unknown:
            sys.exit(f"error: unknown app(s): {', '.join(sorted(unknown))}")
        trained = [d for d in trained if d.name in wanted]
    if not trained:
        sys.exit("error: no trained app (model/sample_scores.json) to benchmark")

    results = []
    for app_dir in trained:
        print(f"benchmarking {app_dir.name} ...", file=sys.stderr)
        try:
            python = _app_python(app_dir.name)
            one = [python, __file__, "--one", app_dir.name, f"--requests={args.requests}", f"--clients={args.clients}"]
            run = subprocess.run(one, capture_output=True, text=True, check=False, env=_serving_env(args.omp_threads))
            if run.returncode != 0:
                raise RuntimeError((run.stderr.strip().splitlines() or ["no output"])[-1])
            results.append(json.loads(run.stdout.strip().splitlines()[-1]))
        except (RuntimeError, OSError, ValueError) as error:
            results.append({"app": app_dir.name, "error": str(error)})
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "serving.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results, args.requests, args.clients, args.omp_threads)
    (RESULTS_DIR / "serving.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
