"""ElastiCache IAM authentication: the app signs its own short-lived auth token (SigV4 presigned ``connect``
request for the replication group), so no password exists anywhere; redis-py asks for it per new connection.

The signer is the standard SigV4 query signing (what ``botocore.signers.RequestSigner.generate_presigned_url``
produces for ElastiCache), written on the standard library: botocore's pins (python-dateutil < 3, urllib3 < 1.27
on Python 3.9) conflict with the serving lines' constraints. Credentials come from botocore's chain when botocore
is installed, else from the environment or the ECS task role endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import quote

TOKEN_SECONDS = 900
"""Validity of a token (ElastiCache's maximum); a connection authenticated with it stays open after."""
REFRESH_SECONDS = 600
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
ECS_CREDENTIALS_HOST = "http://169.254.170.2"


@dataclass(frozen=True)
class Credentials:
    """AWS credentials (the session token is None for long-term keys)."""

    access_key: str
    secret_key: str
    token: str | None = None


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def presign(
    method: str,
    host: str,
    path: str,
    params: dict[str, str],
    service: str,
    region: str,
    credentials: Credentials,
    when: datetime,
    expires: int,
    payload_hash: str = EMPTY_SHA256,
) -> str:
    """A SigV4 query-signed URL without its scheme: ``host/path?...&X-Amz-Signature=...`` (signed header: host)."""
    stamp = when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    scope = f"{day}/{region}/{service}/aws4_request"
    query = {
        **params,
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{credentials.access_key}/{scope}",
        "X-Amz-Date": stamp,
        "X-Amz-Expires": str(expires),
        "X-Amz-SignedHeaders": "host",
    }
    if credentials.token:
        query["X-Amz-Security-Token"] = credentials.token
    canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(query.items()))
    canonical = "\n".join([method, path, canonical_query, f"host:{host}", "", "host", payload_hash])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + credentials.secret_key).encode()
    for part in (day, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{host}{path}?{canonical_query}&X-Amz-Signature={signature}"


def elasticache_token(cache_id: str, user: str, region: str, credentials: Credentials, when: datetime) -> str:
    """The IAM auth token of ``user`` for the replication group ``cache_id`` (valid ``TOKEN_SECONDS``)."""
    params = {"Action": "connect", "User": user}
    return presign("GET", cache_id, "/", params, "elasticache", region, credentials, when, TOKEN_SECONDS)


def default_credentials() -> Credentials:
    """botocore's credential chain when installed; else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
    (+ AWS_SESSION_TOKEN), else the ECS task role (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI)."""
    try:
        import botocore.session
    except ImportError:
        pass
    else:
        found = botocore.session.get_session().get_credentials()
        if found is not None:
            frozen = found.get_frozen_credentials()
            return Credentials(frozen.access_key, frozen.secret_key, frozen.token)
    env = os.environ
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env.get("AWS_SESSION_TOKEN"))
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if relative or full:
        url = ECS_CREDENTIALS_HOST + relative if relative else str(full)
        request = urllib.request.Request(url)
        if env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"):
            request.add_header("Authorization", env["AWS_CONTAINER_AUTHORIZATION_TOKEN"])
        with urllib.request.urlopen(request, timeout=2) as reply:
            body = json.loads(reply.read())
        return Credentials(body["AccessKeyId"], body["SecretAccessKey"], body.get("Token"))
    raise RuntimeError("no AWS credentials for the ElastiCache IAM token (task role, or AWS_ACCESS_KEY_ID)")


try:
    from redis.credentials import CredentialProvider
except ImportError:  # the in-process store does not need redis
    CredentialProvider = object  # type: ignore[misc,assignment]


class ElastiCacheIAMProvider(CredentialProvider):  # type: ignore[misc]
    """redis-py credential provider: (user, a fresh IAM token), the token reused for ``REFRESH_SECONDS``."""

    def __init__(
        self,
        user: str,
        cache_id: str,
        region: str,
        credentials: Callable[[], Credentials] = default_credentials,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.user = user
        self.cache_id = cache_id
        self.region = region
        self._credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._token: tuple[float, str] | None = None

    def get_credentials(self) -> tuple[str, str]:
        """(username, password) for AUTH."""
        with self._lock:
            now = self._clock()
            if self._token is None or now - self._token[0] >= REFRESH_SECONDS:
                when = datetime.fromtimestamp(now, tz=timezone.utc)
                token = elasticache_token(self.cache_id, self.user, self.region, self._credentials(), when)
                self._token = (now, token)
            return self.user, self._token[1]
