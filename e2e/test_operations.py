"""The operations features through the CLI against moto: alarms, the encrypted SNS topic with its e-mail
subscription, the dashboard, SSM secrets in the task definition, the start/stop schedules and --env
names; then destroy leaves none of them."""

from __future__ import annotations

import json
from typing import Any

from cli_driver import IMAGE_URI, DeploymentCli
from expectations import state_outputs
from inventory import client
from timings import Timings

APP = "flask-logreg-app"
ENV = "staging"
PARAMETER = "/fraud/e2e/api-key"
SECRET_VALUE = "s3cr3t-e2e-value"
"""Written to moto's SSM only; the test checks it never reaches the deployment folder (state, logs, main.tf)."""


def _operations(endpoint: str, prefix: str) -> dict[str, Any]:
    """What exists in moto for one name prefix: topics, alarms, dashboards, schedules."""
    sns = client(endpoint, "sns")
    cloudwatch = client(endpoint, "cloudwatch")
    dashboards = cloudwatch.list_dashboards(DashboardNamePrefix=prefix)["DashboardEntries"]
    schedules = client(endpoint, "scheduler").list_schedules(NamePrefix=prefix)["Schedules"]
    return {
        "topics": [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{prefix}-alerts")],
        "alarms": sorted(a["AlarmName"] for a in cloudwatch.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]),
        "dashboards": [d["DashboardName"] for d in dashboards],
        "schedules": sorted(s["Name"] for s in schedules),
    }


def test_alarms_sns_secrets_schedule_and_env(
    cli: DeploymentCli, moto_endpoint: str, aws: dict[str, str], timings: Timings
) -> None:
    client(moto_endpoint, "ssm").put_parameter(Name=PARAMETER, Value=SECRET_VALUE, Type="SecureString", Overwrite=True)
    prefix = f"ecs-{APP}-{ENV}"
    folder = cli.root / f"deployment_ecs_{APP}_{ENV}"
    folder.mkdir(exist_ok=True)
    deployed = cli.deploy(
        "ecs",
        APP,
        IMAGE_URI,
        "--env",
        ENV,
        "--alert-email",
        "ops@example.com",
        "--schedule",
        "mon-fri 08:00-19:00 Europe/Paris",
        "--secret",
        f"API_KEY={PARAMETER}",
        folder=folder,
    )
    timings.record(f"ecs ({APP}) + alarms/secrets/schedule", "deploy", deployed.seconds, f"exit {deployed.code}")
    assert deployed.code == 0, deployed.describe()
    outputs = state_outputs(folder)

    found = _operations(moto_endpoint, prefix)
    assert found["alarms"] == [f"{prefix}-cpu-high", f"{prefix}-memory-high", f"{prefix}-tasks-below-desired"]
    assert found["dashboards"] == [prefix]
    assert found["schedules"] == [f"{prefix}-start", f"{prefix}-stop"]
    (topic,) = found["topics"]
    assert topic == outputs["alert_topic_arn"]

    sns = client(moto_endpoint, "sns")
    attributes = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attributes["KmsMasterKeyId"].startswith("arn:aws:kms:"), "the alert topic is not encrypted with its key"
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", "ops@example.com")]

    cloudwatch = client(moto_endpoint, "cloudwatch")
    for alarm in cloudwatch.describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]:
        assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]
        assert alarm["EvaluationPeriods"] == 5
    cpu = cloudwatch.describe_alarms(AlarmNames=[f"{prefix}-cpu-high"])["MetricAlarms"][0]
    assert cpu["Threshold"] == 80 and {d["Name"] for d in cpu["Dimensions"]} == {"ClusterName", "ServiceName"}

    ecs = client(moto_endpoint, "ecs")
    service = ecs.describe_services(cluster=outputs["cluster_name"], services=[outputs["service_name"]])["services"][0]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    keys = f"arn:aws:ssm:us-east-1:123456789012:parameter/dds/{prefix}/api-keys"
    assert [(s["name"], s["valueFrom"]) for s in container["secrets"]] == [
        ("API_KEY", f"arn:aws:ssm:us-east-1:123456789012:parameter{PARAMETER}"),
        ("FRAUDKIT_SCORING_KEYS", f"{keys}/scoring"),
        ("FRAUDKIT_LABELLING_KEYS", f"{keys}/labelling"),
    ]
    role = task["executionRoleArn"].rsplit("/", 1)[1]
    iam = client(moto_endpoint, "iam")
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    reads = [s for s in document["Statement"] if s.get("Sid") == "ReadSecretParameters"]
    resources = reads[0]["Resource"]
    assert (resources if isinstance(resources, list) else [resources]) == [
        f"arn:aws:ssm:us-east-1:123456789012:parameter{PARAMETER}",
        f"{keys}/scoring",
        f"{keys}/labelling",
    ]

    scheduler = client(moto_endpoint, "scheduler")
    stop = scheduler.get_schedule(Name=f"{prefix}-stop")
    assert stop["ScheduleExpression"] == "cron(0 19 ? * MON-FRI *)"
    assert stop["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert stop["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:ecs:updateService"
    assert json.loads(stop["Target"]["Input"])["DesiredCount"] == 0

    # Only the parameter's name reaches Terraform: never its value, in any file of the folder.
    for path in folder.rglob("*"):
        if path.is_file() and ".terraform" not in path.parts:
            assert SECRET_VALUE not in path.read_text(errors="ignore"), f"the secret value leaked into {path}"

    destroyed = cli.run("destroy", "--arch", "ecs", "--app", APP, "--env", ENV, "--yes")
    timings.record(f"ecs ({APP}) + alarms/secrets/schedule", "destroy", destroyed.seconds, f"exit {destroyed.code}")
    assert destroyed.code == 0, destroyed.describe()
    assert _operations(moto_endpoint, prefix) == {"topics": [], "alarms": [], "dashboards": [], "schedules": []}
