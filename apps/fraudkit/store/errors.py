"""The store's error, importable without NumPy (the HTTP layer maps it to 503)."""

from __future__ import annotations


class StoreUnavailable(Exception):
    """The shared store cannot be reached: the request is answered 503 and nothing of it was recorded."""

    def __init__(self, store: str, reason: str) -> None:
        super().__init__(f"state store {store} unavailable: {reason}")
        self.store = store
        self.reason = reason
