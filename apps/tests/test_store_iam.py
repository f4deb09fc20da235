"""ElastiCache IAM tokens, offline: the SigV4 signer against AWS's published example, the token's parts for a
fixed clock and fake credentials, token reuse and refresh, and a real redis-server accepting the token as the
ACL user's password through the store's connection."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from redis_server import RedisServer

from fraudkit.state import OnlineFeatureState
from fraudkit.store import StoreUnavailable
from fraudkit.store.config import StoreConfig
from fraudkit.store.iam import REFRESH_SECONDS, Credentials, ElastiCacheIAMProvider, elasticache_token, presign

FAKE = Credentials("AKIDEXAMPLE", "secretEXAMPLE", "session/token+=")
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_signer_reproduces_the_aws_presigned_url_example():
    # "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", Amazon S3 API reference.
    keys = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    when = datetime(2013, 5, 24, tzinfo=timezone.utc)
    url = presign(
        "GET",
        "examplebucket.s3.amazonaws.com",
        "/test.txt",
        {},
        "s3",
        "us-east-1",
        keys,
        when,
        86400,
        "UNSIGNED-PAYLOAD",
    )
    assert url.endswith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")


def test_token_parts_for_a_fixed_clock():
    token = elasticache_token("my-group", "app-user", "eu-west-1", FAKE, WHEN)
    assert token.startswith("my-group/?")
    query = dict(parse_qsl(urlsplit("https://" + token).query))
    assert query["Action"] == "connect" and query["User"] == "app-user"
    assert query["X-Amz-Credential"] == "AKIDEXAMPLE/20260102/eu-west-1/elasticache/aws4_request"
    assert query["X-Amz-Date"] == "20260102T030405Z" and query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Security-Token"] == "session/token+=" and query["X-Amz-SignedHeaders"] == "host"
    assert len(query["X-Amz-Signature"]) == 64
    assert token == elasticache_token("my-group", "app-user", "eu-west-1", FAKE, WHEN)
    other = Credentials(FAKE.access_key, "another-secret", FAKE.token)
    assert elasticache_token("my-group", "app-user", "eu-west-1", other, WHEN) != token


def test_token_equals_botocores():
    botocore = pytest.importorskip("botocore")  # not in the serving envs (see fraudkit.store.iam)
    from botocore.credentials import Credentials as BotoCredentials
    from botocore.hooks import HierarchicalEmitter
    from botocore.model import ServiceId
    from botocore.signers import RequestSigner

    assert botocore
    emitter = HierarchicalEmitter()  # the signer keeps only a weak reference
    credentials = BotoCredentials(FAKE.access_key, FAKE.secret_key, FAKE.token)
    signer = RequestSigner(ServiceId("elasticache"), "eu-west-1", "elasticache", "v4", credentials, emitter)
    request = {
        "method": "GET",
        "url": "https://my-group/?Action=connect&User=app-user",
        "body": {},
        "headers": {},
        "context": {},
    }
    theirs = signer.generate_presigned_url(request, operation_name="connect", expires_in=900, region_name="eu-west-1")
    query = dict(parse_qsl(urlsplit(theirs).query))
    when = datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    ours = elasticache_token("my-group", "app-user", "eu-west-1", FAKE, when)
    assert dict(parse_qsl(urlsplit("https://" + ours).query)) == query


def test_provider_reuses_then_refreshes_the_token():
    now = [WHEN.timestamp()]
    provider = ElastiCacheIAMProvider("app-user", "my-group", "eu-west-1", lambda: FAKE, lambda: now[0])
    user, first = provider.get_credentials()
    now[0] += REFRESH_SECONDS - 1
    assert provider.get_credentials() == (user, first)
    now[0] += 2
    assert user == "app-user" and provider.get_credentials()[1] != first


def test_the_store_authenticates_with_the_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import redis

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE.secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", str(FAKE.token))
    monkeypatch.setattr("fraudkit.store.iam.default_credentials", lambda: FAKE)
    server = RedisServer(tmp_path).start()
    try:
        admin = redis.Redis(port=server.port)
        admin.execute_command("ACL", "SETUSER", "default", "off")  # only the IAM user may connect
        snapshot = tmp_path / "s.npz"
        OnlineFeatureState().save(snapshot)
        from fraudkit.store.redis_store import RedisStore

        config = StoreConfig(url=server.url, iam=True, user="app-user", cache_id="my-group", region="eu-west-1")
        store = RedisStore.open(snapshot, 0, "iam", config)
        with pytest.raises(StoreUnavailable):
            store.check()  # the user does not exist yet: AUTH fails, a 503 not a crash
        provider = store.client.connection_pool.connection_kwargs["credential_provider"]
        _, token = provider.get_credentials()
        admin.execute_command("ACL", "SETUSER", "app-user", "on", f">{token}", "~*", "+@all")
        store.check()
        assert store.limits()["store"] == server.url
    finally:
        server.stop()
