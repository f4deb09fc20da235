"""API keys with two scopes, and the request guard every app gets through ``create_app``.

Scopes: a *scoring* key calls /predict, /model-info and /openapi.json; a *labelling* key calls /feedback only.
Least privilege both ways: a scoring key cannot label (labels move every later score of a terminal), and a
labelling key cannot score (a labelling job that also scores holds one key of each). One key in both lists is a
configuration error. /health stays open for the load balancer.

Clients send ``Authorization: Bearer <key>``. A missing, malformed or unknown key is a 401 with
``WWW-Authenticate: Bearer``, one answer for all three so that nothing tells which part was wrong. A valid key
on the other scope's endpoint is a 403 (RFC 6750 ``insufficient_scope``, OWASP's function-level authorization):
it reveals only that the key is valid, which its holder learns anyway from the endpoint it may call. The key is
compared in constant time against every accepted key: each is kept as an HMAC under a per-process random salt,
so the comparison is over equal-length digests (no length leak) and runs over all keys with no early exit.
Key values never reach a log or an error message: messages name the variable and the key's position only.

Configuration (read once, at start): ``FRAUDKIT_SCORING_KEYS`` and ``FRAUDKIT_LABELLING_KEYS`` are
comma-separated (two during a rotation); both unset turns auth off (a local quick try), unless
``FRAUDKIT_REQUIRE_KEYS=1``. Or ``FRAUDKIT_API_KEYS_FILE`` names a file of ``NAME=value`` lines with the same two
variables, re-read whenever it changes (its mtime, size or inode), so keys rotate without a restart (EC2): keys are
then always required, and a file that becomes unreadable or invalid keeps the keys read before in force (logged,
without values). A configuration problem (keys required but missing, a key shorter than
``MIN_KEY_LENGTH``, a bad rate limit or skew) makes /health answer 503 naming it and every other endpoint 503:
a misconfigured task must fail its health check, not serve open.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from flask import Flask, Response, jsonify, request

from fraudkit.serving.ratelimit import (
    TokenBuckets,
    caller_key,
    identity_header_from_env,
    rate_limit_from_env,
    retry_after_header,
)
from fraudkit.serving.slow_clients import BODY_TIMEOUT_SECONDS, body_timeout_seconds
from fraudkit.serving.validation import DEFAULT_MAX_FUTURE_SKEW_SECONDS, max_future_skew_seconds

log = logging.getLogger(__name__)

SCORING = "scoring"
LABELLING = "labelling"

SCORING_KEYS_ENV = "FRAUDKIT_SCORING_KEYS"
LABELLING_KEYS_ENV = "FRAUDKIT_LABELLING_KEYS"
REQUIRE_KEYS_ENV = "FRAUDKIT_REQUIRE_KEYS"
KEYS_FILE_ENV = "FRAUDKIT_API_KEYS_FILE"
_SCOPE_ENV = {SCORING: SCORING_KEYS_ENV, LABELLING: LABELLING_KEYS_ENV}

#: Shortest key accepted: 32 characters of a random token are far beyond guessing at any request rate.
MIN_KEY_LENGTH = 32

# Keys travel in an HTTP header and are listed comma-separated: visible ASCII, no comma, no space.
_KEY_CHARS = re.compile(r"[\x21-\x2b\x2d-\x7e]+", re.ASCII)
_BEARER = re.compile(r"Bearer +(\S+) *", re.IGNORECASE | re.ASCII)

REALM = "fraudkit"


@dataclass(frozen=True)
class Credential:
    """Who a valid key is: its scope and its position in that scope's list (for rate limiting; never the key)."""

    scope: str
    index: int

    @property
    def name(self) -> str:
        """``scoring#1``: safe to use as a bucket key or in a log line."""
        return f"{self.scope}#{self.index}"


