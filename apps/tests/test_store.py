"""The shared Redis store against a real redis-server: the same features as the in-process store, retries and
repeated labels counted once, label integrity, expiry on every key, seeding once, outages answered 503."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from irregular_stream import irregular_stream
from redis_server import RedisServer

from fraudkit.features import FEATURE_NAMES, BaselineFeatures
from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.simulator import SimulatorConfig, simulate
from fraudkit.state import ACCEPTED, NOT_SCORED, TERMINAL_CAP, TOO_OLD, OnlineFeatureState, snapshot_from_table
from fraudkit.store import StoreUnavailable
from fraudkit.store.config import StoreConfig
from fraudkit.store.memory import MemoryStore
from fraudkit.stream import replay

redis = pytest.importorskip("redis")
from fraudkit.store.redis_store import RedisStore  # noqa: E402

RISK_1D = FEATURE_NAMES.index("TERMINAL_ID_RISK_1DAY_WINDOW")
T0 = datetime(2018, 4, 1, 12)


@pytest.fixture
def redis_server(tmp_path: Path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def module_redis(tmp_path_factory: pytest.TempPathFactory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def world():
    table = simulate(SimulatorConfig.small(nb_days=40, n_customers=100))
    return table, BaselineFeatures().fit_transform(table)


@pytest.fixture(scope="module")
def seeded_snapshot(world, tmp_path_factory):
    """A snapshot of the world's first month (with two history vectors per customer)."""
    table, batch = world
    head = np.nonzero(table.tx_datetime < np.datetime64("2018-05-01"))[0]
    path = tmp_path_factory.mktemp("snap") / "state.npz"
    snapshot_from_table(table.select(head), batch[head], history_k=2).save(path)
    return path


def empty_snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "empty.npz"
    OnlineFeatureState().save(path)
    return path


def open_redis(url: str, snapshot: Path, history_k: int = 0, namespace: str = "t", **config) -> RedisStore:
    return RedisStore.open(snapshot, history_k, namespace, StoreConfig(url=url, **config))


def stream(store, table):
    """Replays the table through a store: yesterday's labels, then today's transactions in batches."""
    return replay(table, store.score, lambda labels: sum(v == ACCEPTED for v in store.label(labels)))


def test_same_stream_same_features_as_the_in_process_store(world, seeded_snapshot, module_redis):
    table, batch = world
    tail = table.select(np.nonzero(table.tx_datetime >= np.datetime64("2018-05-01"))[0])
    memory = MemoryStore(OnlineFeatureState.load(seeded_snapshot, history_k=2))
    shared = open_redis(module_redis.url, seeded_snapshot, history_k=2, namespace="same")
    by_memory = stream(memory, tail)
    by_redis = stream(shared, tail)
    assert len(by_memory) == len(by_redis) == len(tail)
    np.testing.assert_allclose([u.features for u in by_redis], [u.features for u in by_memory], rtol=0, atol=1e-9)
    for a, b in zip(by_memory, by_redis):
        np.testing.assert_allclose(b.previous, a.previous, rtol=0, atol=1e-9)
    # And both equal the batch features (labels arrive as the stream goes), so the risk is really exercised.
    after = np.nonzero(table.tx_datetime >= np.datetime64("2018-05-01"))[0]
    np.testing.assert_allclose([u.features for u in by_redis], batch[after], rtol=0, atol=1e-9)
    assert batch[after][:, RISK_1D].max() > 0


def test_a_retried_transaction_is_counted_once_and_gets_the_same_features(tmp_path, redis_server):
    for store in (MemoryStore(OnlineFeatureState()), open_redis(redis_server.url, empty_snapshot(tmp_path))):
        first = [Transaction("a", 1, 7, T0, 10.0), Transaction("b", 1, 7, T0 + timedelta(minutes=1), 20.0)]
        once = store.score(first)
        again = store.score(first)  # a load balancer's retry of the whole request
        for x, y in zip(once, again):
            np.testing.assert_array_equal(x.features, y.features)
        (probe,) = store.score([Transaction("c", 1, 7, T0 + timedelta(minutes=2), 30.0)])
        assert probe.features[3] == 3  # 1-day count: a, b and c, not a, b, a, b, c
        assert probe.features[4] == pytest.approx(20.0)


