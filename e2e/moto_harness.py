"""An in-process moto server on 127.0.0.1, patched where the AWS provider needs more than moto offers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from elasticache_gaps import patch_elasticache
from moto import settings as moto_settings
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.responses import ActionResult
from moto.ec2.responses.monitoring import Monitoring
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


def _monitoring_setter(state: str) -> Any:
    def set_monitoring(self: Monitoring) -> ActionResult:
        instance_ids = self._get_param("InstanceIds", [])
        self.error_on_dryrun()
        for instance_id in instance_ids:
            self.ec2_backend.get_instance(instance_id).monitoring_state = state
        return ActionResult(
            {"InstanceMonitorings": [{"InstanceId": i, "Monitoring": {"State": state}} for i in instance_ids]}
        )

    return set_monitoring


def patch_ec2_monitoring() -> None:
    """
    Implements EC2 MonitorInstances/UnmonitorInstances, which moto 5.2.1 leaves as NotImplementedError (500).
    The provider calls MonitorInstances right after RunInstances for `monitoring = true` (detailed monitoring).
    """
    Monitoring.monitor_instances = _monitoring_setter("enabled")  # type: ignore[method-assign]
    Monitoring.unmonitor_instances = _monitoring_setter("disabled")  # type: ignore[method-assign]


@contextmanager
def moto_server() -> Iterator[str]:
    """Starts a patched moto on a free 127.0.0.1 port, yields its endpoint URL, and always stops it."""
    # AWS-managed policies such as AmazonECSTaskExecutionRolePolicy exist in moto only with this set,
    # and it is read when the IAM backend is first built, so it must be set before the server starts.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    patch_application_autoscaling_tags()
    patch_ec2_monitoring()
    patch_elasticache()
    # Off by default in moto; on, an unknown instance type is rejected as by EC2 (the failure test relies on it).
    moto_settings.EC2_ENABLE_INSTANCE_TYPE_VALIDATION = True
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
