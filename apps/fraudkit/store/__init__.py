"""Where the online feature state lives: in the process (``MemoryStore``, the default) or in a shared
Redis-protocol server (``RedisStore``: Redis 7, Valkey, ElastiCache), chosen by ``FRAUDKIT_STATE_STORE``.

Both give the same features to 1e-9 on the same stream, score one request's transactions atomically, count a
retried transaction id once, accept labels only for transactions they scored and cap fraud labels per
terminal and day. ``open_store`` builds the one the environment asks for. This package's own import is
light (``StoreUnavailable`` only), so the HTTP layer can map the error without loading NumPy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from fraudkit.store.errors import StoreUnavailable

if TYPE_CHECKING:
    from fraudkit.store.base import StateStore
    from fraudkit.store.config import StoreConfig

__all__ = ["StoreUnavailable", "open_store"]


def open_store(snapshot: Path, history_k: int, namespace: str, config: StoreConfig | None = None) -> StateStore:
    """The store ``config`` (default: the environment) selects, holding the state of ``snapshot`` (the shipped
    state.npz) with ``history_k`` previous vectors per customer; ``namespace`` separates apps sharing a server."""
    from fraudkit.store.config import StoreConfig
    from fraudkit.store.memory import MemoryStore

    config = config or StoreConfig.from_env(os.environ)
    if config.url is None:
        return MemoryStore.open(snapshot, history_k, config)
    from fraudkit.store.redis_store import RedisStore

    return RedisStore.open(snapshot, history_k, namespace, config)