@dataclass
class KeyRing:
    """The accepted keys of both scopes, as salted digests."""

    keys: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._salt = secrets.token_bytes(32)
        self._entries = [
            (Credential(scope, i + 1), self._digest(key))
            for scope, keys in self.keys.items()
            for i, key in enumerate(keys)
        ]

    @property
    def enabled(self) -> bool:
        """Whether any key is configured (auth on)."""
        return bool(self._entries)

    def _digest(self, key: str) -> bytes:
        return hmac.new(self._salt, key.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def identify(self, authorization: str | None) -> Credential | None:
        """The credential an ``Authorization`` header value carries, or None for a missing or unknown key."""
        match = _BEARER.fullmatch(authorization or "")
        digest = self._digest(match.group(1) if match else "")
        found = None
        # Every entry is compared, whatever matched before: the time taken does not depend on which key it is.
        for credential, accepted in self._entries:
            if hmac.compare_digest(digest, accepted):
                found = credential
        return found if match else None


def _split_keys(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def key_ring_from_env(environ: Mapping[str, str] = os.environ) -> tuple[KeyRing, list[str]]:
    """The configured keys and the configuration problems found (empty when the keys are usable)."""
    problems: list[str] = []
    keys = {scope: _split_keys(environ.get(var, "")) for scope, var in _SCOPE_ENV.items()}
    required = environ.get(REQUIRE_KEYS_ENV, "").strip() == "1"
    for scope, var in _SCOPE_ENV.items():
        if not keys[scope] and required:
            problems.append(f"{var} is not set ({REQUIRE_KEYS_ENV}=1)")
        for i, key in enumerate(keys[scope], start=1):
            if len(key) < MIN_KEY_LENGTH:
                problems.append(f"{var}: key {i} is shorter than {MIN_KEY_LENGTH} characters")
            elif not _KEY_CHARS.fullmatch(key):
                problems.append(f"{var}: key {i} has characters outside visible ASCII")
    if set(keys[SCORING]) & set(keys[LABELLING]):
        problems.append(f"{SCORING_KEYS_ENV} and {LABELLING_KEYS_ENV} share a key: each scope needs its own")
    ring = KeyRing({scope: scope_keys for scope, scope_keys in keys.items() if scope_keys})
    if ring.enabled and not problems:
        for scope, var in _SCOPE_ENV.items():
            if not keys[scope]:
                log.warning("%s is not set: every %s request is refused", var, scope)
    return ring, problems


_UNREAD = object()


class KeyFile:
    """The keys of ``FRAUDKIT_API_KEYS_FILE``, re-read when the file changes; the last good keys stay in force."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.ring = KeyRing({})
        self.problems: list[str] = []
        self._stamp: object = _UNREAD
        self._loaded = False
        self._lock = threading.Lock()
        self.refresh()

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size, info.st_ino

    def _read(self) -> tuple[KeyRing, list[str]]:
        try:
            with open(self.path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except (OSError, UnicodeDecodeError) as error:
            return KeyRing({}), [f"{KEYS_FILE_ENV}: cannot read {self.path} ({type(error).__name__})"]
        values = {REQUIRE_KEYS_ENV: "1"}  # a file that names no key must not turn auth off
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            name, equals, value = line.partition("=")
            if not equals:
                return KeyRing({}), [f"{KEYS_FILE_ENV}: line {number} of {self.path} is not NAME=value"]
            if name.strip() in _SCOPE_ENV.values():
                values[name.strip()] = value
        return key_ring_from_env(values)

    def refresh(self) -> None:
        """Re-reads the file if it changed since the last look (one stat per call)."""
        stamp = self._current_stamp()
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            self._stamp = stamp
            ring, problems = self._read()
            if not problems:
                if self._loaded:
                    log.warning("API keys re-read from %s", self.path)
                self.ring, self.problems, self._loaded = ring, [], True
            elif self._loaded:
                for problem in problems:
                    log.error("%s; the keys read before stay in force", problem)
            else:
                self.problems = problems


def _error(status: int, message: str, **headers: str) -> Response:
    response = jsonify({"error": message, "field": "Authorization"} if status in (401, 403) else {"error": message})
    response.status_code = status
    response.headers.update(headers)
    return response


@dataclass
class Guard:
    """What ``protect`` installed: the keys, the rate limiter and the configuration problems."""

    ring: KeyRing
    buckets: TokenBuckets | None
    problems: list[str]
    max_future_skew_seconds: int
    body_timeout_seconds: float

    def describe(self) -> dict[str, object]:
        """The serving block of /model-info: auth on or off, the limit in force (never a key)."""
        limit = self.buckets.limit if self.buckets else None
        return {
            "auth": "bearer" if self.ring.enabled else "off",
            "rate_limit": {"rps": limit.rps, "burst": limit.burst} if limit else "off",
            "max_future_skew_seconds": self.max_future_skew_seconds,
            "body_timeout_seconds": self.body_timeout_seconds,
        }


def protect(app: Flask, scopes: Mapping[str, str | None], environ: Mapping[str, str] = os.environ) -> Guard:
    """Checks the credential (and the rate limit) of every request before its view runs.

    ``scopes`` maps endpoint names to the scope they need, or None for an open endpoint; an endpoint not listed
    needs a scoring key (closed by default). Requests that match no route fall through to the 404/405 handlers.
    """
    key_file = KeyFile(environ[KEYS_FILE_ENV]) if environ.get(KEYS_FILE_ENV, "").strip() else None
    ring, problems = key_ring_from_env(environ) if key_file is None else (key_file.ring, [])
    buckets = None
    identity_header = None
    try:
        limit = rate_limit_from_env(environ)
        buckets = TokenBuckets(limit) if limit else None
        identity_header = identity_header_from_env(environ)
    except ValueError as error:
        problems.append(str(error))
    skew = DEFAULT_MAX_FUTURE_SKEW_SECONDS
    try:
        skew = max_future_skew_seconds(environ)
    except ValueError as error:
        problems.append(str(error))
    body_timeout = BODY_TIMEOUT_SECONDS
    try:
        body_timeout = body_timeout_seconds(environ)
    except ValueError as error:
        problems.append(str(error))
    # With a key file, its problems are re-evaluated on each request, on top of the settings' fixed ones.
    settings_problems = list(problems)
    if key_file is not None:
        problems = settings_problems + key_file.problems
    for problem in problems:
        log.error("refusing to serve: %s", problem)
    if not ring.enabled and not problems:
        log.warning(
            "API keys are off (%s and %s unset): anyone who reaches the port may score and label",
            SCORING_KEYS_ENV,
            LABELLING_KEYS_ENV,
        )
    guard = Guard(ring, buckets, problems, skew, body_timeout)
    unknown_scopes = {s for s in scopes.values() if s is not None} - set(_SCOPE_ENV)
    if unknown_scopes:
        raise ValueError(f"unknown scopes {sorted(unknown_scopes)}")

    @app.before_request
    def check_credential() -> Response | None:
        endpoint = request.endpoint
        if endpoint is None:
            return None  # no such route: the 404/405 handlers answer
        scope = scopes.get(endpoint, SCORING)
        if key_file is not None:
            key_file.refresh()
            guard.ring, guard.problems = key_file.ring, settings_problems + key_file.problems
        ring, problems = guard.ring, guard.problems
        if problems:
            if scope is None:
                return _json_503({"status": "misconfigured", "error": "; ".join(problems)})
            return _error(503, "service: misconfigured, refusing to serve (see /health)")
        if scope is None:
            return None
        client = None
        if ring.enabled:
            credential = ring.identify(request.headers.get("Authorization"))
            if credential is None:
                return _error(
                    401,
                    "Authorization: a valid key is required (Bearer)",
                    **{"WWW-Authenticate": f'Bearer realm="{REALM}"'},
                )
            if credential.scope != scope:
                return _error(
                    403,
                    f"Authorization: this key may not call {request.path} (needs a {scope} key)",
                    **{"WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", scope="{scope}"'},
                )
            client = credential.name
        if buckets is not None:
            if client is None:
                client = (
                    caller_key(request.headers.get(identity_header))
                    if identity_header
                    else f"address {request.remote_addr}"
                )
            wait = buckets.take(client)
            if wait is not None:
                limit = buckets.limit
                return _error(
                    429,
                    f"rate limit: more than {limit.rps:g} requests per second (burst {limit.burst}) from this client",
                    **{"Retry-After": retry_after_header(wait)},
                )
        return None

    return guard


def _json_503(body: dict[str, str]) -> Response:
    response = jsonify(body)
    response.status_code = 503
    return response
