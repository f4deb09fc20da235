"""Serving benchmark (a script, not a test): every app against the ceiling of its stack, in one run.

The ceiling is a hello-world Flask app served by the apps' own gunicorn config (fraudkit.serving.gunicorn_conf),
started by this script under each Python line, so an app's ratio to it compares like with like on a shared
machine. Per app, in the app's own environment (scripts/app_env.sh):
  - HTTP: gunicorn on 127.0.0.1, 1-transaction POST /predict from 1 and from 4 keep-alive clients (separate
    processes), req/s and p50/p99, median of the rounds; the ratio to the ceiling's req/s of the same line;
  - 100 transactions per request: HTTP cost per transaction against the model's own per-row cost on a
    10,000-row batch (Scorer.predict_features: model, contributions and reasons, no state, no HTTP);
  - history: in-process 1-transaction throughput for one customer whose history grows to the state's window
    bound (every transaction inside the 30-day window), at several history lengths;
  - profile: cProfile over in-process requests (Flask test client), time per request by stage.
Writes apps/benchmark/results/serving.json and serving.md; ``--readme`` prints the README's serving table
from serving.json (the table between the markers in serving.md).

Usage: python apps/benchmark/bench_serving.py [--apps a,b] [--rounds 3] [--requests 600] [--store URL]
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

APPS_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = APPS_ROOT.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
HELLO_DIR = Path(__file__).resolve().parent / "hello"
sys.path.insert(0, str(APPS_ROOT))

from fraudkit.app_folders import find_app_dirs, is_deep_app, python_version  # noqa: E402
from fraudkit.local_server import free_port, gunicorn_command, gunicorn_env  # noqa: E402

CLIENTS = (1, 4)
GOALS = {"classic": 0.8, "deep": 0.5, "per_tx_ratio": 3.0}
HISTORY_POINTS = (0, 1000, 3000, 9000)
"""Customer history lengths (transactions inside the window) at which the history throughput is measured."""
README_BEGIN, README_END = "<!-- serving-table:begin -->", "<!-- serving-table:end -->"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


# --- request bodies ------------------------------------------------------------------------------------------


def _transactions(sample: list[dict[str, Any]], count: int, tag: str) -> list[dict[str, Any]]:
    """``count`` sample transactions cycling through the sample, fresh ids, times moved forward past the sample."""
    out = []
    for i in range(count):
        tx = sample[i % len(sample)]
        when = datetime.fromisoformat(tx["tx_datetime"]) + timedelta(seconds=1 + i // len(sample))
        out.append({**tx, "transaction_id": f"{tag}-{i}", "tx_datetime": when.isoformat()})
    return out


def _bodies(sample: list[dict[str, Any]], size: int, count: int, tag: str) -> list[bytes]:
    txs = _transactions(sample, size * count, tag)
    return [json.dumps({"transactions": txs[i * size : (i + 1) * size]}).encode() for i in range(count)]


# --- HTTP ----------------------------------------------------------------------------------------------------


def _post(connection: http.client.HTTPConnection, path: str, body: bytes) -> float:
    start = time.perf_counter()
    connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
    reply = connection.getresponse()
    reply.read()
    if reply.status != 200:
        raise RuntimeError(f"{path} answered {reply.status}")
    return time.perf_counter() - start


def client_main(port: int, path: str, bodies_file: str) -> None:
    """One load client (its own process, so clients do not share a GIL): posts every body, prints latencies."""
    bodies = [line.encode() for line in Path(bodies_file).read_text().splitlines()]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sys.stdin.readline()  # start together
    print(json.dumps([_post(connection, path, body) for body in bodies]), flush=True)


def _load(port: int, path: str, bodies: list[bytes], clients: int) -> dict[str, float]:
    """``bodies`` sent by ``clients`` keep-alive clients at once: req/s over the wall time, p50/p99 in ms."""
    with tempfile.TemporaryDirectory() as tmp:
        procs = []
        for c in range(clients):
            file = Path(tmp) / f"c{c}.txt"
            file.write_text("\n".join(b.decode() for b in bodies[c::clients]))
            command = [sys.executable, __file__, "--client", str(port), path, str(file)]
            procs.append(
                subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
            )
        time.sleep(0.5)  # interpreters up
        start = time.perf_counter()
        for proc in procs:
            try:
                proc.stdin.write("go\n")  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except BrokenPipeError:
                pass  # it died early: its stderr says why, below
        latencies: list[float] = []
        for proc in procs:
            out = proc.stdout.read()  # type: ignore[union-attr]
            err = proc.stderr.read()  # type: ignore[union-attr]
            proc.wait(600)
            if proc.returncode != 0:
                raise RuntimeError(f"a load client failed: {(err.strip().splitlines() or ['no output'])[-1]}")
            latencies += json.loads(out)
        wall = time.perf_counter() - start
    ms = [x * 1000 for x in latencies]
    return {"rps": len(ms) / wall, "p50_ms": statistics.median(ms), "p99_ms": percentile(ms, 99)}


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


class Gunicorn:
    """gunicorn with the image's config (access log included) serving ``app:create_app()`` from ``folder``."""

    def __init__(self, folder: Path, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        env = gunicorn_env(self.port, extra_env)
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            gunicorn_command(), cwd=folder, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def __enter__(self) -> Gunicorn:
        try:
            _wait_healthy(self.port, self.process, 300)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.close()


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


def measure_http(folder: Path, sample: list[dict[str, Any]], rounds: int, requests: int) -> dict[str, Any]:
    """1-transaction load from 1 and 4 clients, rounds alternating between the app and the ceiling (both
    servers up at once, one loaded at a time) so both see the same machine; and 100-transaction requests."""
    out: dict[str, Any] = {"ceiling": {}}
    hello_body = [b'{"transactions": []}'] * requests
    with Gunicorn(HELLO_DIR) as hello, Gunicorn(folder) as server:
        warm = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        for body in _bodies(sample, 1, 50, "warm"):
            _post(warm, "/predict", body)
        for clients in CLIENTS:
            mine, theirs = [], []
            for r in range(rounds):
                theirs.append(_load(hello.port, "/predict", hello_body, clients))
                mine.append(_load(server.port, "/predict", _bodies(sample, 1, requests, f"c{clients}r{r}"), clients))
            out[f"c{clients}"] = _median_run(mine)
            out["ceiling"][f"c{clients}"] = _median_run(theirs)
            out[f"ratio_c{clients}"] = statistics.median(m["rps"] / t["rps"] for m, t in zip(mine, theirs))
        fresh = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)  # warm one idled past keep-alive
        hundred = [_post(fresh, "/predict", body) * 1000 for body in _bodies(sample, 100, 30, "h")]
        out["http_100_p50_ms"] = statistics.median(hundred)
    return out


