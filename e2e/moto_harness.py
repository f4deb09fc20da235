"""An in-process moto server on 127.0.0.1, patched where the AWS provider needs more than moto offers."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto import settings as moto_settings
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.codebuild.models import CodeBuildBackend
from moto.core.responses import ActionResult
from moto.ec2.responses.monitoring import Monitoring
from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.logs.models import logs_backends
from moto.s3.models import FakeBucket
from moto.server import ThreadedMotoServer

from elasticache_gaps import patch_elasticache

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


FAKE_BUILD_LOG = ["moto runs no builds: this line stands in for the docker build output", "pushed by the e2e harness"]
"""The log lines the patched CodeBuild writes to a build's stream (the CLI must stream them)."""


def fake_build_digest(build_id: str) -> str:
    """The digest the patched CodeBuild reports for a build: stable per build id, well-formed like ECR's."""
    return "sha256:" + hashlib.sha256(build_id.encode()).hexdigest()


def patch_codebuild_builds() -> None:
    """
    moto 5.2.1 accepts StartBuild and answers BatchGetBuilds with SUCCEEDED, but runs nothing: no exported
    variables and no log stream. The patch adds what a finished build of our buildspec reports (IMAGE_DIGEST,
    the log group and stream of the project's logs_config) and writes FAKE_BUILD_LOG to that stream.
    """
    original = CodeBuildBackend.batch_get_builds
    if getattr(original, "patched_for_e2e", False):
        return

    def batch_get_builds(self: CodeBuildBackend, ids: list[str]) -> list[dict[str, Any]]:
        builds = original(self, ids)
        for build in builds:
            if "exportedEnvironmentVariables" in build:
                continue
            project = self.codebuild_projects[build["projectName"]]
            group = project.project_metadata.get("logsConfig", {}).get("cloudWatchLogs", {}).get("groupName")
            stream = build["id"].split(":", 1)[1]
            build["exportedEnvironmentVariables"] = [{"name": "IMAGE_DIGEST", "value": fake_build_digest(build["id"])}]
            if group:
                logs = logs_backends[self.account_id][self.region_name]
                logs.create_log_stream(group, stream)
                now = int(time.time() * 1000)
                events = [{"timestamp": now + i, "message": line} for i, line in enumerate(FAKE_BUILD_LOG)]
                logs.put_log_events(group, stream, events)
                build["logs"] = {**build.get("logs", {}), "groupName": group, "streamName": stream}
        return builds

    batch_get_builds.patched_for_e2e = True  # type: ignore[attr-defined]
    CodeBuildBackend.batch_get_builds = batch_get_builds  # type: ignore[method-assign]

    # The AWS provider deletes a project by its ARN (the resource id); moto 5.2.1 looks the name up only.
    delete_by_name = CodeBuildBackend.delete_project

    def delete_project(self: CodeBuildBackend, project_name: str) -> None:
        by_arn = [name for name, project in self.codebuild_projects.items() if project.arn == project_name]
        delete_by_name(self, by_arn[0] if by_arn else project_name)

    CodeBuildBackend.delete_project = delete_project  # type: ignore[method-assign]


def _denies_plain_http(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition", {}).get("Bool", {})
    return statement.get("Effect") == "Deny" and str(condition.get("aws:SecureTransport")).lower() == "false"


def patch_s3_secure_transport() -> None:
    """
    Evaluates S3 bucket policies as for an HTTPS request, which is what the AWS CLI sends to real S3.
    moto 5.2.1 serves plain HTTP, and its policy check returns DENIED for a Deny statement whose condition
    does not hold (AWS: the statement does not apply), so a "deny unless HTTPS" statement refused every
    request (403 on the CLI's upload to the remote build's source bucket). Such statements are left out.
    """

    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = json.loads(self.policy.decode())
        statements = document.get("Statement", [])
        document["Statement"] = [
            s for s in (statements if isinstance(statements, list) else [statements]) if not _denies_plain_http(s)
        ]
        if not document["Statement"]:
            return PermissionResult.NEUTRAL
        return IAMPolicy(json.dumps(document)).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission  # type: ignore[method-assign]


@contextmanager
def moto_server() -> Iterator[str]:
    """Starts a patched moto on a free 127.0.0.1 port, yields its endpoint URL, and always stops it."""
    # AWS-managed policies such as AmazonECSTaskExecutionRolePolicy exist in moto only with this set,
    # and it is read when the IAM backend is first built, so it must be set before the server starts.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    patch_application_autoscaling_tags()
    patch_ec2_monitoring()
    patch_codebuild_builds()
    patch_s3_secure_transport()
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
