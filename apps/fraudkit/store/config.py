"""The state store's settings, read from the container environment (the contract with the deployer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from fraudkit.state import MAX_FUTURE_SKEW_SECONDS

STORE_ENV = "FRAUDKIT_STATE_STORE"
DEFAULT_LABELS_PER_TERMINAL_DAY = 100
"""Default cap of fraud labels one terminal can receive per day (0 turns the cap off)."""
DEFAULT_SNAPSHOT_INTERVAL = 60.0


class ConfigError(ValueError):
    """A store setting that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class StoreConfig:
    """What ``open_store`` needs: the server (None = in-process) and its credentials, the label cap, the
    clock skew, and the in-process store's persistence."""

    url: str | None = None
    password: str | None = None
    user: str | None = None
    iam: bool = False
    cache_id: str | None = None
    region: str | None = None
    max_labels_per_terminal_day: int = DEFAULT_LABELS_PER_TERMINAL_DAY
    max_future_skew: float = MAX_FUTURE_SKEW_SECONDS
    snapshot_path: Path | None = None
    snapshot_interval: float = DEFAULT_SNAPSHOT_INTERVAL

    @property
    def shared(self) -> bool:
        """True when the state lives in a server that several processes share."""
        return self.url is not None

    @staticmethod
    def from_env(env: Mapping[str, str]) -> StoreConfig:
        """Reads FRAUDKIT_STATE_STORE(_PASSWORD, _USER, _IAM, _CACHE_ID), AWS_REGION,
        FRAUDKIT_MAX_LABELS_PER_TERMINAL_DAY, FRAUDKIT_MAX_FUTURE_SKEW_SECONDS, FRAUDKIT_STATE_SNAPSHOT and
        FRAUDKIT_SNAPSHOT_INTERVAL; raises ``ConfigError`` on a value that cannot be used."""
        raw = env.get(STORE_ENV, "").strip()
        url: str | None = None
        if raw and raw != "memory":
            parts = urlsplit(raw)
            if parts.scheme not in ("redis", "rediss") or not parts.hostname:
                raise ConfigError(f"{STORE_ENV}: expected memory, redis://HOST:PORT/DB or rediss://HOST:PORT/DB")
            url = raw
        iam = env.get("FRAUDKIT_STATE_STORE_IAM", "") == "1"
        cache_id = env.get("FRAUDKIT_STATE_STORE_CACHE_ID") or None
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None
        user = env.get("FRAUDKIT_STATE_STORE_USER") or None
        if iam and (not cache_id or not region or not user):
            needs = "FRAUDKIT_STATE_STORE_CACHE_ID, FRAUDKIT_STATE_STORE_USER and AWS_REGION"
            raise ConfigError(f"FRAUDKIT_STATE_STORE_IAM=1 needs {needs}")
        snapshot = env.get("FRAUDKIT_STATE_SNAPSHOT") or None
        return StoreConfig(
            url=url,
            password=env.get("FRAUDKIT_STATE_STORE_PASSWORD") or None,
            user=user,
            iam=iam,
            cache_id=cache_id,
            region=region,
            max_labels_per_terminal_day=_number(
                env, "FRAUDKIT_MAX_LABELS_PER_TERMINAL_DAY", DEFAULT_LABELS_PER_TERMINAL_DAY, int
            ),
            max_future_skew=_number(env, "FRAUDKIT_MAX_FUTURE_SKEW_SECONDS", MAX_FUTURE_SKEW_SECONDS, float),
            snapshot_path=Path(snapshot) if snapshot else None,
            snapshot_interval=_number(env, "FRAUDKIT_SNAPSHOT_INTERVAL", DEFAULT_SNAPSHOT_INTERVAL, float),
        )


def _number(env: Mapping[str, str], name: str, default: float, kind: type) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name}: must not be negative")
    return value


def redacted(url: str) -> str:
    """The URL without its credentials, for /health and logs."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