# --- in process ----------------------------------------------------------------------------------------------


def _records(transactions: list[dict[str, Any]]) -> list[Any]:
    from fraudkit.serving.validation import parse_transaction

    return [parse_transaction(tx, "tx") for tx in transactions]


def _loaded_app(app_dir: Path) -> Any:
    from fraudkit.app_folders import load_app_module

    app = load_app_module(app_dir).create_app()
    assert app.extensions["fraudkit_model"].wait(300)
    return app


def measure_model_rows(app_dir: Path, rows: int = 10_000) -> float:
    """The model's own cost per row (µs) on a large batch: predict_features (model, contributions, reasons)."""
    import numpy as np

    scorer = _loaded_app(app_dir).extensions["fraudkit_model"].scorer
    rng = np.random.default_rng(0)
    X = np.abs(rng.normal(size=(rows, len(scorer.feature_names)))) * 5
    ids = [str(i) for i in range(rows)]
    scorer.predict_features(ids[:100], X[:100])
    start = time.perf_counter()
    scorer.predict_features(ids, X)
    return (time.perf_counter() - start) / rows * 1e6


def measure_history(app_dir: Path, sample: list[dict[str, Any]], per_point: int = 150) -> dict[str, float]:
    """In-process 1-transaction req/s for one customer at growing history lengths (all inside the window)."""
    scorer = _loaded_app(app_dir).extensions["fraudkit_model"].scorer
    base = dict(sample[0])
    start = datetime.fromisoformat(base["tx_datetime"]) + timedelta(days=1)
    step = timedelta(seconds=20)  # 9,000 transactions span 2 days: all inside the 30-day window
    made = 0

    def txs(count: int) -> list[dict[str, Any]]:
        nonlocal made
        out = [
            {**base, "transaction_id": f"hist-{made + i}", "tx_datetime": (start + step * (made + i)).isoformat()}
            for i in range(count)
        ]
        made += count
        return out

    rates = {}
    for point in HISTORY_POINTS:
        while made < point:
            scorer.predict(_records(txs(min(1000, point - made))))
        singles = [_records(txs(1)) for _ in range(per_point)]
        began = time.perf_counter()
        for one in singles:
            scorer.predict(one)
        rates[str(point)] = per_point / (time.perf_counter() - began)
    return rates


