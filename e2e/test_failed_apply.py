"""An apply that fails half-way: the CLI says so with the log path, the state stays consistent, destroy cleans up."""

from __future__ import annotations

import re
from pathlib import Path

from cli_driver import IMAGE_URI, DeploymentCli
from expectations import expect_network
from inventory import client, inventory, left_over
from terraform_cli import state_addresses, terraform, terraform_env
from timings import Timings

APP = "flask-stacking-app"
UNKNOWN_INSTANCE_TYPE = "t3.e2e-unknown"
"""An instance type EC2 does not offer: RunInstances is rejected once the VPC, roles and security group exist.
(A missing ACM certificate would fail later still, but the provider retries CertificateNotFound for minutes.)"""


def _log_path(output: str) -> Path:
    match = re.search(r"Full output: (\S+terraform\.log)", output)
    assert match, f"the failure does not name the log file:\n{output}"
    return Path(match.group(1))


def test_half_applied_deployment_fails_cleanly_and_destroys(
    cli: DeploymentCli, moto_endpoint: str, aws: dict[str, str], timings: Timings
) -> None:
    baseline = inventory(moto_endpoint)
    folder = cli.folder("ec2", APP)
    label = f"ec2 ({APP}), unknown instance type"

    failed = cli.deploy("ec2", APP, IMAGE_URI, "--instance-type", UNKNOWN_INSTANCE_TYPE)
    timings.record(label, "deploy", failed.seconds, f"exit {failed.code} (expected)")
    assert failed.code == 1, failed.describe()
    assert "apply failed" in failed.output, failed.describe()
    assert "InvalidInstanceType" in failed.output, "the terraform error is not shown"
    log = _log_path(failed.output)
    assert log.is_file() and "InvalidInstanceType" in log.read_text()

    # Half-way: part of the stack exists, and the state records exactly that part.
    env = terraform_env(aws)
    addresses = state_addresses(folder, env)
    assert "aws_vpc.network_vpc" in addresses and "aws_iam_role.instance_role" in addresses, addresses
    assert not any(a.startswith(("aws_instance.", "aws_eip.")) for a in addresses), addresses
    vpc_id = expect_network(moto_endpoint, APP, "ec2")
    instances = client(moto_endpoint, "ec2").describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert instances["Reservations"] == [], "an instance exists that the state does not know"
    # Consistent: terraform can still plan from this state, and the only thing it wants is to finish the job.
    plan = terraform(folder, env, "plan", "-input=false", "-no-color", "-detailed-exitcode", "-lock=false", check=False)
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert "to destroy" in plan.stdout and not re.search(r"[1-9]\d* to destroy", plan.stdout), plan.stdout

    destroyed = cli.destroy("ec2", APP)
    timings.record(
        label,
        "destroy",
        destroyed.seconds,
        "ok" if destroyed.code == 0 else f"exit {destroyed.code}",
    )
    assert destroyed.code == 0, destroyed.describe()
    assert state_addresses(folder, env) == []
    assert left_over(moto_endpoint, baseline) == []
