"""Each architecture, deployed and destroyed through the CLI with the real terraform against moto."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_driver import IMAGE_URI, DeploymentCli
from expectations import (
    drifted_attributes,
    expect_alb,
    expect_autoscaling,
    expect_ec2,
    expect_ecs,
    expect_logs_and_repository,
    expect_network,
    expect_state_store,
    planned_ecs_service,
    state_outputs,
)
from inventory import inventory, left_over
from terraform_cli import planned_values, terraform_env
from timings import Timings

CASES = {
    "ec2": "flask-logreg-app",
    "ecs": "flask-lgbm-app_py39",
    "ecs_alb": "flask-xgboost-app",
}
"""One app per architecture, different apps so folder names and AWS names never overlap."""

MOTO_DRIFT = {
    "aws_ecs_service": {
        "deployment_circuit_breaker",
        "health_check_grace_period_seconds",
        "enable_ecs_managed_tags",
        "availability_zone_rebalancing",
    },
    # The harness's Application Auto Scaling tag handlers are no-ops, so the target reads back untagged.
    "aws_appautoscaling_target": {"tags_all"},
}
"""Attributes, by resource type, that moto 5.2.1 does not keep: a plan after apply wants to set them again."""


def _expect_planned_ecs_settings(folder: Path, aws: dict[str, str], architecture: str) -> None:
    plan = planned_values(folder, terraform_env(aws))
    service = planned_ecs_service(plan)
    assert service["deployment_circuit_breaker"] == [{"enable": True, "rollback": True}]
    if architecture == "ecs_alb":
        # Long enough for a model to load before the ALB's failed checks count.
        assert service["health_check_grace_period_seconds"] >= 60
    unexpected = [
        address
        for address in drifted_attributes(plan)
        if address.rsplit(".", 1)[1] not in MOTO_DRIFT.get(address.split(".", 1)[0], set())
    ]
    assert unexpected == [], f"a second plan changes more than moto's known gaps: {unexpected}"


@pytest.mark.parametrize("architecture", list(CASES))
def test_deploy_then_destroy(
    architecture: str, cli: DeploymentCli, moto_endpoint: str, aws: dict[str, str], timings: Timings
) -> None:
    app = CASES[architecture]
    label = f"{architecture} ({app})"
    baseline = inventory(moto_endpoint)

    deployed = cli.deploy(architecture, app, IMAGE_URI)
    timings.record(label, "deploy", deployed.seconds, "ok" if deployed.code == 0 else f"exit {deployed.code}")
    assert deployed.code == 0, deployed.describe()

    folder = cli.folder(architecture, app)
    assert (folder / "main.tf").exists(), "the deployment folder holds plain HCL"
    outputs = state_outputs(folder)
    expect_network(moto_endpoint, app, architecture)
    expect_logs_and_repository(moto_endpoint, outputs)
    if architecture == "ec2":
        expect_ec2(moto_endpoint, outputs)
    else:
        service = expect_ecs(moto_endpoint, outputs, IMAGE_URI, public_ip=True if architecture == "ecs" else None)
        if architecture == "ecs_alb":
            expect_alb(moto_endpoint, outputs, service)
            expect_autoscaling(moto_endpoint, outputs)
            expect_state_store(moto_endpoint, outputs)
        _expect_planned_ecs_settings(folder, aws, architecture)

    destroyed = cli.destroy(architecture, app)
    timings.record(label, "destroy", destroyed.seconds, "ok" if destroyed.code == 0 else f"exit {destroyed.code}")
    assert destroyed.code == 0, destroyed.describe()
    assert left_over(moto_endpoint, baseline) == []
