"""What a deployment must have created, checked through the AWS API (boto3 against moto), one function per part."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inventory import client

DEFAULT_LOG_RETENTION_DAYS = 14
"""The stacks' default log_retention_days (src/stacks/variables.ts)."""


def state_outputs(folder: Path) -> dict[str, Any]:
    """The outputs recorded in a deployment folder's terraform.tfstate."""
    state = json.loads((folder / "terraform.tfstate").read_text())
    return {name: output["value"] for name, output in state.get("outputs", {}).items()}


def _tag_filters(app: str, architecture: str) -> list[dict[str, Any]]:
    return [{"Name": "tag:app", "Values": [app]}, {"Name": "tag:architecture", "Values": [architecture]}]


def expect_network(endpoint: str, app: str, architecture: str) -> str:
    """One tagged VPC with public subnets in at least two AZs; returns the VPC id."""
    ec2 = client(endpoint, "ec2")
    vpcs = ec2.describe_vpcs(Filters=_tag_filters(app, architecture))["Vpcs"]
    assert len(vpcs) == 1, f"expected one VPC tagged for {architecture}/{app}, found {len(vpcs)}"
    vpc_id = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    zones = {subnet["AvailabilityZone"] for subnet in subnets}
    assert len(zones) >= 2, f"subnets of {vpc_id} span {sorted(zones)}, need two AZs"
    gateways = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
        "InternetGateways"
    ]
    assert gateways, f"{vpc_id} has no internet gateway, so its public subnets are not public"
    return vpc_id


def expect_ec2(endpoint: str, outputs: dict[str, Any]) -> None:
    """The instance requires IMDSv2, boots from an encrypted root volume and holds the Elastic IP of the outputs."""
    ec2 = client(endpoint, "ec2")
    instance_id = outputs["instance_id"]
    instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
    assert instance["State"]["Name"] == "running"
    assert instance["MetadataOptions"]["HttpTokens"] == "required", "IMDSv2 is not required"
    root = next(m for m in instance["BlockDeviceMappings"] if m["DeviceName"] == instance["RootDeviceName"])
    volume = ec2.describe_volumes(VolumeIds=[root["Ebs"]["VolumeId"]])["Volumes"][0]
    assert volume["Encrypted"] is True, "root volume is not encrypted"
    assert volume["Size"] >= 8
    addresses = ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [instance_id]}])["Addresses"]
    assert [a["PublicIp"] for a in addresses] == [outputs["public_ip"]], "Elastic IP not associated with the instance"
    assert outputs["app_url"] == f"http://{outputs['public_ip']}:{outputs['app_port']}"


def expect_logs_and_repository(endpoint: str, outputs: dict[str, Any]) -> None:
    """The log group keeps logs for the default retention; the ECR repository scans on push."""
    groups = client(endpoint, "logs").describe_log_groups(logGroupNamePrefix=outputs["log_group_name"])["logGroups"]
    assert [(g["logGroupName"], g.get("retentionInDays")) for g in groups] == [
        (outputs["log_group_name"], DEFAULT_LOG_RETENTION_DAYS)
    ]
    repository_name = outputs["ecr_repository_url"].split("/", 1)[1]
    repositories = client(endpoint, "ecr").describe_repositories(repositoryNames=[repository_name])["repositories"]
    assert repositories[0]["imageScanningConfiguration"]["scanOnPush"] is True


