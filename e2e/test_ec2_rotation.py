"""rotate-keys on EC2 through the CLI against moto: the instance's boot script carries the key refresh script and
the container reads the key file, the instance role may receive Run Commands, and rotate-keys writes new,old then
new, each time sending the refresh script to the instance through SSM Run Command (AWS-RunShellScript). moto runs
no command (every invocation reports Success at once), so what the script does on an instance is tested in jest
(__tests__/constructs/ec2-api-keys.test.ts runs it with a fake aws) and the app's re-reading in apps/tests."""

from __future__ import annotations

import base64
import json
import re

from cli_driver import IMAGE_URI, DeploymentCli
from expectations import state_outputs
from inventory import client, inventory, left_over
from timings import Timings

APP = "flask-stacking-app"
"""An app no other e2e test deploys on ec2."""
PREFIX = f"/dds/ec2-{APP}/api-keys"
SCRIPT = "/usr/local/sbin/fraudkit-refresh-keys"
KEY = re.compile(r"^ddsk_[0-9a-f]{64}$")


def _values(endpoint: str) -> dict[str, str]:
    ssm = client(endpoint, "ssm")
    return {
        scope: ssm.get_parameter(Name=f"{PREFIX}/{scope}", WithDecryption=True)["Parameter"]["Value"]
        for scope in ("scoring", "labelling")
    }


def test_rotate_keys_on_ec2_refreshes_the_key_file_through_run_command(
    cli: DeploymentCli, moto_endpoint: str, timings: Timings
) -> None:
    baseline = inventory(moto_endpoint)
    deployed = cli.deploy("ec2", APP, IMAGE_URI)
    timings.record(f"ec2 ({APP}) + key rotation", "deploy", deployed.seconds, f"exit {deployed.code}")
    assert deployed.code == 0, deployed.describe()
    outputs = state_outputs(cli.folder("ec2", APP))
    instance = outputs["instance_id"]
    before = _values(moto_endpoint)

    ec2 = client(moto_endpoint, "ec2")
    encoded = ec2.describe_instance_attribute(InstanceId=instance, Attribute="userData")["UserData"]["Value"]
    user_data = base64.b64decode(encoded).decode()
    assert f"}} > {SCRIPT}\n" in user_data and f"\n{SCRIPT}\n" in user_data
    assert "-e FRAUDKIT_API_KEYS_FILE=/run/fraudkit-keys/api-keys.env" in user_data
    iam = client(moto_endpoint, "iam")
    role = f"ec2-{APP}-instance"
    (policy,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    sids = {statement.get("Sid") for statement in document["Statement"]}
    assert {"SsmAgentRegisters", "SsmAgentReceivesCommands"} <= sids

    rotated = cli.run("rotate-keys", "--arch", "ec2", "--app", APP, "--timeout", "60")
    timings.record(f"ec2 ({APP}) + key rotation", "rotate-keys", rotated.seconds, f"exit {rotated.code}")
    assert rotated.code == 0, rotated.describe()
    assert rotated.output.count("Refreshing the key file") == 2
    commands = client(moto_endpoint, "ssm").list_commands(InstanceId=instance)["Commands"]
    assert [(c["DocumentName"], c["Parameters"]["commands"], c["InstanceIds"]) for c in commands] == [
        ("AWS-RunShellScript", [SCRIPT], [instance])
    ] * 2
    after = _values(moto_endpoint)
    for scope, value in after.items():
        assert KEY.match(value) and value != before[scope], "phase 2 leaves exactly one new key"
    for value in [*before.values(), *after.values()]:
        assert value not in rotated.output

    destroyed = cli.destroy("ec2", APP)
    timings.record(f"ec2 ({APP}) + key rotation", "destroy", destroyed.seconds, f"exit {destroyed.code}")
    assert destroyed.code == 0, destroyed.describe()
    assert left_over(moto_endpoint, baseline) == []
