"""Lists through the AWS API (boto3 against moto) everything a deployment can create: what exists, what is left."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3

from moto_harness import FAKE_CREDENTIALS, REGION

Resource = tuple[str, str]
"""(kind, identifier), e.g. ("ecs-cluster", "arn:aws:ecs:...")."""


def client(endpoint: str, service: str) -> Any:
    """A boto3 client for `service` bound to moto, never to a real account."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=FAKE_CREDENTIALS["AWS_SESSION_TOKEN"],
    )


def _ec2(endpoint: str) -> list[Resource]:
    ec2 = client(endpoint, "ec2")
    found: list[Resource] = []
    found += [("vpc", v["VpcId"]) for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    found += [("subnet", s["SubnetId"]) for s in ec2.describe_subnets()["Subnets"] if not s.get("DefaultForAz")]
    found += [
        ("security-group", g["GroupId"])
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    ]
    found += [
        ("internet-gateway", g["InternetGatewayId"]) for g in ec2.describe_internet_gateways()["InternetGateways"]
    ]
    found += [
        ("route-table", t["RouteTableId"])
        for t in ec2.describe_route_tables()["RouteTables"]
        if not any(association.get("Main") for association in t.get("Associations", []))
    ]
    found += [("elastic-ip", a["AllocationId"]) for a in ec2.describe_addresses()["Addresses"]]
    found += [("key-pair", k["KeyName"]) for k in ec2.describe_key_pairs()["KeyPairs"]]
    for reservation in ec2.describe_instances()["Reservations"]:
        found += [
            ("instance", i["InstanceId"])
            for i in reservation["Instances"]
            if i["State"]["Name"] not in ("terminated", "shutting-down")
        ]
    return found


def _ecs(endpoint: str) -> list[Resource]:
    ecs = client(endpoint, "ecs")
    found: list[Resource] = []
    clusters = ecs.list_clusters()["clusterArns"]
    described = ecs.describe_clusters(clusters=clusters)["clusters"] if clusters else []
    for cluster in described:
        if cluster["status"] != "ACTIVE":
            continue
        found.append(("ecs-cluster", cluster["clusterArn"]))
        found += [("ecs-service", arn) for arn in ecs.list_services(cluster=cluster["clusterArn"])["serviceArns"]]
    found += [("task-definition", arn) for arn in ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"]]
    return found


def _others(endpoint: str) -> list[Resource]:
    found: list[Resource] = []
    found += [("log-group", g["logGroupName"]) for g in client(endpoint, "logs").describe_log_groups()["logGroups"]]
    found += [
        ("ecr-repository", r["repositoryName"]) for r in client(endpoint, "ecr").describe_repositories()["repositories"]
    ]
    elbv2 = client(endpoint, "elbv2")
    found += [("load-balancer", lb["LoadBalancerArn"]) for lb in elbv2.describe_load_balancers()["LoadBalancers"]]
    found += [("target-group", tg["TargetGroupArn"]) for tg in elbv2.describe_target_groups()["TargetGroups"]]
    scaling = client(endpoint, "application-autoscaling")
    found += [
        ("scalable-target", t["ResourceId"])
        for t in scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    ]
    found += [
        ("scaling-policy", p["PolicyARN"])
        for p in scaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    ]
    iam = client(endpoint, "iam")
    found += [
        ("iam-role", r["RoleName"]) for r in iam.list_roles()["Roles"] if not r["Path"].startswith("/aws-service-role/")
    ]
    found += [("instance-profile", p["InstanceProfileName"]) for p in iam.list_instance_profiles()["InstanceProfiles"]]
    found += [("iam-policy", p["Arn"]) for p in iam.list_policies(Scope="Local")["Policies"]]
    return found


def _elasticache(endpoint: str) -> list[Resource]:
    cache = client(endpoint, "elasticache")
    found: list[Resource] = []
    found += [
        ("replication-group", g["ReplicationGroupId"]) for g in cache.describe_replication_groups()["ReplicationGroups"]
    ]
    found += [("cache-cluster", c["CacheClusterId"]) for c in cache.describe_cache_clusters()["CacheClusters"]]
    found += [
        ("cache-subnet-group", g["CacheSubnetGroupName"])
        for g in cache.describe_cache_subnet_groups()["CacheSubnetGroups"]
    ]
    # moto's own "default" user exists in every account, as on AWS.
    found += [("cache-user", u["UserId"]) for u in cache.describe_users()["Users"] if u["UserId"] != "default"]
    found += [("cache-user-group", g["UserGroupId"]) for g in cache.describe_user_groups()["UserGroups"]]
    found += [("kms-key", k["KeyId"]) for k in _enabled_keys(endpoint)]
    return found


def _enabled_keys(endpoint: str) -> list[dict[str, Any]]:
    kms = client(endpoint, "kms")
    keys = [kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"] for k in kms.list_keys()["Keys"]]
    # AWS-managed keys (alias/aws/...) are not the deployment's: moto creates alias/aws/ebs's key on the first
    # encrypted EBS volume and labels it CUSTOMER, while on AWS it is an AWS-managed key that outlives any stack.
    managed = {a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith("alias/aws/")}
    return [
        k for k in keys if k["KeyState"] == "Enabled" and k.get("KeyManager") != "AWS" and k["KeyId"] not in managed
    ]


def _apigateway(endpoint: str) -> list[Resource]:
    gateway = client(endpoint, "apigatewayv2")
    found: list[Resource] = [("http-api", a["ApiId"]) for a in gateway.get_apis()["Items"]]
    found += [("vpc-link", link["VpcLinkId"]) for link in gateway.get_vpc_links()["Items"]]
    return found


COLLECTORS: tuple[Callable[[str], list[Resource]], ...] = (_ec2, _ecs, _others, _elasticache, _apigateway)
"""One collector per API family; each returns what it found as (kind, id) pairs."""


def inventory(endpoint: str) -> set[Resource]:
    """Everything deployable that currently exists in moto (defaults moto creates itself excluded)."""
    return {resource for collect in COLLECTORS for resource in collect(endpoint)}


def left_over(endpoint: str, baseline: set[Resource]) -> list[Resource]:
    """What exists now that did not before `baseline` was taken, sorted for readable failures."""
    return sorted(inventory(endpoint) - baseline)
