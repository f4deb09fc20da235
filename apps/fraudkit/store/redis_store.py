"""The shared store: the online state in a Redis-protocol server (Redis 7, Valkey, ElastiCache), so every task
and worker of an app sees the whole stream and every label, and a restarted process forgets nothing.

One request is one round trip: a server-side Lua script (EVALSHA; redis-py reloads it after NOSCRIPT) scores
all its transactions in order, atomically (Redis runs one script at a time), with the semantics and the
arithmetic of ``fraudkit.state.OnlineFeatureState``. Keys, under ``fraudkit:<app>:``:

- ``c:<customer>`` sorted set, score = time, member = ``<key>|<amount>|<cents>|<rests>|<count>``: the key is
  ``=<length>:<transaction id>`` (a snapshot row: ``#<n, 8 digits>``; no key is a prefix of another, so the
  key alone orders same-time members and rewriting the rest never moves one), the last three the prefix sums
  of every earlier member of the customer (whole cents, sub-cent rests, count; as ``fraudkit.state``): a
  window's count and sum are two O(log n) look-ups, whatever the length of the history;
- ``h:<customer>`` list of the customer's last ``history_k`` feature vectors (little-endian float64);
- ``t:<terminal>`` sorted set of ``=<transaction id>`` scored there (snapshot rows ``#<n>``), score = time;
- ``f:<terminal>`` sorted set of ``=<transaction id>`` labelled fraud, score = the scored time;
- ``x:<transaction id>`` the features returned for it, kept ``RETRY_SECONDS`` for retries;
- ``n:<terminal>:<day>`` fraud labels accepted for the terminal that day; ``clock``; ``meta`` (the hash of
  the snapshot the store was seeded from); ``lock`` while a process seeds it.

Every key expires (customer keys after the longest window, the others after the window plus the delay, all
renewed when touched), so memory is bounded by the active customers and terminals. Keys are built inside
the scripts, so this needs a non-cluster server (ElastiCache with cluster mode disabled). The prefix carries
the layout's version (``LAYOUT``): a store written by an older layout is seeded afresh under the new prefix
and its keys expire on their own.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.records import LabelledTransaction, Transaction
from fraudkit.simulator import SECONDS_PER_DAY
from fraudkit.state import RETRY_SECONDS, StateUpdate, _times, calendar_features, to_epoch_seconds
from fraudkit.store.base import StateStore, StoreUnavailable
from fraudkit.store.config import StoreConfig, redacted

log = logging.getLogger(__name__)

LAYOUT = 2
"""Version of the key layout (in the key prefix): 2 = customer members carry prefix sums."""
SEED_LOCK_SECONDS = 120
"""How long a seeding process holds the lock before another may take over (a dead seeder frees it)."""
CHUNK = 200
"""Customers or terminals per seeding call (a script blocks the server while it runs: keep each short)."""

_COMMON = r"""
local p = ARGV[1]
local now = tonumber(ARGV[2])
local skew = tonumber(ARGV[3])
local delay = tonumber(ARGV[4])
local hk = tonumber(ARGV[5])
local maxev = tonumber(ARGV[6])
local retry_ttl = tonumber(ARGV[7])
local cap = tonumber(ARGV[8])
local nw = tonumber(ARGV[9])
local day = 86400
local windows = {}
local maxw = 0
for i = 1, nw do
  windows[i] = tonumber(ARGV[9 + i])
  if windows[i] > maxw then maxw = windows[i] end
end
local base = 9 + nw
local cust_ttl = math.ceil(maxw * day)
local term_ttl = math.ceil((delay + maxw) * day)
local function f(x) return string.format('%.17g', x) end
-- An amount's whole cents and sub-cent rest (as fraudkit.state.split_amount).
local function split(a)
  local c = math.floor(a * 100 + 0.5)
  return c, a - c / 100
end
if redis.call('EXISTS', p .. 'meta') == 0 then return redis.error_reply('NOSNAPSHOT store not seeded') end
local clock = tonumber(redis.call('GET', p .. 'clock') or '') or -1e300
"""

_SCORE = (
    _COMMON
    + r"""
local function pack(v)
  local parts = {}
  for i = 1, #v do parts[i] = struct.pack('<d', v[i]) end
  return table.concat(parts)
end

