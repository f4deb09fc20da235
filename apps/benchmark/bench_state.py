"""State-store benchmark (a script, not a test), all figures from one run on this machine:

- /predict (1 transaction, keep-alive, sequential) p50 / p99 with the shared Redis store vs the in-process
  store, one gunicorn worker each, on 127.0.0.1;
- throughput of one server on the shared store with 1 vs 2 workers (keep-alive clients in their own
  processes, bodies encoded beforehand), with the CPU time per request of the server, the load clients and
  redis-server, which all share this machine's cores (so the ratio the cores allow is printed beside it);
- throughput of the store alone as one customer's history grows to the window bound (in-process and Redis),
  as the ratio full / empty;
- Redis memory per active customer and per terminal (MEMORY USAGE of the keys, after seeding the shipped
  snapshot: every customer with a full 30-day window) and what that projects to for 1 million customers.
Every request carries a new transaction (a fresh simulated world in time order), so no retry cache helps.
Writes apps/benchmark/results/state.md (then ``multi_server.py --markdown`` appends the quality figures).

Usage: python apps/benchmark/bench_state.py [--app flask-logreg-app] [--requests 600] [--clients 16]
       [--reconnect 0]
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import platform
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

APPS_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(APPS_ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import multi_server  # noqa: E402

from fraudkit.scoring import SHARED_STATE  # noqa: E402
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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def group_pids(pgid: int) -> list[int]:
    """The processes of a process group (gunicorn's master and its workers)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            out.append(int(stat.parent.name))
    return out


def _connect(port: int) -> tuple[socket.socket, Any]:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock, sock.makefile("rb")


def _client(port: int, requests: list[bytes], reconnect: int, start: Any, results: Any) -> None:
    """One lean load client (a forked process): pre-built HTTP/1.1 requests on one keep-alive socket (a new
    one every ``reconnect`` requests when > 0), the reply read by its Content-Length; reports its requests
    and its own CPU seconds for the loop."""
    sock, reader = _connect(port)
    start.wait()
    began = time.process_time()
    failed = 0
    for n, raw in enumerate(requests):
        if reconnect and n and n % reconnect == 0:
            sock.close()
            sock, reader = _connect(port)
        sock.sendall(raw)
        status = reader.readline()
        length = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        reader.read(length)
        failed += not status.startswith(b"HTTP/1.1 200")
    results.put((len(requests), failed, time.process_time() - began))
    sock.close()


def concurrent(
    port: int, payloads: list[dict[str, Any]], clients: int, cpu_of: dict[str, list[int]], reconnect: int = 0
) -> dict[str, Any]:
    """Requests per second with ``clients`` client processes, each on its own keep-alive connection, and the
    CPU time per request (µs) of the server, the clients and redis-server meanwhile."""
    context = multiprocessing.get_context("fork")
    start, results = context.Event(), context.Queue()
    requests = []
    for body in payloads:
        data = json.dumps(body).encode()
        head = "POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
        requests.append(f"{head}{len(data)}\r\n\r\n".encode() + data)
    procs = [
        context.Process(target=_client, args=(port, requests[c::clients], reconnect, start, results))
        for c in range(clients)
    ]
    for proc in procs:
        proc.start()
    time.sleep(0.3)  # connected
    before = {name: cpu_seconds(pids) for name, pids in cpu_of.items()}
    server_before = {pid: cpu_seconds([pid]) for pid in cpu_of.get("server", [])}
    began = time.perf_counter()
    start.set()
    done = [results.get(timeout=600) for _ in procs]
    seconds = time.perf_counter() - began
    cpu = {name: cpu_seconds(pids) - before[name] for name, pids in cpu_of.items()}
    per_process = [cpu_seconds([pid]) - used for pid, used in server_before.items()]
    for proc in procs:
        proc.join()
    if sum(failed for _, failed, _ in done):
        raise RuntimeError("/predict answered other than 200")
    cpu["clients"] = sum(c for _, _, c in done)
    per_request = {name: round(value / len(payloads) * 1e6) for name, value in cpu.items()}
    # Each server process's share of the server's CPU (the master's ~0 left out): keep-alive connections stay
    # with the worker that accepted them, so a few clients can load one worker far more than the other.
    shares = sorted((round(x / max(sum(per_process), 1e-9), 2) for x in per_process if x > 0.01), reverse=True)
    return {"rps": round(len(payloads) / seconds, 1), "cpu_us_per_request": per_request, "worker_cpu_shares": shares}


def latency_case(app_dir: Path, env: dict[str, str], log_dir: Path, payloads: list[dict[str, Any]]) -> dict[str, float]:
    with multi_server.servers(app_dir, 1, {**env, "FRAUDKIT_WORKERS": "1"}, log_dir) as (server,):
        sequential(server.port, payloads[:50])  # warm-up (connections, scripts, caches)
        times = sequential(server.port, payloads[50:])
    return {"p50_ms": round(statistics.median(times), 3), "p99_ms": round(percentile(times, 99), 3)}


def throughput_case(
    app_dir: Path,
    env: dict[str, str],
    workers: int,
    log_dir: Path,
    payloads: list[dict[str, Any]],
    clients: int,
    redis_pid: int,
    reconnect: int = 0,
) -> dict[str, Any]:
    with multi_server.servers(app_dir, 1, {**env, "FRAUDKIT_WORKERS": str(workers)}, log_dir) as (server,):
        assert server.process is not None
        cpu_of = {"server": group_pids(server.process.pid), "redis": [redis_pid]}
        deadline = time.monotonic() + 120
        while True:  # warm-up until every worker has loaded its model (one 200 on /health is any one of them)
            try:
                concurrent(server.port, payloads[:100], clients, cpu_of)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        cpu_of["server"] = group_pids(server.process.pid)
        return concurrent(server.port, payloads[100:], clients, cpu_of, reconnect)


def history_case(
    url: str, points: tuple[int, ...] = (0, 3000, 9000), per_point: int = 300
) -> dict[str, dict[str, float]]:
    """The store alone: ``score`` of one transaction per call for one customer (and terminal) whose history
    grows to ``points`` transactions, all inside the 30-day window and below the per-entity bound of 10,000
    (past it every transaction also drops the oldest, a constant extra); calls per second at each point."""
    from datetime import timedelta

    from fraudkit.records import Transaction
    from fraudkit.state import OnlineFeatureState
    from fraudkit.store.config import StoreConfig
    from fraudkit.store.memory import MemoryStore
    from fraudkit.store.redis_store import RedisStore

    start = transactions_of(simulate(multi_server.world(customers=5, days=1)))[0].tx_datetime
    stores = {
        "in-process": MemoryStore(OnlineFeatureState.load(SHARED_STATE)),
        "redis": RedisStore.open(SHARED_STATE, 0, "history-bench", StoreConfig(url=url)),
    }
    out = {}
    for name, store in stores.items():
        customer = (  # one customer at one terminal, a transaction every 20 s
            Transaction(f"hist-{i}", 10**9, 10**9, start + timedelta(seconds=20 * i), 12.5) for i in itertools.count()
        )
        made = 0
        rates = {}
        for point in points:
            while made < point:
                count = min(500, point - made)
                store.score(list(itertools.islice(customer, count)))
                made += count
            blocks = []
            for _ in range(3):  # the median of three blocks (a shared machine)
                singles = [[next(customer)] for _ in range(per_point)]
                made += per_point
                began = time.perf_counter()
                for one in singles:
                    store.score(one)
                blocks.append(per_point / (time.perf_counter() - began))
            rates[str(point)] = round(statistics.median(blocks))
        out[name] = rates
    return out


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
    client = stores["redis"].client  # type: ignore[attr-defined]
    pings = []
    for _ in range(count):
        start = time.perf_counter()
        client.ping()
        pings.append((time.perf_counter() - start) * 1000)
    out["redis PING"] = {"p50_ms": round(statistics.median(pings), 3), "p99_ms": round(percentile(pings, 99), 3)}
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
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--reconnect",
        type=int,
        default=0,
        help="a client opens a new connection every N requests (0: one keep-alive connection for the whole run)",
    )
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
            pid = redis.process.pid
            in_process = throughput_case(
                app_dir, memory, 1, log_dir, bodies(n, 5_000_000), args.clients, pid, args.reconnect
            )
            one = throughput_case(app_dir, shared, 1, log_dir, bodies(n, 3_000_000), args.clients, pid, args.reconnect)
            two = throughput_case(app_dir, shared, 2, log_dir, bodies(n, 4_000_000), args.clients, pid, args.reconnect)
            mem = memory_figures(f"redis://127.0.0.1:{redis.port}/5")
            store_only = store_latency(f"redis://127.0.0.1:{redis.port}/6", n)
            history = history_case(f"redis://127.0.0.1:{redis.port}/7")
        finally:
            redis.stop()
    cpus = os.cpu_count() or 1
    cpu_two = two["cpu_us_per_request"]
    # What the cores allow with 2 workers: the whole machine's CPU (server + clients + redis per request),
    # and each worker's own CPU per request on at most one core each.
    machine_bound = cpus * 1e6 / max(sum(cpu_two.values()), 1)
    workers_bound = 2 * 1e6 / max(cpu_two["server"], 1)
    result = {
        "app": args.app,
        "latency_memory": lat_memory,
        "latency_redis": lat_redis,
        "p50_added_ms": round(lat_redis["p50_ms"] - lat_memory["p50_ms"], 3),
        "p99_ratio": round(lat_redis["p99_ms"] / lat_memory["p99_ms"], 2),
        "throughput_in_process_1_worker": in_process["rps"],
        "cpu_us_per_request_in_process": in_process["cpu_us_per_request"],
        "throughput_1_worker": one["rps"],
        "throughput_2_workers": two["rps"],
        "workers_ratio": round(two["rps"] / one["rps"], 2),
        "cpu_us_per_request_1_worker": one["cpu_us_per_request"],
        "cpu_us_per_request_2_workers": cpu_two,
        "workers_ratio_cores_allow": round(min(machine_bound, workers_bound) / one["rps"], 2),
        "worker_cpu_shares_2_workers": two["worker_cpu_shares"],
        "history_rps": history,
        "history_ratio": {name: round(r[max(r, key=int)] / r["0"], 2) for name, r in history.items()},
        "memory": mem,
        "store_only": store_only,
        "cpus": cpus,
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
            f"--clients {args.clients} --reconnect {args.reconnect}` on {platform.machine()}, {r['cpus']} CPUs, "
            "load average "
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
            f"Redis p50 {r['store_only']['redis']['p50_ms']} / p99 {r['store_only']['redis']['p99_ms']} ms; "
            f"a bare PING round trip to redis-server p50 {r['store_only']['redis PING']['p50_ms']} / p99 "
            f"{r['store_only']['redis PING']['p99_ms']} ms (what one round trip between two processes costs on "
            "this machine: a request with the shared store makes one more than with the in-process store).",
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
            "CPU time per request (µs) while measuring, from /proc: "
            + "; ".join(
                f"{w}: " + ", ".join(f"{k} {v}" for k, v in r[f"cpu_us_per_request_{w}"].items())
                for w in ("1_worker", "2_workers")
            )
            + f". For comparison, the in-process store with 1 worker: {r['throughput_in_process_1_worker']} req/s, "
            f"server {r['cpu_us_per_request_in_process']['server']} µs per request (so the shared store costs the "
            f"server {r['cpu_us_per_request_1_worker']['server'] - r['cpu_us_per_request_in_process']['server']} µs "
            "of CPU per request). "
            f"The server, the load clients and redis-server share the {r['cpus']} cores, so with 2 workers "
            f"the cores allow at most {r['workers_ratio_cores_allow']}x the 1-worker throughput (the lesser of "
            f"{r['cpus']} cores / the CPU of all three per request and 2 workers / a worker's CPU per request). "
            f"The 2 workers' shares of the server CPU: {r['worker_cpu_shares_2_workers']} (a keep-alive connection "
            "stays with the worker that accepted it: with few clients one worker can get most of them, which caps "
            "the ratio whatever the cores; use many more clients than workers, as a load balancer opens).",
            "",
            "## Throughput as one customer's history grows (the store alone)",
            "",
            "One customer and one terminal, every transaction inside the 30-day window; ``score`` calls per "
            "second. Goal: flat within 10% (ratio >= 0.9).",
            "",
            "| store | "
            + " | ".join(f"history {int(p):,}" for p in r["history_rps"]["in-process"])
            + " | full / empty |",
            "|---|" + "---|" * (len(r["history_rps"]["in-process"]) + 1),
            *(
                f"| {name} | " + " | ".join(f"{v:,}" for v in rates.values()) + f" | {r['history_ratio'][name]} |"
                for name, rates in r["history_rps"].items()
            ),
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
