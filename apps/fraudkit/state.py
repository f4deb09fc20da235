"""Online feature state: the same 15 features as ``fraudkit.features``, one raw transaction at a time.

What it keeps (all bounded):
- per customer, the (time, amount) of its transactions of the last ``max(windows)`` days with prefix sums of
  the amounts (so a window's sum is two binary searches and a subtraction, whatever the history's length),
  and optionally the feature vectors of its last ``history_k`` transactions (for the sequence models);
- per terminal, the times of its transactions of the last ``delay + max(windows)`` days, and the times of the
  frauds confirmed through ``add_label`` (attributed to the transaction's own time, deduplicated by id);
- at most ``max_customers`` customers and ``max_terminals`` terminals: the least recently used is evicted
  (its features start again from zero), and at most ``max_events`` entries per customer/terminal;
- the ids of the transactions scored at each terminal (as long as the terminal windows can reach them), so a
  label is accepted only for a transaction this state scored, at the time it was scored, and a retried
  transaction id is not counted twice (a retry within ``RETRY_SECONDS`` gets the very same features back).

The state's clock (``latest_seconds``, which decides what is too old to keep or to label) never moves past the
wall clock plus ``max_future_skew``, so one transaction dated far in the future cannot age out everyone else's
history. ``fraudkit.store.redis_store`` implements the same semantics server-side; a test keeps them equal.

Prefix sums stay exact over a customer's whole life: an amount is split into whole cents (summed as integers)
and the rest (``amount - cents / 100``: 0 for an amount to the cent, so its prefix never drifts), which keeps
every window mean within 1e-12 of the batch's direct sum. Cost per transaction: O(log n) searches, plus a
shift of the later prefixes when a transaction arrives out of time order (rare in a stream).

Terminal counts come from the transactions this state has seen (scored or loaded from the snapshot); fraud
risk only from labels received, so a new deployment needs the shipped snapshot or a warm-up of feedback.
Not thread-safe by itself: the scorer serialises calls with a lock.
"""

from __future__ import annotations

import bisect
import heapq
import math
import os
import tempfile
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, NamedTuple

import numpy as np

from fraudkit.features import (
    DELAY_DAYS,
    NIGHT_LAST_HOUR,
    WINDOWS_DAYS,
    epoch_seconds,
    feature_names,
    previous_rows,
)
from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.simulator import SECONDS_PER_DAY, TransactionTable

_EPOCH = datetime(1970, 1, 1)

RETRY_SECONDS = 600
"""How long a scored transaction's features are kept for a retry of the same transaction id (wall clock)."""
MAX_FUTURE_SKEW_SECONDS = 86400.0
"""Default of how far past the wall clock a transaction may move the state's clock."""

ACCEPTED = ""
"""``label``'s answer for an accepted label; anything else is the reason it was rejected."""
TOO_OLD = "older than the longest window plus the delay"
NOT_SCORED = "not a transaction scored at this terminal"
TERMINAL_CAP = "daily cap of fraud labels for this terminal reached"


