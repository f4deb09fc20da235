"""ECS + ALB behind the IAM front (--auth-front iam) through the CLI against moto: an HTTP API whose contract routes
need SigV4 (AWS_IAM) and whose health route alone is open, a private integration with the load balancer's HTTP
listener through a VPC link in the deployment's subnets, an internal load balancer that admits only the VPC link's
security group, access logs to CloudWatch, no API key parameters, and the two scope policies in the outputs.
Destroy leaves nothing. moto does not authorize requests or forward them through the VPC link, so what a signed
call gets is not tested here (the route settings are what AWS enforces)."""

from __future__ import annotations

import json

from cli_driver import IMAGE_URI, DeploymentCli
from expectations import state_outputs
from inventory import client, inventory, left_over
from timings import Timings

APP = "flask-lgbm-app"
"""An app no other e2e test deploys on ecs_alb, so the folders never clash."""


def test_iam_front_before_an_internal_load_balancer(cli: DeploymentCli, moto_endpoint: str, timings: Timings) -> None:
    baseline = inventory(moto_endpoint)
    # The in-memory state store keeps the ElastiCache out of this test (test_deploy covers it).
    deployed = cli.deploy("ecs_alb", APP, IMAGE_URI, "--auth-front", "iam", "--state-store", "memory")
    timings.record(f"ecs_alb ({APP}) + IAM front", "deploy", deployed.seconds, f"exit {deployed.code}")
    assert deployed.code == 0, deployed.describe()
    outputs = state_outputs(cli.folder("ecs_alb", APP))
    assert "api_key_parameter_scoring" not in outputs, "the front replaces the API keys"
    assert "--aws-sigv4" in deployed.output

    gateway = client(moto_endpoint, "apigatewayv2")
    (api,) = gateway.get_apis()["Items"]
    assert api["ProtocolType"] == "HTTP"
    assert outputs["app_url"] == outputs["api_url"] == api["ApiEndpoint"]

    routes = {r["RouteKey"]: r for r in gateway.get_routes(ApiId=api["ApiId"])["Items"]}
    assert {key: r["AuthorizationType"] for key, r in routes.items()} == {
        f"GET {outputs['health_path']}": "NONE",
        "POST /predict": "AWS_IAM",
        "GET /model-info": "AWS_IAM",
        "GET /openapi.json": "AWS_IAM",
        "POST /feedback": "AWS_IAM",
    }
    # The signed routes share one integration that writes the caller's ARN into a header; the open health route
    # has its own, which maps nothing.
    integrations = {i["IntegrationId"]: i for i in gateway.get_integrations(ApiId=api["ApiId"])["Items"]}
    assert len(integrations) == 2
    targets = {
        auth: {r["Target"].removeprefix("integrations/") for r in routes.values() if r["AuthorizationType"] == auth}
        for auth in ("AWS_IAM", "NONE")
    }
    ((signed_id,), (health_id,)) = (tuple(targets["AWS_IAM"]), tuple(targets["NONE"]))
    integration, health = integrations[signed_id], integrations[health_id]
    assert integration["RequestParameters"] == {"overwrite:header.x-fraudkit-caller": "$context.identity.userArn"}
    assert not health.get("RequestParameters")
    for each in (integration, health):
        assert (each["IntegrationType"], each["ConnectionType"]) == ("HTTP_PROXY", "VPC_LINK")
        assert each["IntegrationUri"] == integration["IntegrationUri"]

    (link,) = gateway.get_vpc_links()["Items"]
    assert integration["ConnectionId"] == health["ConnectionId"] == link["VpcLinkId"]
    elbv2 = client(moto_endpoint, "elbv2")
    (alb,) = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["DNSName"] == outputs["alb_dns_name"]]
    assert alb["Scheme"] == "internal"
    (listener,) = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert (listener["Port"], integration["IntegrationUri"]) == (80, listener["ListenerArn"])
    assert sorted(link["SubnetIds"]) == sorted(zone["SubnetId"] for zone in alb["AvailabilityZones"])

    # The load balancer admits the VPC link's group on port 80 and no address range at all.
    ec2 = client(moto_endpoint, "ec2")
    (alb_group,) = ec2.describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"]
    assert [
        (p["FromPort"], [pair["GroupId"] for pair in p["UserIdGroupPairs"]], p.get("IpRanges", []))
        for p in alb_group["IpPermissions"]
    ] == [(80, link["SecurityGroupIds"], [])]

    stage = gateway.get_stage(ApiId=api["ApiId"], StageName="$default")
    (group,) = client(moto_endpoint, "logs").describe_log_groups(logGroupNamePrefix=outputs["api_access_log_group"])[
        "logGroups"
    ]
    assert stage["AccessLogSettings"]["DestinationArn"].rstrip(":*") == group["arn"].rstrip(":*")
    assert "$context.identity.userArn" in stage["AccessLogSettings"]["Format"]

    execution_arn = f"arn:aws:execute-api:us-east-1:123456789012:{api['ApiId']}"
    for scope, expected in {
        "scoring": ["POST/predict", "GET/model-info", "GET/openapi.json"],
        "labelling": ["POST/feedback"],
    }.items():
        (statement,) = json.loads(outputs[f"iam_policy_{scope}"])["Statement"]
        assert statement["Action"] == "execute-api:Invoke"
        assert statement["Resource"] == [f"{execution_arn}/*/{route}" for route in expected]

    destroyed = cli.destroy("ecs_alb", APP)
    timings.record(f"ecs_alb ({APP}) + IAM front", "destroy", destroyed.seconds, f"exit {destroyed.code}")
    assert destroyed.code == 0, destroyed.describe()
    assert left_over(moto_endpoint, baseline) == []