def test_labels_need_a_scored_transaction_are_deduplicated_and_capped(tmp_path, redis_server):
    stores = [
        MemoryStore(OnlineFeatureState(max_labels_per_terminal_day=2)),
        open_redis(redis_server.url, empty_snapshot(tmp_path), max_labels_per_terminal_day=2),
    ]
    for store in stores:
        txs = [Transaction(f"t{i}", i, 7, T0 + timedelta(minutes=i), 10.0) for i in range(4)]
        store.score(txs)
        fraud = [LabelledTransaction(**vars(tx), is_fraud=True) for tx in txs]
        never = LabelledTransaction("ghost", 1, 7, T0, 10.0, True)
        elsewhere = replace(fraud[0], terminal_id=8)
        verdicts = store.label([fraud[0], fraud[0], never, elsewhere, fraud[1], fraud[2]])
        assert verdicts == [ACCEPTED, ACCEPTED, NOT_SCORED, NOT_SCORED, ACCEPTED, TERMINAL_CAP]
        later = Transaction("later", 99, 7, T0 + timedelta(days=7, hours=12), 5.0)
        (after,) = store.score([later])
        assert after.features[RISK_1D] == pytest.approx(2 / 4)  # two frauds counted once each, cap held the third
        assert store.label([replace(fraud[0], is_fraud=False)]) == [ACCEPTED]  # a correction frees nothing else
        store.score([Transaction("far", 5, 9, T0 + timedelta(days=60), 1.0)])
        assert store.label([fraud[3]]) == [TOO_OLD]


def test_a_far_future_transaction_does_not_age_out_the_labels(tmp_path, redis_server):
    now = datetime(2018, 4, 10).timestamp()
    stores = [
        MemoryStore(OnlineFeatureState(clock=lambda: now)),
        open_redis(redis_server.url, empty_snapshot(tmp_path), history_k=0),
    ]
    stores[1].clock = lambda: now
    for store in stores:
        store.score([Transaction("a", 1, 7, T0, 10.0)])
        store.score([Transaction("z", 2, 8, datetime(9999, 12, 31), 10.0)])
        assert store.label([LabelledTransaction("a", 1, 7, T0, 10.0, True)]) == [ACCEPTED]
        (later,) = store.score([Transaction("b", 3, 7, T0 + timedelta(days=7, hours=1), 10.0)])
        assert later.features[RISK_1D] == 1.0  # the ratio is capped and the label survived


def test_every_key_expires(world, seeded_snapshot, redis_server):
    table, _ = world
    tail = table.select(np.nonzero(table.tx_datetime >= np.datetime64("2018-05-01"))[0][:300])
    store = open_redis(redis_server.url, seeded_snapshot, history_k=2, namespace="ttl", max_labels_per_terminal_day=5)
    stream(store, tail)
    client = redis.Redis.from_url(redis_server.url)
    keys = list(client.scan_iter(match=store.prefix + "*", count=1000))
    kinds = {k[len(store.prefix) :].split(b":")[0] for k in keys}
    assert {b"c", b"h", b"t", b"f", b"x", b"clock", b"meta"} <= kinds
    no_ttl = [k for k in keys if client.ttl(k) < 0]
    assert no_ttl == []
    horizon = 37 * 86400
    assert max(client.ttl(k) for k in keys) <= horizon


