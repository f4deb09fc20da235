"""An in-process moto server on 127.0.0.1, patched where the AWS provider needs more than moto offers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.server import ThreadedMotoServer

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
"""Credentials moto accepts; fake on purpose so nothing can ever reach a real account."""

REGION = "us-east-1"
"""The region every e2e deployment uses (moto knows its AZs and public SSM parameters)."""


def _empty_tags(self: ApplicationAutoScalingResponse) -> str:
    return '{"Tags": {}}'


def _accept_tags(self: ApplicationAutoScalingResponse) -> str:
    return "{}"


def patch_application_autoscaling_tags() -> None:
    """
    Adds Application Auto Scaling tag handlers as no-ops. moto 5.2.1 has none: it answers 500 and the
    provider retries for minutes, which looks like a hang. Tags on scalable targets are not what we test.
    """
    handlers: dict[str, Any] = {
        "list_tags_for_resource": _empty_tags,
        "tag_resource": _accept_tags,
        "untag_resource": _accept_tags,
    }
    for name, handler in handlers.items():
        if not hasattr(ApplicationAutoScalingResponse, name):
            setattr(ApplicationAutoScalingResponse, name, handler)


@contextmanager
def moto_server() -> Iterator[str]:
    """Starts a patched moto on a free 127.0.0.1 port, yields its endpoint URL, and always stops it."""
    # AWS-managed policies such as AmazonECSTaskExecutionRolePolicy exist in moto only with this set,
    # and it is read when the IAM backend is first built, so it must be set before the server starts.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    patch_application_autoscaling_tags()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def aws_env(endpoint: str) -> dict[str, str]:
    """Environment that points every AWS client (boto3, the AWS CLI, the JS SDK, the provider) at moto."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        # Keeps a moto gap from turning into minutes of provider retries.
        "AWS_MAX_ATTEMPTS": "2",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