-- A customer member's fields: amount, then the prefix sums of the members before it (cents, rests, count).
local function fields(m)
  local a, c, r, n = string.match(m, '|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  return a, tonumber(c), tonumber(r), tonumber(n)
end
local function member(key, a, c, r, n) return key .. '|' .. a .. '|' .. f(c) .. '|' .. f(r) .. '|' .. f(n) end
-- The prefix sums through member m (m included).
local function through(m)
  local a, c, r, n = fields(m)
  local ca, ra = split(tonumber(a))
  return c + ca, r + ra, n + 1
end
-- The sums of the customer's members with time <= bound: through the last of them, else those before the
-- first member (everything pruned; ``before`` caches them), else zero.
local function upto(ckey, bound, before)
  local last = redis.call('ZREVRANGEBYSCORE', ckey, bound, '-inf', 'LIMIT', 0, 1)[1]
  if last then return through(last) end
  if not before[1] then
    local first = redis.call('ZRANGE', ckey, 0, 0)[1]
    if first then
      local _, c, r, n = fields(first)
      before[1], before[2], before[3] = c, r, n
    else
      before[1], before[2], before[3] = 0, 0, 0
    end
  end
  return before[1], before[2], before[3]
end

-- Also says whether a member may sort after t's (one at or after t: a transaction older than the latest).
local function features(ckey, tkey, fkey, t, amount, weekend, night)
  local v = {amount, weekend, night}
  local before = {}
  local pc, pr, pn
  local newest = redis.call('ZREVRANGE', ckey, 0, 0, 'WITHSCORES')
  local later = newest[1] ~= nil and tonumber(newest[2]) >= t
  if newest[1] == nil then
    pc, pr, pn = 0, 0, 0
  elseif later then
    pc, pr, pn = upto(ckey, f(t), before)
  else  -- in time order (the usual case): the newest member is the last one at or before t
    pc, pr, pn = through(newest[1])
  end
  for _, w in ipairs(windows) do
    local lc, lr, ln = upto(ckey, f(t - w * day), before)
    local count = pn - ln + 1
    v[#v + 1] = count
    v[#v + 1] = (amount + ((pc - lc) / 100 + (pr - lr))) / count
  end
  local end_t = t - delay * day
  for _, w in ipairs(windows) do
    local start_t = end_t - w * day
    local count = redis.call('ZCOUNT', tkey, '(' .. f(start_t), f(end_t))
    local frauds = redis.call('ZCOUNT', fkey, '(' .. f(start_t), f(end_t))
    local risk = 0
    if count > 0 then risk = math.min(1, frauds / count) end
    v[#v + 1] = count
    v[#v + 1] = risk
  end
  return v, pc, pr, pn, later
end

-- Adds a customer member at time t whose predecessors' sums are (pc, pr, pn) when nothing sorts after it;
-- when one may (``later``), the members after it get their sums shifted.
local function insert(ckey, t, key, a, pc, pr, pn, later)
  local m = member(key, a, pc, pr, pn)
  redis.call('ZADD', ckey, f(t), m)
  if not later then return end
  local rank = redis.call('ZRANK', ckey, m)
  local after = redis.call('ZRANGE', ckey, rank + 1, -1, 'WITHSCORES')
  if #after == 0 then return end
  local _, c, r, n = fields(after[1])
  redis.call('ZREM', ckey, m)
  redis.call('ZADD', ckey, f(t), member(key, a, c, r, n))
  local ca, ra = split(tonumber(a))
  for j = 1, #after, 2 do
    local old = after[j]
    local oa, oc, orr, on = fields(old)
    local okey = string.match(old, '^(.*)|[^|]*|[^|]*|[^|]*|[^|]*$')
    redis.call('ZREM', ckey, old)
    redis.call('ZADD', ckey, after[j + 1], member(okey, oa, oc + ca, orr + ra, on + 1))
  end
end

local function trim(key, horizon)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', f(horizon))
  local size = redis.call('ZCARD', key)
  if size > maxev then redis.call('ZREMRANGEBYRANK', key, 0, size - maxev - 1) end
end

local out = {}
local i = base + 1
while i <= #ARGV do
  local id, cid, tid = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local t, amount_s = tonumber(ARGV[i + 3]), ARGV[i + 4]
  local weekend, night = tonumber(ARGV[i + 5]), tonumber(ARGV[i + 6])
  i = i + 7
  local amount = tonumber(amount_s)
  local xkey = p .. 'x:' .. id
  local ckey, hkey = p .. 'c:' .. cid, p .. 'h:' .. cid
  local tkey, fkey = p .. 't:' .. tid, p .. 'f:' .. tid
  local cached = redis.call('GET', xkey)
  if cached then
    out[#out + 1] = cached
  else
    local previous = ''
    if hk > 0 then previous = table.concat(redis.call('LRANGE', hkey, 0, -1)) end
    local v, pc, pr, pn, later = features(ckey, tkey, fkey, t, amount, weekend, night)
    local packed = pack(v)
    local answer = struct.pack('<I4', #v) .. packed .. previous
    if redis.call('ZSCORE', tkey, '=' .. id) then
      -- Scored before and no longer in the retry cache: read-only.
      out[#out + 1] = answer
    else
      insert(ckey, t, '=' .. #id .. ':' .. id, amount_s, pc, pr, pn, later)
      redis.call('ZADD', tkey, f(t), '=' .. id)
      if hk > 0 then
        redis.call('RPUSH', hkey, packed)
        redis.call('LTRIM', hkey, -hk, -1)
        redis.call('EXPIRE', hkey, cust_ttl)
      end
      local moved = math.min(t, now + skew)
      if moved > clock then clock = moved end
      trim(ckey, clock - maxw * day)
      local th = clock - (delay + maxw) * day
      trim(tkey, th)
      redis.call('ZREMRANGEBYSCORE', fkey, '-inf', f(th))
      redis.call('EXPIRE', ckey, cust_ttl)
      redis.call('EXPIRE', tkey, term_ttl)
      redis.call('EXPIRE', fkey, term_ttl)  -- (no-op when the terminal has no fraud)
      redis.call('SET', xkey, answer, 'EX', retry_ttl)
      out[#out + 1] = answer
    end
  end
end
redis.call('SET', p .. 'clock', f(clock), 'EX', term_ttl)
redis.call('EXPIRE', p .. 'meta', term_ttl)
return out
"""
)

_LABEL = (
    _COMMON
    + r"""
local horizon = clock - (delay + maxw) * day
local out = {}
local i = base + 1
while i <= #ARGV do
  local id, tid, claimed, fraud = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3] == '1'
  i = i + 4
  local tkey, fkey = p .. 't:' .. tid, p .. 'f:' .. tid
  local st = redis.call('ZSCORE', tkey, '=' .. id)
  if claimed <= horizon then
    out[#out + 1] = 'too_old'
  elseif not st then
    out[#out + 1] = 'not_scored'
  elseif tonumber(st) <= horizon then
    out[#out + 1] = 'too_old'
  else
    local t = tonumber(st)
    local known = redis.call('ZSCORE', fkey, '=' .. id)
    local verdict = 'ok'
    if fraud and not known then
      if cap > 0 then
        local nkey = p .. 'n:' .. tid .. ':' .. string.format('%d', math.floor(t / day))
        local n = tonumber(redis.call('GET', nkey) or '0')
        if n >= cap then
          verdict = 'cap'
        else
          redis.call('INCR', nkey)
          redis.call('EXPIRE', nkey, term_ttl)
        end
      end
      if verdict == 'ok' then
        redis.call('ZADD', fkey, st, '=' .. id)
        redis.call('EXPIRE', fkey, term_ttl)
      end
    elseif (not fraud) and known then
      redis.call('ZREM', fkey, '=' .. id)
    end
    out[#out + 1] = verdict
  end
end
return out
"""
)


_SEED = r"""
local p = ARGV[1]
local cust_ttl, term_ttl, hk, width = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local kind = ARGV[6]
local function f(x) return string.format('%.17g', x) end
local function zadd_all(key, members)
  for lo = 1, #members, 2000 do
    redis.call('ZADD', key, unpack(members, lo, math.min(lo + 1999, #members)))
  end
end
local i = 7
while i <= #ARGV do
  if kind == 'c' then
    local cid, times, amounts, hist = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    i = i + 4
    local key, hkey = p .. 'c:' .. cid, p .. 'h:' .. cid
    redis.call('DEL', key, hkey)
    local members = {}
    local c, r = 0, 0
    for j = 1, #times / 8 do
      local a = struct.unpack('<d', amounts, 8 * j - 7)
      members[#members + 1] = f(struct.unpack('<d', times, 8 * j - 7))
      members[#members + 1] = string.format('#%08d|', j - 1) .. f(a) .. '|' .. f(c) .. '|' .. f(r) .. '|' .. (j - 1)
      local ca = math.floor(a * 100 + 0.5)
      c, r = c + ca, r + (a - ca / 100)
    end
    if #members > 0 then
      zadd_all(key, members)
      redis.call('EXPIRE', key, cust_ttl)
    end
    local row = 8 * width
    if hk > 0 and #hist > 0 then
      for lo = 1, #hist, row do redis.call('RPUSH', hkey, string.sub(hist, lo, lo + row - 1)) end
      redis.call('EXPIRE', hkey, cust_ttl)
    end
  else
    local tid, times = ARGV[i], ARGV[i + 1]
    i = i + 2
    local key = p .. 't:' .. tid
    redis.call('DEL', key, p .. 'f:' .. tid)
    local members = {}
    for j = 1, #times / 8 do
      members[#members + 1] = f(struct.unpack('<d', times, 8 * j - 7))
      members[#members + 1] = '#' .. (j - 1)
    end
    if #members > 0 then
      zadd_all(key, members)
      redis.call('EXPIRE', key, term_ttl)
    end
  end
end
return 0
"""


def _verdicts() -> dict[bytes, str]:
    from fraudkit.state import ACCEPTED, NOT_SCORED, TERMINAL_CAP, TOO_OLD

    return {b"ok": ACCEPTED, b"too_old": TOO_OLD, b"not_scored": NOT_SCORED, b"cap": TERMINAL_CAP}


def _terminal_members(times: list[float], scored: dict[str, float]) -> dict[str, float]:
    """A terminal's transactions as members: the scored ids where known, ``#<n>`` for the snapshot's rows."""
    by_time: dict[float, list[str]] = {}
    for tx_id, t in scored.items():
        by_time.setdefault(t, []).append(tx_id)
    members: dict[str, float] = {}
    for i, t in enumerate(times):
        ids = by_time.get(t)
        members["=" + ids.pop() if ids else f"#{i}"] = t
    return members


def _num(x: float) -> str:
    return repr(float(x))


def snapshot_version(path: Path) -> str:
    """The content hash that versions a seeded store."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


class RedisStore(StateStore):
    """The state in a Redis-protocol server, shared by every process of one app (see the module doc)."""

    def __init__(
        self,
        client: Any,
        name: str,
        namespace: str,
        snapshot: Path,
        history_k: int,
        config: StoreConfig,
        windows: tuple[int, ...],
        delay_days: int,
        max_events: int = 10_000,
        clock: Any = time.time,
    ) -> None:
        import redis
        from redis.exceptions import OutOfMemoryError, ReadOnlyError

        # A replica promoted during a failover (READONLY) or a full server (OOM) is an outage too, not a bug.
        self._redis_errors = (redis.ConnectionError, redis.TimeoutError, ReadOnlyError, OutOfMemoryError)
        self._response_error = redis.ResponseError
        self.client = client
        self.name = name
        self.prefix = f"fraudkit:{namespace}:v{LAYOUT}:"
        self.snapshot = Path(snapshot)
        self.version = snapshot_version(snapshot)
        self.history_k = history_k
        self.windows = tuple(windows)
        self.delay_days = delay_days
        self.max_events = max_events
        self.config = config
        self.clock = clock
        from fraudkit.features import feature_names

        self.feature_names = feature_names(self.windows)
        self._score_script = client.register_script(_SCORE)
        self._label_script = client.register_script(_LABEL)
        self._seed_script = client.register_script(_SEED)
        self._verdict = _verdicts()
        # The scripts' fixed arguments, encoded once (the client encodes every argument of every call).
        self._prefix_arg = self.prefix.encode()
        fixed = [
            _num(self.config.max_future_skew),
            self.delay_days,
            self.history_k,
            self.max_events,
            RETRY_SECONDS,
            int(self.config.max_labels_per_terminal_day),
            len(self.windows),
            *self.windows,
        ]
        self._constant_args = [str(x).encode() for x in fixed]

    @staticmethod
    def open(snapshot: Path, history_k: int, namespace: str, config: StoreConfig) -> RedisStore:
        """Connects (lazily: a server that is down now gives 503s until it is up) and reads the snapshot's
        configuration; seeding happens on first use."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        assert config.url is not None
        kwargs: dict[str, Any] = {
            "socket_timeout": 2.0,
            "socket_connect_timeout": 1.0,
            "health_check_interval": 15,
            # One quick reconnect (a restarted server, an idle connection the network dropped), then 503.
            "retry": Retry(NoBackoff(), 1),
            "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
        }
        if config.iam:
            from fraudkit.store.iam import ElastiCacheIAMProvider

            kwargs["credential_provider"] = ElastiCacheIAMProvider(
                str(config.user), str(config.cache_id), str(config.region)
            )
        else:
            if config.password:
                kwargs["password"] = config.password
            if config.user:
                kwargs["username"] = config.user
        client = redis.Redis.from_url(config.url, **kwargs)
        with np.load(snapshot, allow_pickle=False) as z:
            cfg = z["config"].tolist()
        n = cfg[-1]
        store = RedisStore(
            client, redacted(config.url), namespace, snapshot, history_k, config, tuple(cfg[:n]), int(cfg[n])
        )
        try:
            store.seed()
        except StoreUnavailable as error:  # seeded on first use instead, once the server is reachable
            log.warning("%s", error)
        return store

    def describe(self) -> str:
        return self.name

    # -- the scripts -------------------------------------------------------------------------------
    def _common_args(self) -> list[Any]:
        return [self._prefix_arg, _num(self.clock()).encode(), *self._constant_args]

    def _run(self, script: Any, args: list[Any]) -> Any:
        """Runs a script; seeds the store first when it is empty (new, or restarted without its data)."""
        for attempt in range(2):
            try:
                return script(args=self._common_args() + args)
            except self._redis_errors as error:
                raise StoreUnavailable(self.name, type(error).__name__) from None
            except self._response_error as error:
                if not str(error).startswith("NOSNAPSHOT") or attempt:
                    raise
                self.seed()
        raise AssertionError("unreachable")

    def score(self, transactions: Sequence[Transaction]) -> list[StateUpdate]:
        if not transactions:
            return []
        args: list[Any] = []
        for tx in transactions:
            amount, weekend, night = calendar_features(tx)
            args += [
                tx.transaction_id,
                tx.customer_id,
                tx.terminal_id,
                _num(to_epoch_seconds(tx.tx_datetime)),
                _num(amount),
                int(weekend),
                int(night),
            ]
        replies = self._run(self._score_script, args)
        n_features = len(self.feature_names)
        out = []
        for raw in replies:
            n = int(np.frombuffer(raw[:4], dtype="<u4")[0])
            values = np.frombuffer(raw[4:], dtype="<f8")
            out.append(StateUpdate(values[:n].copy(), values[n:].reshape(-1, n_features).copy()))
        return out

    def label(self, labelled: Sequence[LabelledTransaction]) -> list[str]:
        if not labelled:
            return []
        args: list[Any] = []
        for tx in labelled:
            args += [tx.transaction_id, tx.terminal_id, _num(to_epoch_seconds(tx.tx_datetime)), int(tx.is_fraud)]
        return [self._verdict[v] for v in self._run(self._label_script, args)]

    def limits(self) -> dict[str, Any]:
        return {
            "store": self.name,
            "max_events_per_entity": self.max_events,
            "history_k": self.history_k,
            "customer_ttl_seconds": max(self.windows) * SECONDS_PER_DAY,
            "terminal_ttl_seconds": (self.delay_days + max(self.windows)) * SECONDS_PER_DAY,
        }

    def check(self) -> None:
        try:
            self.client.ping()
        except self._redis_errors as error:
            raise StoreUnavailable(self.name, type(error).__name__) from None

    def close(self) -> None:
        self.client.close()

    # -- seeding -----------------------------------------------------------------------------------
    def seed(self, wait_seconds: float = SEED_LOCK_SECONDS) -> bool:
        """Loads the shipped snapshot into an empty store, once however many processes call it at the same
        time: the one that takes the lock (SET NX) writes it, the others wait for the ``meta`` key. True when
        this call wrote it. Writing is idempotent (each key is replaced whole), so a seeder that dies is
        simply redone by the next one."""
        meta, lock = self.prefix + "meta", self.prefix + "lock"
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        try:
            while True:
                if self.client.exists(meta):
                    return False
                if self.client.set(lock, token, nx=True, ex=SEED_LOCK_SECONDS):
                    break
                if time.monotonic() > deadline:
                    raise StoreUnavailable(self.name, "another process is still seeding the store")
                time.sleep(0.05)
            try:
                if self.client.exists(meta):
                    return False
                self._write_snapshot()
                return True
            finally:
                # Only our own lock: after a timeout another seeder may hold it.
                self.client.eval(
                    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                    1,
                    lock,
                    token,
                )
        except self._redis_errors as error:
            raise StoreUnavailable(self.name, type(error).__name__) from None

    def _write_snapshot(self) -> None:
        """Writes the snapshot's customers and terminals with the seeding script, ``CHUNK`` entities per call
        (times, amounts and vectors travel as float64 blobs: building the members server-side is what makes
        seeding take seconds, not minutes)."""
        with np.load(self.snapshot, allow_pickle=False) as z:
            snap = {k: z[k] for k in z.files}
        day = SECONDS_PER_DAY
        cust_ttl = int(math.ceil(max(self.windows) * day))
        term_ttl = int(math.ceil((self.delay_days + max(self.windows)) * day))
        width = len(self.feature_names)
        head = [self.prefix, cust_ttl, term_ttl, self.history_k, width]
        split = _splitter
        c_times = split(_times(snap["customer_times"]), snap["customer_counts"])
        c_amounts = split(snap["customer_cents"] / 100.0, snap["customer_counts"])
        hists = split(snap["history"].astype("<f8"), snap["history_counts"])
        args: list[Any] = []
        for n, (cid, ts, am, hs) in enumerate(zip(snap["customer_ids"].tolist(), c_times, c_amounts, hists)):
            keep = hs[len(hs) - self.history_k :] if self.history_k else hs[:0]
            args += [cid, ts.astype("<f8").tobytes(), am.astype("<f8").tobytes(), keep.tobytes()]
            if (n + 1) % CHUNK == 0:
                self._seed_script(args=[*head, "c", *args])
                args = []
        if args:
            self._seed_script(args=[*head, "c", *args])
        t_times = split(_times(snap["terminal_times"]), snap["terminal_counts"])
        f_ids = split(snap["fraud_ids"], snap["fraud_counts"])
        f_times = split(_times(snap["fraud_times"]), snap["fraud_counts"])
        if "scored_counts" in snap:
            s_ids = split(snap["scored_ids"], snap["scored_counts"])
            s_times = split(_times(snap["scored_times"]), snap["scored_counts"])
        else:
            s_ids = s_times = [np.zeros(0)] * len(snap["terminal_ids"])
        args = []
        pipe = self.client.pipeline(transaction=False)
        columns = zip(snap["terminal_ids"].tolist(), t_times, f_ids, f_times, s_ids, s_times)
        for n, (tid, ts, fids, fts, sids, sts) in enumerate(columns):
            args += [tid, ts.astype("<f8").tobytes()]
            # After the script's DEL of the terminal's keys: scored ids replace snapshot rows of the same time.
            if len(sids):
                pipe.zadd(
                    f"{self.prefix}t:{tid}", _terminal_members(ts.tolist(), dict(zip(sids.tolist(), sts.tolist())))
                )
            if len(fids):
                pipe.zadd(f"{self.prefix}f:{tid}", {"=" + k: v for k, v in zip(fids.tolist(), fts.tolist())})
                pipe.expire(f"{self.prefix}f:{tid}", term_ttl)
            if (n + 1) % CHUNK == 0:
                self._seed_script(args=[*head, "t", *args])
                pipe.execute()
                args = []
        if args:
            self._seed_script(args=[*head, "t", *args])
        pipe.execute()
        latest = float(snap["latest_seconds"][0])
        latest = latest if math.isfinite(latest) else -1e300
        self.client.set(self.prefix + "clock", repr(latest), ex=term_ttl)
        # Last: the store counts as seeded only once everything above is there.
        self.client.set(self.prefix + "meta", self.version, ex=term_ttl)
        log.info("seeded %s%s from %s (version %s)", self.name, self.prefix, self.snapshot, self.version)


def _splitter(values: np.ndarray, counts: np.ndarray) -> list[np.ndarray]:
    """``values`` cut into consecutive runs of ``counts``."""
    return np.split(values, np.cumsum(counts)[:-1]) if len(counts) else []