def to_epoch_seconds(when: datetime) -> float:
    """Seconds since 1970-01-01 UTC; a naive datetime is taken as UTC."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return (when - _EPOCH).total_seconds()


def calendar_features(tx: Transaction) -> list[float]:
    """The features of the transaction alone: amount, during the weekend, during the night."""
    when = tx.tx_datetime
    return [float(tx.tx_amount), float(when.weekday() >= 5), float(when.hour <= NIGHT_LAST_HOUR)]


def split_amount(amount: float) -> tuple[int, float]:
    """(whole cents, the rest): the two parts a prefix sum keeps (the Redis script computes the same)."""
    cents = math.floor(amount * 100 + 0.5)
    return cents, amount - cents / 100


@dataclass
class _Customer:
    times: list[float] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)
    history: deque[np.ndarray] = field(default_factory=deque)
    cents: list[int] = field(default_factory=lambda: [0])
    """Prefix sums: ``cents[i]`` is the whole cents of every transaction before ``times[i]`` (the ones pruned
    too), so ``len(cents) == len(times) + 1``; ``rests`` the same for the sub-cent rests."""
    rests: list[float] = field(default_factory=lambda: [0.0])
    lo: int = 0
    """Index of the first kept transaction: the pruned ones before it are deleted in bulk, not one by one
    (a shift of the whole list per transaction would cost O(history) at the ``max_events`` bound)."""

    @staticmethod
    def of(times: list[float], amounts: list[float], history: deque[np.ndarray] | None = None) -> _Customer:
        """A customer with these (time-sorted) transactions, prefix sums computed."""
        entry = _Customer(times, amounts, history if history is not None else deque())
        for amount in amounts:
            cents, rest = split_amount(amount)
            entry.cents.append(entry.cents[-1] + cents)
            entry.rests.append(entry.rests[-1] + rest)
        return entry

    def insert(self, pos: int, t: float, amount: float) -> None:
        """Adds a transaction at index ``pos`` (its place in time order) and shifts the later prefixes."""
        cents, rest = split_amount(amount)
        self.times.insert(pos, t)
        self.amounts.insert(pos, amount)
        self.cents.insert(pos + 1, self.cents[pos] + cents)
        self.rests.insert(pos + 1, self.rests[pos] + rest)
        for j in range(pos + 2, len(self.cents)):  # only for a transaction older than the latest one
            self.cents[j] += cents
            self.rests[j] += rest

    def drop_oldest(self, count: int) -> None:
        self.lo += count
        if _compact(self.lo, len(self.times)):
            del self.times[: self.lo], self.amounts[: self.lo], self.cents[: self.lo], self.rests[: self.lo]
            self.lo = 0


def _compact(lo: int, size: int) -> bool:
    """Whether the pruned head (``lo`` of ``size`` entries) is worth deleting now: amortised O(1) each."""
    return lo >= 64 and 2 * lo >= size


@dataclass
class _Terminal:
    times: list[float] = field(default_factory=list)
    fraud_times: list[float] = field(default_factory=list)
    fraud_ids: dict[str, float] = field(default_factory=dict)
    scored: dict[str, float] = field(default_factory=dict)
    """Ids of the transactions scored here (not those of a snapshot made from a table) and their times."""
    scored_heap: list[tuple[float, str]] = field(default_factory=list)
    """``scored`` as a min-heap by time, so expiring the oldest costs O(log n) each, not a pass over all."""
    lo: int = 0
    """Index of the first kept time in ``times`` (as ``_Customer.lo``)."""

    def drop_oldest(self, count: int) -> None:
        self.lo += count
        if _compact(self.lo, len(self.times)):
            del self.times[: self.lo]
            self.lo = 0

    def add_scored(self, tx_id: str, t: float) -> None:
        self.scored[tx_id] = t
        heapq.heappush(self.scored_heap, (t, tx_id))

    def expire_scored(self, before: float) -> None:
        """Forgets the scored ids of time < ``before``."""
        heap = self.scored_heap
        while heap and heap[0][0] < before:
            t, tx_id = heapq.heappop(heap)
            if self.scored.get(tx_id) == t:
                del self.scored[tx_id]


class StateUpdate(NamedTuple):
    """The features of a transaction and the customer's previous feature vectors (oldest first, <= history_k)."""

    features: np.ndarray
    previous: np.ndarray


