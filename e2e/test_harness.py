"""The harness itself: a hand-written configuration applies and destroys against moto with the real terraform."""

from __future__ import annotations

import shutil
from pathlib import Path

from inventory import client, inventory, left_over
from provider_override import OVERRIDE_FILE, SERVICES, provider_aliases, render_override, write_override
from terraform_cli import state_addresses, terraform, terraform_env
from timings import Timings

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"


def test_override_covers_every_alias_and_service() -> None:
    text = (
        'provider "aws" {\n  region = "eu-west-1"\n}\nprovider "aws" {\n  alias = "east"\n  region = "us-east-1"\n}\n'
    )
    aliases = provider_aliases(text)
    assert aliases == [None, "east"]
    rendered = render_override("http://127.0.0.1:1234", aliases)
    assert rendered.count('provider "aws" {') == 2
    assert 'alias                       = "east"' in rendered
    for service in SERVICES:
        assert rendered.count(f"    {service} ") == 2, service
    assert "max_retries                 = 2" in rendered


def test_minimal_configuration_applies_and_destroys(
    tmp_path: Path, moto_endpoint: str, aws: dict[str, str], timings: Timings
) -> None:
    folder = tmp_path / "minimal"
    shutil.copytree(FIXTURE, folder)
    write_override(folder, moto_endpoint)
    assert (folder / OVERRIDE_FILE).exists()
    env = terraform_env(aws)
    baseline = inventory(moto_endpoint)

    terraform(folder, env, "init", "-input=false", "-no-color")
    with timings.measure("harness (hand-written)", "apply"):
        terraform(folder, env, "apply", "-auto-approve", "-input=false", "-no-color")

    # The override moved the provider from eu-west-1 (main.tf) to moto's us-east-1, where boto3 looks.
    groups = client(moto_endpoint, "logs").describe_log_groups(logGroupNamePrefix="/e2e/harness")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [("/e2e/harness", 7)]
    attached = client(moto_endpoint, "iam").list_attached_role_policies(RoleName="e2e-harness-exec")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonECSTaskExecutionRolePolicy"]
    assert len(state_addresses(folder, env)) == 4

    with timings.measure("harness (hand-written)", "destroy"):
        terraform(folder, env, "destroy", "-auto-approve", "-input=false", "-no-color")
    assert state_addresses(folder, env) == []
    assert left_over(moto_endpoint, baseline) == []


def test_moto_gaps_are_patched(moto_endpoint: str) -> None:
    # Without the patches these answer 500 and the provider retries or fails (see docs/e2e.md).
    scaling = client(moto_endpoint, "application-autoscaling")
    arn = "arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/e2e"
    assert scaling.list_tags_for_resource(ResourceARN=arn)["Tags"] == {}
    scaling.tag_resource(ResourceARN=arn, Tags={"app": "e2e"})
    scaling.untag_resource(ResourceARN=arn, TagKeys=["app"])

    ec2 = client(moto_endpoint, "ec2")
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    try:
        ec2.monitor_instances(InstanceIds=[instance])
        described = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0]
        assert described["Monitoring"]["State"] == "enabled"
    finally:
        ec2.terminate_instances(InstanceIds=[instance])


def test_elasticache_gaps_are_patched(moto_endpoint: str) -> None:
    # User groups, subnet-group deletion, member clusters and a replication group that really goes away (docs/e2e.md).
    cache = client(moto_endpoint, "elasticache")
    cache.create_user(
        UserId="e2e-app",
        UserName="e2e-app",
        Engine="valkey",
        AccessString="on ~* +@all",
        AuthenticationMode={"Type": "iam"},
    )
    cache.create_user_group(
        UserGroupId="e2e", Engine="valkey", UserIds=["e2e-app"], Tags=[{"Key": "app", "Value": "e2e"}]
    )
    (group,) = cache.describe_user_groups(UserGroupId="e2e")["UserGroups"]
    assert (group["Status"], group["UserIds"]) == ("active", ["e2e-app"])
    assert cache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"] == [{"Key": "app", "Value": "e2e"}]
    cache.create_cache_subnet_group(
        CacheSubnetGroupName="e2e", CacheSubnetGroupDescription="e2e", SubnetIds=["subnet-1"]
    )
    created = cache.create_replication_group(
        ReplicationGroupId="e2e",
        ReplicationGroupDescription="e2e",
        Engine="valkey",
        CacheNodeType="cache.t4g.small",
        NumCacheClusters=2,
        CacheSubnetGroupName="e2e",
        UserGroupIds=["e2e"],
        AtRestEncryptionEnabled=True,
    )["ReplicationGroup"]
    assert created["MemberClusters"] == ["e2e-001", "e2e-002"]
    (member,) = cache.describe_cache_clusters(CacheClusterId="e2e-001")["CacheClusters"]
    assert member["AtRestEncryptionEnabled"] is True
    assert cache.describe_user_groups(UserGroupId="e2e")["UserGroups"][0]["ReplicationGroups"] == ["e2e"]

    cache.delete_replication_group(ReplicationGroupId="e2e")
    assert cache.describe_replication_groups()["ReplicationGroups"] == []
    assert cache.describe_cache_clusters()["CacheClusters"] == []
    cache.delete_user_group(UserGroupId="e2e")
    cache.delete_cache_subnet_group(CacheSubnetGroupName="e2e")
    assert cache.describe_user_groups()["UserGroups"] == []
    assert cache.describe_cache_subnet_groups()["CacheSubnetGroups"] == []