def test_ten_processes_seed_the_store_once(seeded_snapshot, redis_server):
    stores = [open_redis(redis_server.url, seeded_snapshot, history_k=2, namespace="seed") for _ in range(1)]
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()  # open() seeded already; start from an empty store again
    results: list[bool] = []
    barrier = threading.Barrier(10)

    def start() -> None:
        store = RedisStore(
            redis.Redis.from_url(redis_server.url),
            "r",
            "seed",
            seeded_snapshot,
            2,
            StoreConfig(url=redis_server.url),
            stores[0].windows,
            stores[0].delay_days,
        )
        barrier.wait()
        results.append(store.seed())

    threads = [threading.Thread(target=start) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 9 + [True]
    assert client.get(stores[0].prefix + "meta") == stores[0].version.encode()
    assert client.exists(stores[0].prefix + "lock") == 0
    # Seeding again changes nothing (idempotent, versioned).
    assert stores[0].seed() is False


def test_concurrent_requests_for_one_customer_lose_no_update(tmp_path, redis_server):
    snapshot = empty_snapshot(tmp_path)
    stores = [open_redis(redis_server.url, snapshot, namespace="conc") for _ in range(4)]

    def send(k: int) -> None:
        for i in range(25):
            stores[k].score([Transaction(f"w{k}-{i}", 1, 3, T0 + timedelta(seconds=k * 100 + i), 1.0)])

    threads = [threading.Thread(target=send, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (probe,) = stores[0].score([Transaction("probe", 1, 3, T0 + timedelta(hours=1), 1.0)])
    assert probe.features[3] == 101  # every one of the 100 concurrent updates, plus the probe


def test_outage_gives_store_unavailable_then_recovers_and_reseeds(seeded_snapshot, tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        store = open_redis(server.url, seeded_snapshot, history_k=2, namespace="down")
        (before,) = store.score([Transaction("a", 1, 7, datetime(2018, 5, 2), 10.0)])
        server.stop()
        with pytest.raises(StoreUnavailable) as raised:
            store.score([Transaction("b", 1, 7, datetime(2018, 5, 2, 1), 10.0)])
        assert raised.value.store == f"redis://127.0.0.1:{server.port}/0"
        with pytest.raises(StoreUnavailable):
            store.check()
        server.start()  # a restart that lost everything: scripts and data
        (again,) = store.score([Transaction("a2", 1, 7, datetime(2018, 5, 2), 10.0)])
        np.testing.assert_allclose(again.features, before.features, atol=1e-9)  # re-seeded from the snapshot
        store.check()
    finally:
        server.stop()


def test_config_from_the_environment():
    assert StoreConfig.from_env({}).url is None
    assert StoreConfig.from_env({"FRAUDKIT_STATE_STORE": "memory"}).shared is False
    config = StoreConfig.from_env(
        {
            "FRAUDKIT_STATE_STORE": "rediss://cache.example:6379/0",
            "FRAUDKIT_STATE_STORE_PASSWORD": "pw",
            "FRAUDKIT_MAX_LABELS_PER_TERMINAL_DAY": "7",
        }
    )
    assert config.shared and config.password == "pw" and config.max_labels_per_terminal_day == 7
    from fraudkit.store.config import ConfigError, redacted

    assert redacted("redis://u:secret@h:6379/2") == "redis://h:6379/2"
    for bad in ({"FRAUDKIT_STATE_STORE": "http://x"}, {"FRAUDKIT_STATE_STORE_IAM": "1"}):
        with pytest.raises(ConfigError):
            StoreConfig.from_env(bad)


def test_a_read_only_replica_is_an_outage_not_a_crash(tmp_path, redis_server):
    store = open_redis(redis_server.url, empty_snapshot(tmp_path), namespace="ro")
    store.score([Transaction("a", 1, 7, T0, 10.0)])
    client = redis.Redis.from_url(redis_server.url)
    client.execute_command("REPLICAOF", "127.0.0.1", "1")  # what a failover leaves behind for a moment
    try:
        with pytest.raises(StoreUnavailable):
            store.score([Transaction("b", 1, 7, T0, 10.0)])
    finally:
        client.execute_command("REPLICAOF", "NO", "ONE")
    assert store.score([Transaction("c", 1, 7, T0 + timedelta(minutes=1), 10.0)])[0].features[3] == 2


def test_out_of_order_same_second_and_sub_cent_amounts_agree_with_the_in_process_store(tmp_path, redis_server):
    stream = irregular_stream()
    memory = MemoryStore(OnlineFeatureState())
    shared = open_redis(redis_server.url, empty_snapshot(tmp_path), namespace="irregular")
    for i in range(0, len(stream), 7):  # requests of several transactions
        a, b = memory.score(stream[i : i + 7]), shared.score(stream[i : i + 7])
        np.testing.assert_allclose([u.features for u in b], [u.features for u in a], rtol=0, atol=1e-9)
    later = Transaction("after", 0, 0, max(tx.tx_datetime for tx in stream) + timedelta(hours=1), 1.0)
    np.testing.assert_allclose(shared.score([later])[0].features, memory.score([later])[0].features, atol=1e-9)


def _commands_of_one_score(store: RedisStore, url: str, tx: Transaction) -> list[list[str]]:
    """The commands the score script runs for ``tx`` (MONITOR shows a script's commands too)."""
    client = redis.Redis.from_url(url, decode_responses=True)
    with client.monitor() as monitor:
        store.score([tx])
        redis.Redis.from_url(url).echo("end-of-score")
        commands = []
        while "end-of-score" not in (line := monitor.next_command())["command"]:
            commands.append(line["command"].split())
    return [c for c in commands if c[0].upper() not in ("EVALSHA", "EVAL")]


def test_the_cost_of_a_transaction_does_not_grow_with_the_customers_history(tmp_path, redis_server):
    """The same commands for a customer with 10 or 3,000 transactions in the window, and every read of the
    customer's sorted set returns at most one member: the script's work is bounded, whatever the history."""
    store = open_redis(redis_server.url, empty_snapshot(tmp_path), namespace="cost")
    seen = {}
    for customer, history in ((1, 10), (2, 3000)):
        for i in range(0, history, 500):
            txs = range(i, min(i + 500, history))
            store.score([Transaction(f"{customer}-{j}", customer, 3, T0 + timedelta(seconds=20 * j), 5.0) for j in txs])
        probe = Transaction(f"{customer}-probe", customer, 3, T0 + timedelta(seconds=20 * history), 1.0)
        commands = _commands_of_one_score(store, redis_server.url, probe)
        seen[history] = [c[0].upper() for c in commands]
        # (ZREMRANGEBYSCORE drops what left the window: each member once in its life, not per transaction.)
        reads = [c for c in commands if "RANGE" in c[0].upper() and not c[0].upper().startswith("ZREM")]
        customer_reads = [c for c in reads if c[1].endswith(f":c:{customer}")]
        assert customer_reads
        for c in customer_reads:
            one_by_rank = c[0].upper() in ("ZRANGE", "ZREVRANGE") and c[2:4] == ["0", "0"]
            assert c[-3:] == ["LIMIT", "0", "1"] or one_by_rank, c
    assert seen[10] == seen[3000]