class OnlineFeatureState:
    """Customer and terminal history for scoring raw transactions in time order (see the module doc)."""

    def __init__(
        self,
        windows: tuple[int, ...] = WINDOWS_DAYS,
        delay_days: int = DELAY_DAYS,
        history_k: int = 0,
        max_customers: int = 200_000,
        max_terminals: int = 200_000,
        max_events: int = 10_000,
        max_labels_per_terminal_day: int = 0,
        max_future_skew: float = MAX_FUTURE_SKEW_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.windows = tuple(windows)
        self.delay_days = delay_days
        self.history_k = history_k
        self.max_customers = max_customers
        self.max_terminals = max_terminals
        self.max_events = max_events
        self.feature_names = feature_names(self.windows)
        self._customers: OrderedDict[int, _Customer] = OrderedDict()
        self._terminals: OrderedDict[int, _Terminal] = OrderedDict()
        self.latest_seconds = float("-inf")
        self.max_labels_per_terminal_day = max_labels_per_terminal_day  # 0 = no cap
        self.max_future_skew = float(max_future_skew)
        self.clock = clock
        self._retries: OrderedDict[str, tuple[float, StateUpdate]] = OrderedDict()
        self._max_retries = 100_000
        self._label_counts: dict[tuple[int, int], int] = {}

    @property
    def horizon_days(self) -> int:
        """How long anything is kept: the longest window plus the delay."""
        return self.delay_days + max(self.windows)

    # -- bookkeeping -------------------------------------------------------------------------------
    def limits(self) -> dict[str, int]:
        """The memory bounds and the current sizes (reported by /model-info)."""
        return {
            "max_customers": self.max_customers,
            "max_terminals": self.max_terminals,
            "max_events_per_entity": self.max_events,
            "history_k": self.history_k,
            "customers": len(self._customers),
            "terminals": len(self._terminals),
        }

    def _customer(self, cid: int) -> _Customer:
        entry = self._customers.get(cid)
        if entry is None:
            entry = self._customers[cid] = _Customer(history=deque(maxlen=self.history_k or None))
            if len(self._customers) > self.max_customers:
                self._customers.popitem(last=False)
        else:
            self._customers.move_to_end(cid)
        return entry

    def _terminal(self, tid: int) -> _Terminal:
        entry = self._terminals.get(tid)
        if entry is None:
            entry = self._terminals[tid] = _Terminal()
            if len(self._terminals) > self.max_terminals:
                self._terminals.popitem(last=False)
        else:
            self._terminals.move_to_end(tid)
        return entry

    def _prune(self, cust: _Customer, term: _Terminal) -> None:
        """Drops what no future window (of a transaction at or after the latest time) can reach."""
        cust_horizon = self.latest_seconds - max(self.windows) * SECONDS_PER_DAY
        lo = cust.lo
        cut = max(bisect.bisect_right(cust.times, cust_horizon, lo) - lo, len(cust.times) - lo - self.max_events)
        if cut > 0:
            cust.drop_oldest(cut)
        term_horizon = self.latest_seconds - (self.delay_days + max(self.windows)) * SECONDS_PER_DAY
        lo = term.lo
        cut = max(bisect.bisect_right(term.times, term_horizon, lo) - lo, len(term.times) - lo - self.max_events)
        if cut > 0:
            term.drop_oldest(cut)
            # Every kept time is > term_horizon, so "at or after the first kept time" is the whole rule.
            term.expire_scored(term.times[term.lo] if term.lo < len(term.times) else float("inf"))
        if term.fraud_times and term.fraud_times[0] <= term_horizon:
            term.fraud_ids = {k: v for k, v in term.fraud_ids.items() if v > term_horizon}
            term.fraud_times = sorted(term.fraud_ids.values())

    # -- features ----------------------------------------------------------------------------------
    def _customer_features(self, cust: _Customer, t: float, amount: float) -> tuple[list[float], int]:
        times, cents, rests = cust.times, cust.cents, cust.rests
        lo = cust.lo
        # Earlier ones, including same-second ones already seen (no search for the usual newest transaction).
        pos = len(times) if not times or times[-1] <= t else bisect.bisect_right(times, t, lo)
        out: list[float] = []
        for w in self.windows:
            first = bisect.bisect_right(times, t - w * SECONDS_PER_DAY, lo, pos)
            total = amount + ((cents[pos] - cents[first]) / 100 + (rests[pos] - rests[first]))
            count = pos - first + 1
            out += [float(count), total / count]
        return out, pos

    def _terminal_features(self, term: _Terminal, t: float) -> list[float]:
        out: list[float] = []
        end_t = t - self.delay_days * SECONDS_PER_DAY
        lo = term.lo
        end = bisect.bisect_right(term.times, end_t, lo)
        fraud_end = bisect.bisect_right(term.fraud_times, end_t)
        for w in self.windows:
            start_t = end_t - w * SECONDS_PER_DAY
            count = end - bisect.bisect_right(term.times, start_t, lo, end)
            frauds = fraud_end - bisect.bisect_right(term.fraud_times, start_t)
            # Capped: pruning by max_events can drop a terminal's transactions before their labels.
            out += [float(count), min(1.0, frauds / count) if count > 0 else 0.0]
        return out

    def peek(self, tx: Transaction) -> np.ndarray:
        """The features ``update`` would compute for tx, without changing the state."""
        t = to_epoch_seconds(tx.tx_datetime)
        cust = self._customers.get(tx.customer_id) or _Customer()
        term = self._terminals.get(tx.terminal_id) or _Terminal()
        return self._vector(tx, t, cust, term)[0]

    def _vector(self, tx: Transaction, t: float, cust: _Customer, term: _Terminal) -> tuple[np.ndarray, int]:
        customer, pos = self._customer_features(cust, t, float(tx.tx_amount))
        return np.array(calendar_features(tx) + customer + self._terminal_features(term, t)), pos

    def _previous(self, cust: _Customer) -> np.ndarray:
        return np.array(cust.history) if cust.history else np.zeros((0, len(self.feature_names)))

    def update(self, tx: Transaction) -> StateUpdate:
        """Computes tx's features from the history, then adds tx to it (score-then-learn).

        A transaction id already scored at this terminal is not added again: within ``RETRY_SECONDS`` it gets
        the features of its first scoring, later the current ones (read-only)."""
        now = self.clock()
        self._expire_retries(now)
        cached = self._retries.get(tx.transaction_id)
        if cached is not None:
            return cached[1]
        t = to_epoch_seconds(tx.tx_datetime)
        known = self._terminals.get(tx.terminal_id)
        if known is not None and tx.transaction_id in known.scored:
            cust = self._customers.get(tx.customer_id) or _Customer()
            return StateUpdate(self._vector(tx, t, cust, known)[0], self._previous(cust))
        cust = self._customer(tx.customer_id)
        term = self._terminal(tx.terminal_id)
        vector, pos = self._vector(tx, t, cust, term)
        previous = self._previous(cust)
        cust.insert(pos, t, float(tx.tx_amount))
        if term.times and term.times[-1] > t:
            bisect.insort_right(term.times, t, term.lo)
        else:
            term.times.append(t)
        term.add_scored(tx.transaction_id, t)
        if self.history_k:
            cust.history.append(vector)
        self.latest_seconds = max(self.latest_seconds, min(t, now + self.max_future_skew))
        self._prune(cust, term)
        result = StateUpdate(vector, previous)
        self._retries[tx.transaction_id] = (now + RETRY_SECONDS, result)
        if len(self._retries) > self._max_retries:
            self._retries.popitem(last=False)
        return result

    def _expire_retries(self, now: float) -> None:
        while self._retries:
            expires, _ = next(iter(self._retries.values()))
            if expires > now:
                break
            self._retries.popitem(last=False)

    def label(self, tx: LabelledTransaction) -> str:
        """Records a confirmed label: ``ACCEPTED``, or why it was rejected (too old, never scored at that
        terminal, the terminal's daily cap of fraud labels reached). A repeated label changes nothing; the
        fraud is dated by the scored transaction's time, not by the label's claim."""
        horizon = self.latest_seconds - self.horizon_days * SECONDS_PER_DAY
        if to_epoch_seconds(tx.tx_datetime) <= horizon:
            return TOO_OLD
        term = self._terminals.get(tx.terminal_id)
        t = term.scored.get(tx.transaction_id) if term is not None else None
        if term is None or t is None:
            return NOT_SCORED
        if t <= horizon:
            return TOO_OLD
        known = tx.transaction_id in term.fraud_ids
        if tx.is_fraud and not known:
            if self.max_labels_per_terminal_day > 0:
                day = (tx.terminal_id, int(t // SECONDS_PER_DAY))
                if self._label_counts.get(day, 0) >= self.max_labels_per_terminal_day:
                    return TERMINAL_CAP
                self._label_counts[day] = self._label_counts.get(day, 0) + 1
                if len(self._label_counts) > 4 * self.max_terminals:
                    oldest = int(horizon // SECONDS_PER_DAY)
                    self._label_counts = {k: v for k, v in self._label_counts.items() if k[1] > oldest}
            term.fraud_ids[tx.transaction_id] = t
            bisect.insort_right(term.fraud_times, t)
        elif not tx.is_fraud and known:  # a correction of an earlier fraud label
            term.fraud_times.remove(term.fraud_ids.pop(tx.transaction_id))
        return ACCEPTED

    def add_label(self, tx: LabelledTransaction) -> bool:
        """``label`` as a bool: True when accepted."""
        return self.label(tx) == ACCEPTED

    # -- snapshot ----------------------------------------------------------------------------------
    def save_atomic(self, path: Path) -> None:
        """``save`` to a temporary file beside ``path``, then renamed over it: a reader (or a crash) never sees
        half a snapshot."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".state-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                self.save(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def save(self, path: Path | BinaryIO) -> None:
        """Writes the state as a compressed .npz of plain arrays (no pickle), loadable on any Python line;
        times are kept to the second and amounts to the cent."""
        cust_ids = np.array(list(self._customers), dtype=np.int64)
        term_ids = np.array(list(self._terminals), dtype=np.int64)
        custs = list(self._customers.values())
        terms = list(self._terminals.values())
        hist = [np.array(c.history).reshape(-1, len(self.feature_names)) for c in custs]
        fraud_items = [list(t.fraud_ids.items()) for t in terms]
        scored_items = [list(t.scored.items()) for t in terms]
        np.savez_compressed(
            path,
            config=np.array([*self.windows, self.delay_days, self.history_k, len(self.windows)], dtype=np.int64),
            latest_seconds=np.array([self.latest_seconds]),
            customer_ids=cust_ids,
            customer_counts=np.array([len(c.times) - c.lo for c in custs], dtype=np.int64),
            customer_times=_int_array([t for c in custs for t in c.times[c.lo :]]),
            customer_cents=np.round(
                np.array([a for c in custs for a in c.amounts[c.lo :]], dtype=np.float64) * 100
            ).astype(np.int64),
            history_counts=np.array([h.shape[0] for h in hist], dtype=np.int64),
            history=np.concatenate(hist).astype(np.float32) if hist else np.zeros((0, len(self.feature_names))),
            terminal_ids=term_ids,
            terminal_counts=np.array([len(t.times) - t.lo for t in terms], dtype=np.int64),
            terminal_times=_int_array([x for t in terms for x in t.times[t.lo :]]),
            fraud_counts=np.array([len(f) for f in fraud_items], dtype=np.int64),
            fraud_ids=np.array([k for f in fraud_items for k, _ in f], dtype=np.str_),
            fraud_times=_int_array([v for f in fraud_items for _, v in f]),
            scored_counts=np.array([len(f) for f in scored_items], dtype=np.int64),
            scored_ids=np.array([k for f in scored_items for k, _ in f], dtype=np.str_),
            scored_times=_int_array([v for f in scored_items for _, v in f]),
        )

    @staticmethod
    def load(path: Path, history_k: int | None = None, **limits: int) -> OnlineFeatureState:
        """Reads a snapshot written by ``save`` (or ``snapshot_from_table``); history_k may shrink the history."""
        with np.load(path, allow_pickle=False) as z:
            cfg = z["config"].tolist()
            n_windows = cfg[-1]
            state = OnlineFeatureState(
                windows=tuple(cfg[:n_windows]),
                delay_days=cfg[n_windows],
                history_k=cfg[n_windows + 1] if history_k is None else history_k,
                **limits,
            )
            state.latest_seconds = float(z["latest_seconds"][0])
            times = np.split(_times(z["customer_times"]), np.cumsum(z["customer_counts"])[:-1])
            amounts = np.split(z["customer_cents"] / 100.0, np.cumsum(z["customer_counts"])[:-1])
            hists = np.split(z["history"].astype(np.float64), np.cumsum(z["history_counts"])[:-1])
            for cid, ts, am, hs in zip(z["customer_ids"].tolist(), times, amounts, hists):
                keep = hs[len(hs) - state.history_k :] if state.history_k else hs[:0]
                state._customers[cid] = _Customer.of(
                    ts.tolist(), am.tolist(), deque(list(keep), maxlen=state.history_k or None)
                )
            t_times = np.split(_times(z["terminal_times"]), np.cumsum(z["terminal_counts"])[:-1])
            split_at = np.cumsum(z["fraud_counts"])[:-1]
            f_ids = np.split(z["fraud_ids"], split_at)
            f_times = np.split(_times(z["fraud_times"]), split_at)
            n_terms = len(z["terminal_ids"])
            if "scored_counts" in z.files:  # written by a serving state; a table's snapshot has none
                at = np.cumsum(z["scored_counts"])[:-1]
                s_ids = np.split(z["scored_ids"], at)
                s_times = np.split(_times(z["scored_times"]), at)
            else:
                s_ids = s_times = [np.zeros(0)] * n_terms
            columns = zip(z["terminal_ids"].tolist(), t_times, f_ids, f_times, s_ids, s_times)
            for tid, ts, ids, fts, sids, sts in columns:
                fraud_ids = dict(zip(ids.tolist(), fts.tolist()))
                scored = dict(zip(sids.tolist(), sts.tolist()))
                heap = [(t, k) for k, t in scored.items()]
                heapq.heapify(heap)
                state._terminals[tid] = _Terminal(ts.tolist(), sorted(fraud_ids.values()), fraud_ids, scored, heap)
        return state


def _int_array(values: list[float]) -> np.ndarray:
    """Whole-second times, delta-encoded as int32 (sorted runs give small, very compressible steps);
    sub-second parts are dropped."""
    whole = np.floor(np.array(values, dtype=np.float64)).astype(np.int64)
    return np.diff(whole, prepend=0).astype(np.int32)


def _times(encoded: np.ndarray) -> np.ndarray:
    """Inverse of ``_int_array``."""
    return np.cumsum(encoded.astype(np.int64)).astype(np.float64)


def snapshot_from_table(
    table: TransactionTable,
    features: np.ndarray | None = None,
    history_k: int = 0,
    windows: tuple[int, ...] = WINDOWS_DAYS,
    delay_days: int = DELAY_DAYS,
) -> OnlineFeatureState:
    """The state after seeing every transaction of ``table`` with all its labels (vectorised, no replay).

    ``features`` (the batch features of ``table``) are needed only when history_k > 0.
    """
    state = OnlineFeatureState(windows=windows, delay_days=delay_days, history_k=history_k)
    if len(table) == 0:
        return state
    seconds = epoch_seconds(table.tx_datetime)
    latest = float(seconds.max())
    state.latest_seconds = latest
    recent = np.nonzero(seconds > latest - max(windows) * SECONDS_PER_DAY)[0]
    history_rows = np.zeros((0, history_k), dtype=np.int64)
    if history_k:
        if features is None:
            raise ValueError("history_k > 0 needs the table's batch features")
        last = _last_per_group(table.customer_id, seconds)
        prev = previous_rows(table.customer_id, seconds, history_k)
        history_rows = np.concatenate([prev[last][:, 1:], last[:, None]], axis=1)
    history_of = {int(table.customer_id[r[-1]]): r[r >= 0] for r in history_rows}
    for cid, rows in _rows_by_group(table.customer_id, recent).items():
        state._customers[cid] = _Customer.of(seconds[rows].tolist(), table.tx_amount[rows].astype(np.float64).tolist())
    for cid, hist in history_of.items():
        entry = state._customers.setdefault(cid, _Customer())
        entry.history = deque([features[r] for r in hist], maxlen=history_k)  # type: ignore[index]
    term_recent = np.nonzero(seconds > latest - (delay_days + max(windows)) * SECONDS_PER_DAY)[0]
    for tid, rows in _rows_by_group(table.terminal_id, term_recent).items():
        frauds = rows[table.tx_fraud[rows] == 1]
        ids = {str(int(table.transaction_id[r])): float(seconds[r]) for r in frauds}
        state._terminals[tid] = _Terminal(seconds[rows].tolist(), sorted(ids.values()), ids)
    return state


def _rows_by_group(group: np.ndarray, rows: np.ndarray) -> dict[int, np.ndarray]:
    """The given rows split by group id, each group's rows kept in their (stream) order."""
    order = rows[np.argsort(group[rows], kind="stable")]
    ids, starts = np.unique(group[order], return_index=True)
    return dict(zip(ids.tolist(), np.split(order, starts[1:])))


def _last_per_group(group: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Row index of each group's last transaction in stream order."""
    order = np.lexsort((np.arange(group.shape[0]), seconds, group))
    g = group[order]
    is_last = np.ones(g.shape[0], dtype=bool)
    is_last[:-1] = g[:-1] != g[1:]
    return order[is_last]