def expect_ecs(endpoint: str, outputs: dict[str, Any], image_uri: str, public_ip: bool | None) -> dict[str, Any]:
    """Cluster, Fargate service and task definition (image, logs, health check) are as deployed; returns the service."""
    ecs = client(endpoint, "ecs")
    clusters = ecs.describe_clusters(clusters=[outputs["cluster_name"]])["clusters"]
    assert [c["status"] for c in clusters] == ["ACTIVE"]
    services = ecs.describe_services(cluster=outputs["cluster_name"], services=[outputs["service_name"]])["services"]
    assert len(services) == 1 and services[0]["status"] == "ACTIVE"
    service = services[0]
    assert service["launchType"] == "FARGATE"
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    if public_ip is not None:
        assert network["assignPublicIp"] == ("ENABLED" if public_ip else "DISABLED")
    assert len(network["subnets"]) >= 2 and network["securityGroups"]

    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["networkMode"] == "awsvpc" and "FARGATE" in task["requiresCompatibilities"]
    assert task["executionRoleArn"] and task["taskRoleArn"]
    (container,) = task["containerDefinitions"]
    assert container["image"] == image_uri
    assert [m["containerPort"] for m in container["portMappings"]] == [outputs["app_port"]]
    assert outputs["health_path"] in " ".join(container["healthCheck"]["command"])
    log_options = container["logConfiguration"]["options"]
    assert container["logConfiguration"]["logDriver"] == "awslogs"
    assert log_options["awslogs-group"] == outputs["log_group_name"]
    return service


def expect_alb(endpoint: str, outputs: dict[str, Any], service: dict[str, Any]) -> None:
    """Internet-facing ALB in two AZs, listener 80 forwarding to an ip target group whose health check is the app's."""
    elbv2 = client(endpoint, "elbv2")
    balancers = [
        lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["DNSName"] == outputs["alb_dns_name"]
    ]
    assert len(balancers) == 1
    alb = balancers[0]
    # The provider sends no Scheme for internal = false (AWS's default is internet-facing); moto then omits it.
    assert alb["Type"] == "application" and alb.get("Scheme", "internet-facing") == "internet-facing"
    assert len({zone["ZoneName"] for zone in alb["AvailabilityZones"]}) >= 2
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]
    }
    assert attributes.get("deletion_protection.enabled") == "false"

    listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert [(lst["Port"], lst["Protocol"]) for lst in listeners] == [(80, "HTTP")]
    (action,) = listeners[0]["DefaultActions"]
    assert action["Type"] == "forward"

    group = elbv2.describe_target_groups(TargetGroupArns=[action["TargetGroupArn"]])["TargetGroups"][0]
    assert group["TargetType"] == "ip" and group["Port"] == outputs["app_port"]
    assert group["HealthCheckPath"] == outputs["health_path"]
    assert group["HealthCheckIntervalSeconds"] == 30
    assert group["Matcher"]["HttpCode"] == "200"
    assert [lb["targetGroupArn"] for lb in service["loadBalancers"]] == [group["TargetGroupArn"]]
    # Whatever addresses the tasks have, only the load balancer's security group may reach them.
    task_groups = service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]
    for task_group in client(endpoint, "ec2").describe_security_groups(GroupIds=task_groups)["SecurityGroups"]:
        for permission in task_group["IpPermissions"]:
            assert not permission.get("IpRanges") and not permission.get("Ipv6Ranges"), permission
            assert {pair["GroupId"] for pair in permission["UserIdGroupPairs"]} <= set(alb["SecurityGroups"])
    assert outputs["app_url"].startswith(f"http://{alb['DNSName']}")


