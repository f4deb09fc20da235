"""In-process token buckets: one per client (credential, or client address when auth is off).

Behind an authenticating front every request comes from the front's addresses, so the front names the verified
caller in a header of its own (overwriting any value a client sent) and ``FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER``
names that header: the buckets then go by its value. Without the variable the header means nothing, so a client
that reaches the app directly cannot pick its bucket.

Per worker process: the fleet-wide limit is the WAF rate-based rule on the load balancer, so this one only has
to stop a single client from exhausting one task. A small bucket of our own rather than pyrate-limiter: that
library keeps a sliding log of timestamps per bucket, shares one bucket among all names unless given a bucket
factory, runs a background leak thread and does not say when to retry, while this is a few lines with an exact
``Retry-After``.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Mapping

RPS_ENV = "FRAUDKIT_RATE_LIMIT_RPS"
"""Environment variable: sustained requests per second per client; unset or 0 = no in-app limit."""

BURST_ENV = "FRAUDKIT_RATE_LIMIT_BURST"
"""Environment variable: requests a client may send at once (bucket size); default one second's worth."""

IDENTITY_HEADER_ENV = "FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER"
"""Environment variable: header in which a trusted front names the verified caller; unset = not behind a front."""

#: The bucket of requests that reach the app without the front's identity header (the open health check, say).
UNIDENTIFIED = "unidentified"

# An HTTP header name (RFC 9110 token).
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", re.ASCII)
# An STS assumed-role session: the session name is the caller's choice, the role is what IAM authorized.
_ASSUMED_ROLE = re.compile(r"(arn:[^:]+:sts::\d+:assumed-role/[^/]+)/.+")

#: Most clients tracked at once; past it the least recently seen are forgotten (they start again full).
MAX_CLIENTS = 10_000


@dataclass(frozen=True)
class RateLimit:
    """``rps`` tokens per second refill a bucket of ``burst`` tokens; a request takes one."""

    rps: float
    burst: int


def rate_limit_from_env(environ: Mapping[str, str] = os.environ) -> RateLimit | None:
    """The configured limit, or None when off; ``ValueError`` naming the variable on a bad value."""
    raw_rps = environ.get(RPS_ENV, "").strip()
    raw_burst = environ.get(BURST_ENV, "").strip()
    try:
        rps = float(raw_rps) if raw_rps else 0.0
    except ValueError:
        rps = math.nan
    if not math.isfinite(rps) or rps < 0:
        raise ValueError(f"{RPS_ENV}: expected a number of requests per second >= 0, got {raw_rps!r}")
    if rps == 0:
        if raw_burst:
            raise ValueError(f"{BURST_ENV} is set but {RPS_ENV} is not: set both, or neither")
        return None
    if not raw_burst:
        return RateLimit(rps, max(1, math.ceil(rps)))
    if not raw_burst.isdigit() or int(raw_burst) < 1:
        raise ValueError(f"{BURST_ENV}: expected a whole number of requests >= 1, got {raw_burst!r}")
    return RateLimit(rps, int(raw_burst))


def identity_header_from_env(environ: Mapping[str, str] = os.environ) -> str | None:
    """The header naming the verified caller, or None when not behind a front; ``ValueError`` on a bad name."""
    raw = environ.get(IDENTITY_HEADER_ENV, "").strip()
    if not raw:
        return None
    if not _HEADER_NAME.fullmatch(raw):
        raise ValueError(f"{IDENTITY_HEADER_ENV}: expected an HTTP header name, got {raw!r}")
    return raw


def caller_key(value: str | None) -> str:
    """The bucket of a caller the front named: one per IAM principal (an assumed role's sessions share one)."""
    value = (value or "").strip()
    if not value:
        return UNIDENTIFIED
    role = _ASSUMED_ROLE.fullmatch(value)
    return f"caller {role.group(1) if role else value}"


class TokenBuckets:
    """Token buckets by client key, thread-safe; ``take`` answers None (go) or seconds to wait."""

    def __init__(
        self, limit: RateLimit, clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Takes one token from ``key``'s bucket: None if there was one, else the seconds until there is."""
        rps, burst = self.limit.rps, float(self.limit.burst)
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.pop(key, (burst, now))
            tokens = min(burst, tokens + (now - at) * rps)
            wait = None
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / rps
            self._buckets[key] = (tokens, now)  # re-inserted last: the dict stays in least-recently-seen order
            while len(self._buckets) > self._max_clients:
                self._buckets.popitem(last=False)
            return wait

    def __len__(self) -> int:
        return len(self._buckets)


def retry_after_header(wait: float) -> str:
    """``Retry-After`` takes whole seconds: rounded up, at least 1."""
    return str(max(1, math.ceil(wait)))