STAGES = [
    ("decode", [("app_factory.py", "_json_body")]),
    ("validate", [("validation.py", "parse_predict")]),
    ("state", [("state.py", "update")]),
    ("model", [("scorer.py", "_model_outputs"), ("scorer.py", "_score")]),
    ("reasons", [("scorer.py", "top_reasons")]),
    ("encode", [("app_factory.py", "prediction_json"), ("app_factory.py", "_json_response")]),
]
"""Profile stages: (file name, function) whose cumulative time makes the stage; 'model' is the first found."""


def profile_requests(app_dir: Path, sample: list[dict[str, Any]], count: int = 150) -> dict[str, float]:
    """µs per 1-transaction request by stage, from cProfile over Flask test-client requests (cProfile's own
    overhead inflates every figure; the shares are what matter)."""
    client = _loaded_app(app_dir).test_client()
    bodies = _bodies(sample, 1, count + 20, "prof")
    for body in bodies[:20]:
        client.post("/predict", data=body, content_type="application/json")
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for body in bodies[20:]:
        client.post("/predict", data=body, content_type="application/json")
    profiler.disable()
    wall = time.perf_counter() - began
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    cumulative: dict[tuple[str, str], float] = {}
    for (file, _, name), (_, _, _, ct, _) in stats.items():
        key = (Path(file).name, name)
        cumulative[key] = cumulative.get(key, 0.0) + ct
    out = {"total": wall / count * 1e6}
    for stage, keys in STAGES:
        found = [cumulative[k] for k in keys if k in cumulative]
        if stage == "model":
            found = found[:1]
            if ("scorer.py", "top_reasons") in cumulative and ("scorer.py", "_model_outputs") not in cumulative:
                found = [found[0] - cumulative[("scorer.py", "top_reasons")]] if found else []
        out[stage] = sum(found) / count * 1e6
    out["flask + rest"] = out["total"] - sum(out[s] for s, _ in STAGES)
    return out


def measure_app(app_dir: Path, rounds: int, requests: int) -> dict[str, Any]:
    """Every figure for one app, measured in the running interpreter (the app's own environment)."""
    sample = json.loads((app_dir / "model" / "sample_scores.json").read_text(encoding="utf-8"))["transactions"]
    result: dict[str, Any] = {"app": app_dir.name, "python": platform.python_version()}
    result["model_row_us"] = measure_model_rows(app_dir)
    result["profile_us"] = profile_requests(app_dir, sample)
    result["history_rps"] = measure_history(app_dir, sample)
    result.update(measure_http(app_dir, sample, rounds, requests))
    return result


# --- orchestration and reporting -----------------------------------------------------------------------------


def _line_python(app: str) -> str:
    run = subprocess.run(["bash", str(REPO_ROOT / "scripts" / "app_env.sh"), app], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "app_env.sh failed")
    return run.stdout.strip().splitlines()[-1]