def expect_autoscaling(endpoint: str, outputs: dict[str, Any]) -> None:
    """A scalable target of 2..10 tasks on the service with a CPU target-tracking policy."""
    scaling = client(endpoint, "application-autoscaling")
    resource_id = f"service/{outputs['cluster_name']}/{outputs['service_name']}"
    targets = scaling.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource_id])["ScalableTargets"]
    assert [(t["MinCapacity"], t["MaxCapacity"], t["ScalableDimension"]) for t in targets] == [
        (2, 10, "ecs:service:DesiredCount")
    ]
    policies = scaling.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=resource_id)["ScalingPolicies"]
    assert [p["PolicyType"] for p in policies] == ["TargetTrackingScaling"]
    tracking = policies[0]["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["PredefinedMetricSpecification"]["PredefinedMetricType"] == "ECSServiceAverageCPUUtilization"
    assert tracking["ScaleOutCooldown"] > 0 and tracking["ScaleInCooldown"] > 0


def planned_ecs_service(plan: dict[str, Any]) -> dict[str, Any]:
    """The aws_ecs_service's planned values in a `terraform show -json` plan (settings moto does not keep)."""
    resources = plan["planned_values"]["root_module"].get("resources", [])
    services = [r["values"] for r in resources if r["type"] == "aws_ecs_service" and r["mode"] == "managed"]
    assert len(services) == 1, f"expected one aws_ecs_service in the plan, found {len(services)}"
    return services[0]


def drifted_attributes(plan: dict[str, Any]) -> list[str]:
    """'<address>.<attribute>' for every planned update: on a fresh deployment, what moto did not keep."""
    drift = []
    for change in plan.get("resource_changes", []):
        if change["change"]["actions"] != ["update"]:
            continue
        before, after = change["change"]["before"] or {}, change["change"]["after"] or {}
        drift += [f"{change['address']}.{key}" for key in sorted(after) if before.get(key) != after.get(key)]
    return drift


def expect_state_store(endpoint: str, outputs: dict[str, Any]) -> None:
    """
    The ECS + ALB state store: a Valkey replication group of two nodes with automatic failover and multi-AZ, encrypted
    at rest with a KMS key and in transit, in a subnet group of two zones, reachable only from the tasks' group on 6379,
    with an IAM-authenticated user in its user group; the tasks' role may connect to exactly it.
    """
    cache = client(endpoint, "elasticache")
    (group,) = cache.describe_replication_groups(ReplicationGroupId=outputs["cache_id"])["ReplicationGroups"]
    assert group["AutomaticFailover"] == "enabled" and group["MultiAZ"] == "enabled"
    assert group["TransitEncryptionEnabled"] is True and group["AtRestEncryptionEnabled"] is True
    assert group["KmsKeyId"].startswith("arn:aws:kms:"), "the cache is not encrypted with the deployment's key"
    assert len(group["MemberClusters"]) == 2
    assert outputs["state_store"] == f"rediss://{outputs['cache_endpoint']}:6379/0"
    (user_group_id,) = group["UserGroupIds"]
    (user_group,) = cache.describe_user_groups(UserGroupId=user_group_id)["UserGroups"]
    users = {u["UserId"]: u for u in cache.describe_users()["Users"] if u["UserId"] in user_group["UserIds"]}
    assert users[outputs["cache_user"]]["Authentication"]["Type"] == "iam"
    assert [u["UserName"] for u in users.values() if u["UserId"] != outputs["cache_user"]] == ["default"]

    members = cache.describe_cache_clusters(CacheClusterId=group["MemberClusters"][0])["CacheClusters"]
    (cache_group_id,) = [g["SecurityGroupId"] for g in members[0]["SecurityGroups"]]
    subnets = cache.describe_cache_subnet_groups(CacheSubnetGroupName=members[0]["CacheSubnetGroupName"])
    ec2 = client(endpoint, "ec2")
    subnet_ids = [s["SubnetIdentifier"] for s in subnets["CacheSubnetGroups"][0]["Subnets"]]
    described = ec2.describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    assert len({s["AvailabilityZone"] for s in described}) == 2, "the cache's subnets are not in two zones"
    assert not any(s["MapPublicIpOnLaunch"] for s in described)

    (cache_sg,) = ec2.describe_security_groups(GroupIds=[cache_group_id])["SecurityGroups"]
    (tasks_sg,) = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": [f"{outputs['service_name']}-tasks"]}]
    )["SecurityGroups"]
    ingress = [
        (p["FromPort"], p["ToPort"], [pair["GroupId"] for pair in p.get("UserIdGroupPairs", [])], p.get("IpRanges", []))
        for p in cache_sg["IpPermissions"]
    ]
    assert ingress == [(6379, 6379, [tasks_sg["GroupId"]], [])], f"the cache admits more than the tasks: {ingress}"
    assert cache_sg["IpPermissionsEgress"] == [], "the cache's group lets traffic out"
