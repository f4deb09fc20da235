"""State-store benchmark (a script, not a test), all figures from one run on this machine:

- /predict (1 transaction, keep-alive, sequential) p50 / p99 with the shared Redis store vs the in-process
  store, one gunicorn worker each, on 127.0.0.1;
- throughput of one server on the shared store with 1 vs 2 workers (concurrent keep-alive clients);
- Redis memory per active customer and per terminal (MEMORY USAGE of the keys, after seeding the shipped
  snapshot: every customer with a full 30-day window) and what that projects to for 1 million customers.
Every request carries a new transaction (a fresh simulated world in time order), so no retry cache helps.
Writes apps/benchmark/results/state.md (then ``multi_server.py --markdown`` appends the quality figures).

Usage: python apps/benchmark/bench_state.py [--app flask-logreg-app] [--requests 600] [--clients 4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

APPS_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(APPS_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import multi_server  # noqa: E402

from fraudkit.scorer import SHARED_STATE  # noqa: E402
from fraudkit.simulator import simulate  # noqa: E402
from fraudkit.stream import transactions_of  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "state.md"
QUALITY_HEADING = "## Serving quality"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def bodies(count: int, offset: int) -> list[dict[str, Any]]:
    """``count`` one-transaction /predict bodies of a fresh world, in time order, ids unique per offset."""
    txs = transactions_of(simulate(multi_server.world(customers=500, days=20)))
    out = []
    for i in range(count):
        tx = txs[(offset + i) % len(txs)]
        item = {
            "transaction_id": f"{offset}-{i}",
            "customer_id": tx.customer_id,
            "terminal_id": tx.terminal_id,
            "tx_datetime": tx.tx_datetime.strftime("%Y-%m-%dT%H:%M:%S"),
            "tx_amount": tx.tx_amount,
        }
        out.append({"transactions": [item]})
    return out


def sequential(port: int, payloads: list[dict[str, Any]]) -> list[float]:
    """Milliseconds per request, one after the other on one keep-alive connection."""
    times = []
    for body in payloads:
        start = time.perf_counter()
        status, _ = multi_server.request(port, "POST", "/predict", body)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200:
            raise RuntimeError(f"/predict answered {status}")
    return times


def concurrent(port: int, payloads: list[dict[str, Any]], clients: int) -> float:
    """Requests per second with ``clients`` threads, each on its own connection."""
    import http.client

    chunks = [payloads[i::clients] for i in range(clients)]
    errors: list[str] = []

    def run(chunk: list[dict[str, Any]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for body in chunk:
            connection.request("POST", "/predict", body=json.dumps(body), headers={"Content-Type": "application/json"})
            reply = connection.getresponse()
            reply.read()
            if reply.status != 200:
                errors.append(str(reply.status))
        connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"/predict errors: {errors[:3]}")
    return len(payloads) / seconds


def latency_case(app_dir: Path, env: dict[str, str], log_dir: Path, payloads: list[dict[str, Any]]) -> dict[str, float]:
    with multi_server.servers(app_dir, 1, {**env, "FRAUDKIT_WORKERS": "1"}, log_dir) as (server,):
        sequential(server.port, payloads[:50])  # warm-up (connections, scripts, caches)
        times = sequential(server.port, payloads[50:])
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 99), 3)}


def throughput_case(
    app_dir: Path, env: dict[str, str], workers: int, log_dir: Path, payloads: list[dict[str, Any]], clients: int
) -> float:
    with multi_server.servers(app_dir, 1, {**env, "FRAUDKIT_WORKERS": str(workers)}, log_dir) as (server,):
        deadline = time.monotonic() + 120
        while True:  # warm-up until every worker has loaded its model (one 200 on /health is any one of them)
            try:
                concurrent(server.port, payloads[:100], clients)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        return round(concurrent(server.port, payloads[100:], clients), 1)


def store_latency(url: str, count: int) -> dict[str, dict[str, float]]:
    """The store alone, in this process: ``score`` of one new transaction, in-process vs Redis (ms)."""
    from dataclasses import replace

    from fraudkit.state import OnlineFeatureState
    from fraudkit.store.config import StoreConfig
    from fraudkit.store.memory import MemoryStore
    from fraudkit.store.redis_store import RedisStore

    txs = transactions_of(simulate(multi_server.world(customers=500, days=20)))
    out = {}
    stores = {
        "in-process": MemoryStore(OnlineFeatureState.load(SHARED_STATE)),
        "redis": RedisStore.open(SHARED_STATE, 0, "latency-bench", StoreConfig(url=url)),
    }
    for name, store in stores.items():
        times = []
        for i in range(count):
            tx = replace(txs[i % len(txs)], transaction_id=f"{name}-{i}")
            start = time.perf_counter()
            store.score([tx])
            times.append((time.perf_counter() - start) * 1000)
        out[name] = {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 99), 3)}
    return out


def memory_figures(url: str) -> dict[str, Any]:
    """Bytes per customer (30-day window + 4 history vectors) and per terminal after seeding the snapshot."""
    import redis

    from fraudkit.store.config import StoreConfig
    from fraudkit.store.redis_store import RedisStore

    client = redis.Redis.from_url(url)
    before = client.info("memory")["used_memory"]
    store = RedisStore.open(SHARED_STATE, 4, "memory-bench", StoreConfig(url=url))
    after = client.info("memory")["used_memory"]
    sums: dict[bytes, int] = {}
    counts: dict[bytes, int] = {}
    for key in client.scan_iter(match=store.prefix + "*", count=1000):
        kind = key[len(store.prefix) :].split(b":")[0]
        sums[kind] = sums.get(kind, 0) + int(client.memory_usage(key, samples=0) or 0)
        counts[kind] = counts.get(kind, 0) + 1
    customers = counts.get(b"c", 0)
    terminals = counts.get(b"t", 0)
    per_customer = (sums.get(b"c", 0) + sums.get(b"h", 0)) / max(customers, 1)
    per_terminal = (sums.get(b"t", 0) + sums.get(b"f", 0)) / max(terminals, 1)
    ratio = terminals / max(customers, 1)
    projected = 1_000_000 * (per_customer + ratio * per_terminal)
    return {
        "customers": customers,
        "terminals": terminals,
        "used_memory_delta_mb": round((after - before) / 2**20, 1),
        "bytes_per_customer": round(per_customer),
        "bytes_per_terminal": round(per_terminal),
        "terminals_per_customer": round(ratio, 2),
        "projected_gb_1m_customers": round(projected / 2**30, 2),
    }


def main(argv: list[str] | None = None) -> int:
    """CLI entry (see the module doc)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="flask-logreg-app")
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args(argv)
    app_dir = APPS_ROOT / args.app
    with tempfile.TemporaryDirectory(prefix="bench-state-") as tmp:
        log_dir = Path(tmp)
        redis = multi_server.Redis(log_dir)
        try:
            shared = {"FRAUDKIT_STATE_STORE": redis.url}
            memory = {"FRAUDKIT_STATE_STORE": "memory"}
            n = args.requests
            lat_memory = latency_case(app_dir, memory, log_dir, bodies(n, 1_000_000))
            lat_redis = latency_case(app_dir, shared, log_dir, bodies(n, 2_000_000))
            one = throughput_case(app_dir, shared, 1, log_dir, bodies(n, 3_000_000), args.clients)
            two = throughput_case(app_dir, shared, 2, log_dir, bodies(n, 4_000_000), args.clients)
            mem = memory_figures(f"redis://127.0.0.1:{redis.port}/5")
            store_only = store_latency(f"redis://127.0.0.1:{redis.port}/6", n)
        finally:
            redis.stop()
    result = {
        "app": args.app,
        "latency_memory": lat_memory,
        "latency_redis": lat_redis,
        "p50_added_ms": round(lat_redis["p50_ms"] - lat_memory["p50_ms"], 3),
        "p99_ratio": round(lat_redis["p99_ms"] / lat_memory["p99_ms"], 2),
        "throughput_1_worker": one,
        "throughput_2_workers": two,
        "workers_ratio": round(two / one, 2),
        "memory": mem,
        "store_only": store_only,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    print(json.dumps(result))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    # Keep the quality section multi_server.py --markdown wrote (a separate, longer run).
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    kept = previous[previous.find(QUALITY_HEADING) :] if QUALITY_HEADING in previous else ""
    RESULTS.write_text(markdown(result, args) + ("\n" + kept if kept else ""), encoding="utf-8")
    return 0


def markdown(r: dict[str, Any], args: argparse.Namespace) -> str:
    """The results as apps/benchmark/results/state.md."""
    m = r["memory"]
    return "\n".join(
        [
            "# State store benchmark",
            "",
            f"`python apps/benchmark/bench_state.py --app {args.app} --requests {args.requests} "
            f"--clients {args.clients}` on {platform.machine()}, {r['cpus']} CPUs, load average "
            f"{r['load_average']} at the end (a shared machine: ratios from one run, absolute figures noisy).",
            "",
            "## /predict, 1 transaction, sequential, 1 worker",
            "",
            "| store | p50 ms | p99 ms |",
            "|---|---|---|",
            f"| in-process | {r['latency_memory']['p50_ms']} | {r['latency_memory']['p99_ms']} |",
            f"| Redis (loopback) | {r['latency_redis']['p50_ms']} | {r['latency_redis']['p99_ms']} |",
            "",
            f"p50 added by Redis: {r['p50_added_ms']} ms (goal <= 1 ms); p99 ratio {r['p99_ratio']}x (goal <= 2x).",
            "",
            "The store alone (``score`` of one new transaction in this process, no HTTP): in-process "
            f"p50 {r['store_only']['in-process']['p50_ms']} / p99 {r['store_only']['in-process']['p99_ms']} ms, "
            f"Redis p50 {r['store_only']['redis']['p50_ms']} / p99 {r['store_only']['redis']['p99_ms']} ms.",
            "",
            f"## Throughput, shared store, {args.clients} clients",
            "",
            "| workers | req/s |",
            "|---|---|",
            f"| 1 | {r['throughput_1_worker']} |",
            f"| 2 | {r['throughput_2_workers']} |",
            "",
            f"2 workers / 1 worker: {r['workers_ratio']}x (goal >= 1.7x on 2 otherwise idle cores).",
            "",
            "## Redis memory (shipped snapshot seeded: every customer with a 30-day window, 4 history vectors)",
            "",
            f"- {m['customers']} customers, {m['terminals']} terminals, "
            f"used_memory grew {m['used_memory_delta_mb']} MB",
            f"- {m['bytes_per_customer']} bytes per active customer (window + history), "
            f"{m['bytes_per_terminal']} bytes per terminal (37-day window + frauds)",
            f"- projection to 1 million customers ({m['terminals_per_customer']} terminals per customer as here): "
            f"{m['projected_gb_1m_customers']} GiB, plus the retry cache (one key per transaction of the last "
            "10 minutes)",
            "",
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