def _run_child(python: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    run = subprocess.run([python, __file__, *args], capture_output=True, text=True, check=False, env=env)
    if run.returncode != 0:
        raise RuntimeError((run.stderr.strip().splitlines() or ["no output"])[-1])
    return json.loads(run.stdout.strip().splitlines()[-1])


def readme_table(report: dict[str, Any]) -> str:
    """The README's serving table: each app's req/s, p50/p99 and ratio to the ceiling measured in alternating
    rounds with it (1 and 4 clients), and the ceiling's own figures (median over the apps' runs)."""
    head = (
        "| server | Python | 1 client req/s | p50 / p99 ms | 4 clients req/s | p50 / p99 ms "
        "| ratio to ceiling (1 / 4) | goal |"
    )
    lines = [head, "|---|---|---|---|---|---|---|---|"]
    apps = [a for a in report["apps"] if "error" not in a]
    for line in sorted({a["python"] for a in apps}):
        runs = [a["ceiling"] for a in apps if a["python"] == line]
        ceiling = {
            f"c{c}": {k: statistics.median(r[f"c{c}"][k] for r in runs) for k in ("rps", "p50_ms", "p99_ms")}
            for c in CLIENTS
        }
        lines.append(_row({"app": "hello-world Flask (ceiling)", "python": line, **ceiling}))
    for a in sorted(apps, key=lambda a: (a["python"], a["app"])):
        lines.append(_row(a))
    for a in report["apps"]:
        if "error" in a:
            lines.append(f"| {a['app']} | failed: {a['error']} |||||||")
    return "\n".join(lines)


def _row(row: dict[str, Any]) -> str:
    cells = [row["app"], row["python"]]
    for c in CLIENTS:
        m = row[f"c{c}"]
        cells += [f"{m['rps']:,.0f}", f"{m['p50_ms']:.2f} / {m['p99_ms']:.2f}"]
    if "goal" not in row:
        cells += ["1", ""]
    else:
        ratios = [row[f"ratio_c{c}"] for c in CLIENTS]
        met = "met" if min(ratios) >= row["goal"] else "not met"
        cells += [" / ".join(f"{r:.2f}" for r in ratios), f">= {row['goal']}x: {met}"]
    return "| " + " | ".join(cells) + " |"


def markdown(report: dict[str, Any], command: str) -> str:
    """serving.md: the ceiling table (README part between markers), then per-tx cost, history and profile."""
    apps = [a for a in report["apps"] if "error" not in a]
    out = [
        "# Serving benchmark",
        "",
        f"`{command}`; one run, {report['when']}, {os.cpu_count()} CPUs shared with other jobs (load average "
        f"{report['load_before']:.1f} at the start, {report['load_after']:.1f} at the end). gunicorn with the "
        "images' config (fraudkit.serving.gunicorn_conf: 1 worker with the in-process store, gevent, access log on); "
        "1-transaction POST /predict from keep-alive clients in their own processes on the same machine; median "
        f"of {report['rounds']} rounds of {report['requests']} requests. The ceiling is a hello-world Flask app "
        "(benchmark/hello) on the same config and client, served by this run next to each app, rounds alternating "
        "between the two, so a ratio compares the same minutes of the machine. "
        f"State store: {report['store']}. FRAUDKIT_BATCH_WAIT_MS: {report['batch_wait_ms']}.",
        "",
        README_BEGIN,
        readme_table(report),
        README_END,
        "",
        "## 100 transactions per request",
        "",
        f"HTTP time per transaction in a 100-transaction request against the model's own cost per row on a 10,000-row "
        f"batch (predict_features: model, contributions, reasons). Goal: <= {GOALS['per_tx_ratio']:g}x.",
        "",
        "| app | HTTP 100 tx p50 ms | per tx µs | model per row µs | ratio | goal |",
        "|---|---|---|---|---|---|",
    ]
    for a in apps:
        per_tx = a["http_100_p50_ms"] * 10
        ratio = per_tx / a["model_row_us"]
        met = "met" if ratio <= GOALS["per_tx_ratio"] else "not met"
        cells = [a["app"], f"{a['http_100_p50_ms']:.2f}", f"{per_tx:.0f}", f"{a['model_row_us']:.1f}", f"{ratio:.1f}x"]
        out.append("| " + " | ".join([*cells, met]) + " |")
    out += [
        "",
        "## Throughput as one customer's history grows",
        "",
        "In-process 1-transaction Scorer.predict for one customer, req/s at each history length (transactions "
        "inside the 30-day window, up to the state's per-entity bound). Goal: flat within 10%.",
        "",
        "| app | " + " | ".join(f"history {p:,}" for p in HISTORY_POINTS) + " | last / first |",
        "|---|" + "---|" * (len(HISTORY_POINTS) + 1),
    ]
    for a in apps:
        rates = [a["history_rps"][str(p)] for p in HISTORY_POINTS]
        out.append(f"| {a['app']} | " + " | ".join(f"{r:,.0f}" for r in rates) + f" | {rates[-1] / rates[0]:.2f} |")
    stages = ["decode", "validate", "state", "model", "reasons", "encode", "flask + rest"]
    out += [
        "",
        "## Where one request's time goes",
        "",
        "cProfile over 150 in-process 1-transaction requests (Flask test client, no sockets), µs per request by "
        "stage; cProfile's overhead inflates all figures, so read the shares. model = score and contributions "
        "(classic) or score and occlusion (deep).",
        "",
        "| app | total | " + " | ".join(stages) + " |",
        "|---|---|" + "---|" * len(stages),
    ]
    for a in apps:
        p = a["profile_us"]
        out.append(f"| {a['app']} | {p['total']:.0f} | " + " | ".join(f"{p[s]:.0f}" for s in stages) + " |")
    return "\n".join(out) + "\n"


def main() -> None:
    """Runs the ceiling and every trained app (each in its own env), or one part in this interpreter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", help="comma-separated app names (default: every trained app)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per load level (the median is kept)")
    parser.add_argument("--requests", type=int, default=600, help="1-transaction requests per round")
    parser.add_argument("--store", help="FRAUDKIT_STATE_STORE for the apps (default: the in-process store)")
    parser.add_argument("--readme", action="store_true", help="print the README table from results/serving.json")
    parser.add_argument("--render", metavar="COMMAND", help="rewrite serving.md from serving.json")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        client_main(int(args.client[0]), args.client[1], args.client[2])
        return
    if args.readme:
        print(readme_table(json.loads((RESULTS_DIR / "serving.json").read_text())))
        return
    if args.render:
        report = json.loads((RESULTS_DIR / "serving.json").read_text())
        (RESULTS_DIR / "serving.md").write_text(markdown(report, args.render))
        return
    if args.rounds < 1 or args.requests < 10:
        sys.exit("error: --rounds must be >= 1 and --requests >= 10")
    if args.one:
        print(json.dumps(measure_app(APPS_ROOT / args.one, args.rounds, args.requests)))
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

    env = {**os.environ}
    if args.store:
        env["FRAUDKIT_STATE_STORE"] = args.store
    knobs = [f"--rounds={args.rounds}", f"--requests={args.requests}"] + (
        [f"--store={args.store}"] if args.store else []
    )
    report: dict[str, Any] = {
        "when": datetime.now().strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": os.getloadavg()[0],
        "rounds": args.rounds,
        "requests": args.requests,
        "store": args.store or "in-process (memory)",
        "batch_wait_ms": os.environ.get("FRAUDKIT_BATCH_WAIT_MS", "default (2)"),
        "apps": [],
    }
    pythons: dict[str, str] = {}
    for app_dir in trained:
        line = python_version(app_dir)
        print(f"benchmarking {app_dir.name} ...", file=sys.stderr)
        try:
            if line not in pythons:
                pythons[line] = _line_python(app_dir.name)
            result = _run_child(pythons[line], ["--one", app_dir.name, *knobs[:2]], env)
        except (RuntimeError, OSError, ValueError) as error:
            result = {"app": app_dir.name, "error": str(error)}
        result["line"] = line
        result["goal"] = GOALS["deep" if is_deep_app(app_dir) else "classic"]
        report["apps"].append(result)
        report["load_after"] = os.getloadavg()[0]
        RESULTS_DIR.mkdir(exist_ok=True)  # after every app, so an interrupted run keeps what it measured
        (RESULTS_DIR / "serving.json").write_text(json.dumps(report, indent=2) + "\n")
    command = "python apps/benchmark/bench_serving.py " + " ".join(knobs)
    if args.apps:
        command += f" --apps {args.apps}"
    text = markdown(report, command)
    (RESULTS_DIR / "serving.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
