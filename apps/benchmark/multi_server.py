"""Serving quality with several servers (a script, not a test): one app's gunicorn servers on 127.0.0.1,
a simulated world the model never saw streamed through them over HTTP (/predict in time order, yesterday's
labels through /feedback), requests round-robin, and the test week's AP / AUC.

Cases: one server; four servers round-robin, each with its own in-process state (what the load balancer does
today); four servers sharing one redis-server; one server killed and restarted mid-stream, with the
in-process store and with the shared one. A redis-server is started on a free port for the shared cases.
Prints one JSON line per case; ``--markdown`` appends them to apps/benchmark/results/state.md.

Usage: python apps/benchmark/multi_server.py [--app flask-logreg-app] [--customers 1000] [--days 40]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

APPS_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(APPS_ROOT))

import numpy as np  # noqa: E402

from fraudkit.local_server import free_port, gunicorn_command, gunicorn_env  # noqa: E402
from fraudkit.protocol import DELAY_DAYS, Fold, fold_rows, score_fold  # noqa: E402
from fraudkit.simulator import SimulatorConfig, TransactionTable, simulate  # noqa: E402
from fraudkit.stream import daily_batches  # noqa: E402


def world(customers: int, days: int) -> SimulatorConfig:
    """A fresh world (other seeds than the training world, starting 2019-01-01)."""
    return SimulatorConfig.small(
        n_customers=customers,
        n_terminals=2 * customers,
        nb_days=days,
        start_date="2019-01-01",
        customer_seed=10,
        terminal_seed=11,
        transaction_seed=12,
        fraud_seed=1_000,
    )


class Server:
    """One gunicorn of an app (the image's config) on a free loopback port."""

    def __init__(self, app_dir: Path, env: dict[str, str], log_dir: Path) -> None:
        self.app_dir = app_dir
        self.env = env
        self.port = free_port()
        self.log_path = log_dir / f"gunicorn-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120) -> Server:
        """Starts gunicorn and waits for /health 200."""
        return self.launch().wait_healthy(timeout)

    def launch(self) -> Server:
        """Starts gunicorn without waiting."""
        env = gunicorn_env(self.port, {**self.env, "FRAUDKIT_LOG_LEVEL": "warning"})
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                gunicorn_command(),
                cwd=self.app_dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_healthy(self, timeout: float = 120) -> Server:
        """Waits for /health 200; raises when gunicorn exits or the time is up."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited during start-up, see {self.log_path}")
            try:
                if request(self.port, "GET", "/health")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/health not 200 within {timeout} s, see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL to the master and its workers: no goodbye, as a crashed or replaced task."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None
            _connections.pop(self.port, None)

    def stop(self) -> None:
        """SIGTERM, gunicorn's graceful stop."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


_connections: dict[int, http.client.HTTPConnection] = {}


def request(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One JSON request on a keep-alive connection per port (reopened after a server restart)."""
    payload = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if payload is not None else {}
    for attempt in range(2):
        connection = _connections.get(port) or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        _connections[port] = connection
        try:
            connection.request(method, path, body=payload, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
            return reply.status, json.loads(data) if data else None
        except (OSError, http.client.HTTPException):
            connection.close()
            _connections.pop(port, None)
            if attempt:
                raise
    raise AssertionError("unreachable")


def _tx_json(table: TransactionTable, rows: np.ndarray, with_label: bool) -> list[dict[str, Any]]:
    out = []
    for r in rows.tolist():
        item = {
            "transaction_id": str(int(table.transaction_id[r])),
            "customer_id": int(table.customer_id[r]),
            "terminal_id": int(table.terminal_id[r]),
            "tx_datetime": table.tx_datetime[r].astype(datetime).strftime("%Y-%m-%dT%H:%M:%S"),
            "tx_amount": float(table.tx_amount[r]),
        }
        if with_label:
            item["is_fraud"] = bool(table.tx_fraud[r])
        out.append(item)
    return out


def replay_http(
    table: TransactionTable,
    servers: Sequence[Server],
    batch_size: int = 100,
    restart_at_day: int | None = None,
) -> np.ndarray:
    """Streams the table day by day (labels one day late) round-robin over the servers; each request goes to
    the next server. With ``restart_at_day`` the first server is killed and started again before that day.
    Returns the fraud probabilities in table order."""
    scores = np.zeros(len(table))
    turn = 0
    for day, (rows, label_rows) in enumerate(daily_batches(table)):
        if restart_at_day is not None and day == restart_at_day:
            servers[0].kill()
            servers[0].start()
        if label_rows.size:
            for lo in range(0, label_rows.size, batch_size):
                part = label_rows[lo : lo + batch_size]
                status, reply = request(
                    servers[turn % len(servers)].port,
                    "POST",
                    "/feedback",
                    {"transactions": _tx_json(table, part, True)},
                )
                turn += 1
                if status != 200:
                    raise RuntimeError(f"/feedback answered {status}: {reply}")
        for lo in range(0, rows.size, batch_size):
            part = rows[lo : lo + batch_size]
            status, reply = request(
                servers[turn % len(servers)].port, "POST", "/predict", {"transactions": _tx_json(table, part, False)}
            )
            turn += 1
            if status != 200:
                raise RuntimeError(f"/predict answered {status}: {reply}")
            scores[part] = [p["fraud_probability"] for p in reply["predictions"]]
    return scores


def test_week_metrics(table: TransactionTable, scores: np.ndarray, config: SimulatorConfig) -> dict[str, float]:
    """AP, AUC and CP@100 of the stream's last week (after the delay), as fraudkit.training.fresh_world scores it."""
    test_start = date.fromisoformat(config.start_date) + timedelta(days=config.nb_days - 7)
    _, test = fold_rows(table, Fold(test_start, delay_days=DELAY_DAYS))
    return {k: round(v, 4) for k, v in score_fold(table, test, scores[test]).items()}


class Redis:
    """A throw-away redis-server on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server") or shutil.which("valkey-server")
        if binary is None:
            raise RuntimeError("redis-server not found (apt-get install redis-server)")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


@contextmanager
def servers(app_dir: Path, count: int, env: dict[str, str], log_dir: Path) -> Iterator[list[Server]]:
    """``count`` started servers of the app, stopped on exit."""
    started: list[Server] = []
    try:
        for _ in range(count):
            started.append(Server(app_dir, env, log_dir).launch())
        for server in started:
            server.wait_healthy()
        yield started
    finally:
        for server in started:
            server.stop()


def run_case(
    app_dir: Path,
    config: SimulatorConfig,
    count: int,
    env: dict[str, str],
    log_dir: Path,
    restart_at_day: int | None = None,
) -> dict[str, Any]:
    """One case: the world streamed through ``count`` servers; the test week's metrics and the wall time."""
    table = simulate(config)
    with servers(app_dir, count, env, log_dir) as running:
        started = time.perf_counter()
        scores = replay_http(table, running, restart_at_day=restart_at_day)
        seconds = time.perf_counter() - started
    return {"transactions": len(table), "seconds": round(seconds, 1), **test_week_metrics(table, scores, config)}


def main(argv: list[str] | None = None) -> int:
    """CLI entry (see the module doc)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", default="flask-logreg-app")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--cases", default="", help="comma-separated case numbers to run (default: all)")
    parser.add_argument("--markdown", action="store_true", help="append a table to apps/benchmark/results/state.md")
    args = parser.parse_args(argv)
    app_dir = APPS_ROOT / args.app
    config = world(args.customers, args.days)
    restart_day = args.days // 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="multi-server-") as tmp:
        log_dir = Path(tmp)
        redis = Redis(log_dir)
        try:
            # A fresh namespace per shared case: each starts from the shipped snapshot as a new deployment does.
            cases = [
                ("1 server, in-process state", 1, {"FRAUDKIT_STATE_STORE": "memory"}, None),
                ("4 servers round-robin, in-process state each", 4, {"FRAUDKIT_STATE_STORE": "memory"}, None),
                ("1 server, shared Redis", 1, {"FRAUDKIT_STATE_STORE": f"redis://127.0.0.1:{redis.port}/1"}, None),
                (
                    "4 servers round-robin, shared Redis",
                    4,
                    {"FRAUDKIT_STATE_STORE": f"redis://127.0.0.1:{redis.port}/2"},
                    None,
                ),
                ("1 server restarted mid-stream, in-process state", 1, {"FRAUDKIT_STATE_STORE": "memory"}, restart_day),
                (
                    "1 server restarted mid-stream, shared Redis",
                    1,
                    {"FRAUDKIT_STATE_STORE": f"redis://127.0.0.1:{redis.port}/3"},
                    restart_day,
                ),
            ]
            chosen = {int(c) for c in args.cases.split(",") if c.strip()}
            for number, (name, count, env, restart) in enumerate(cases, start=1):
                if chosen and number not in chosen:
                    continue
                result = {"case": name, "app": args.app, **run_case(app_dir, config, count, env, log_dir, restart)}
                print(json.dumps(result), flush=True)
                rows.append(result)
        finally:
            redis.stop()
    if args.markdown:
        lines = [
            "",
            f"## Serving quality, one vs four servers ({args.app}, fresh world of {args.customers} customers, "
            f"{args.days} days, test = last week)",
            "",
            f"`python apps/benchmark/multi_server.py --app {args.app} --customers {args.customers} --days {args.days}`",
            "",
            "| case | AP | AUC | CP@100 | transactions | seconds |",
            "|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['case']} | {r['average_precision']} | {r['auc_roc']} | {r['card_precision_at_100']} "
                f"| {r['transactions']} | {r['seconds']} |"
            )
        out = Path(__file__).resolve().parent / "results" / "state.md"
        previous = out.read_text(encoding="utf-8") if out.exists() else ""
        # Replaces the previous run's section (bench_state.py writes the part above it).
        head = previous[: previous.find("\n## Serving quality")] if "\n## Serving quality" in previous else previous
        out.write_text(head.rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
