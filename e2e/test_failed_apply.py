"""An apply that fails half-way: the CLI says so with the log path, the state stays consistent, destroy cleans up."""

from __future__ import annotations

import re
from pathlib import Path

from cli_driver import IMAGE_URI, DeploymentCli
from inventory import client, inventory, left_over
from terraform_cli import state_addresses, terraform, terraform_env
from timings import Timings

APP = "flask-stacking-app"
MISSING_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
"""A certificate that does not exist: the HTTPS listener is rejected once the VPC, ALB and cluster exist."""


def _log_path(output: str) -> Path:
    match = re.search(r"Full output: (\S+terraform\.log)", output)
    assert match, f"the failure does not name the log file:\n{output}"
    return Path(match.group(1))


def test_half_applied_deployment_fails_cleanly_and_destroys(
    cli: DeploymentCli, moto_endpoint: str, aws: dict[str, str], timings: Timings
) -> None:
    baseline = inventory(moto_endpoint)
    folder = cli.folder("ecs_alb", APP)

    failed = cli.deploy("ecs_alb", APP, IMAGE_URI, "--certificate-arn", MISSING_CERTIFICATE)
    timings.record(f"ecs_alb ({APP}), bad certificate", "deploy", failed.seconds, f"exit {failed.code} (expected)")
    assert failed.code == 1, failed.describe()
    assert "apply failed" in failed.output, failed.describe()
    assert "CertificateNotFound" in failed.output, "the terraform error is not shown"
    log = _log_path(failed.output)
    assert log.is_file() and "CertificateNotFound" in log.read_text()

    # Half-way: part of the stack exists, and the state records exactly that part.
    env = terraform_env(aws)
    addresses = state_addresses(folder, env)
    assert any(a.startswith("aws_lb.") for a in addresses), addresses
    assert not any(a.startswith("aws_lb_listener.https") for a in addresses), addresses
    balancers = client(moto_endpoint, "elbv2").describe_load_balancers()["LoadBalancers"]
    assert len(balancers) == 1, "the load balancer in the state exists in AWS"
    # Consistent: terraform can still plan from this state, and the only thing it wants is to finish the job.
    plan = terraform(folder, env, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-lock=false", check=False)
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert "to destroy" in plan.stdout and not re.search(r"[1-9]\d* to destroy", plan.stdout), plan.stdout

    destroyed = cli.destroy("ecs_alb", APP)
    timings.record(
        f"ecs_alb ({APP}), bad certificate",
        "destroy",
        destroyed.seconds,
        "ok" if destroyed.code == 0 else f"exit {destroyed.code}",
    )
    assert destroyed.code == 0, destroyed.describe()
    assert state_addresses(folder, env) == []
    assert left_over(moto_endpoint, baseline) == []
