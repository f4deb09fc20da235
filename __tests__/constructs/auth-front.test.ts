// Types of the CDKTF matchers registered in __tests__/setup.ts.
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { AuthFrontArchitectureError, CALLER_HEADER, frontRoutes } from "../../src/constructs/auth-front";
import { renderDeploymentFiles } from "../../src/deployment-folder";
import type { OperationsOptions } from "../../src/operations/types";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import type { Architecture } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";

const app = appsUnderTest()[0];
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";

type Resource = Record<string, unknown>;
type Rule = { name: string; security_group_id?: string; cidr_ipv4?: string; from_port?: number; referenced_security_group_id?: string };
type Doc = {
  resource: Record<string, Record<string, Resource>>;
  output: Record<string, { value: unknown }>;
};

function synth(arch: Architecture, operations?: OperationsOptions): { json: string; doc: Doc } {
  const json = Testing.synth(new DeploymentStack(Testing.app(), `${arch}_x`, { app, arch, imageUri: IMAGE, operations }));
  return { json, doc: JSON.parse(json) as Doc };
}

const rules = (doc: Doc, kind: "ingress" | "egress"): Rule[] =>
  Object.entries(doc.resource[`aws_vpc_security_group_${kind}_rule`] ?? {}).map(([name, rule]) => ({ name, ...rule }) as Rule);

describe("--auth-front iam on ECS + ALB", () => {
  const front = synth("ecs_alb", { authFront: "iam" });
  const plain = synth("ecs_alb");

  it("adds an HTTP API whose contract routes need SigV4 (AWS_IAM), the health check alone open", () => {
    expect(front.json).toHaveResourceWithProperties(Apigatewayv2Api, { protocol_type: "HTTP" });
    const routes = Object.values(front.doc.resource.aws_apigatewayv2_route).map((r) => [r.route_key, r.authorization_type]);
    expect(Object.fromEntries(routes)).toEqual({
      [`GET ${app.healthPath}`]: "NONE",
      "POST /predict": "AWS_IAM",
      "GET /model-info": "AWS_IAM",
      "GET /openapi.json": "AWS_IAM",
      "POST /feedback": "AWS_IAM",
    });
    for (const route of Object.values(front.doc.resource.aws_apigatewayv2_route)) {
      const integration = route.authorization_type === "NONE" ? "api_health_integration" : "api_integration";
      expect([route.route_key, route.target]).toEqual([route.route_key, `integrations/\${aws_apigatewayv2_integration.${integration}.id}`]);
    }
  });

  it("reaches the HTTP listener through a VPC link (private integration), refusing a certificate at plan time", () => {
    expect(front.json).toHaveResourceWithProperties(Apigatewayv2VpcLink, {
      subnet_ids: ["${aws_subnet.network_public_0.id}", "${aws_subnet.network_public_1.id}"],
      security_group_ids: ["${aws_security_group.api_security_group.id}"],
    });
    expect(front.json).toHaveResourceWithProperties(Apigatewayv2Integration, {
      integration_type: "HTTP_PROXY",
      integration_method: "ANY",
      connection_type: "VPC_LINK",
      connection_id: "${aws_apigatewayv2_vpc_link.api_vpc_link.id}",
      integration_uri: "${one(aws_lb_listener.http[*].arn)}",
    });
    const integration = front.doc.resource.aws_apigatewayv2_integration.api_integration as {
      lifecycle: { precondition: Array<{ condition: string; error_message: string }> };
    };
    expect(integration.lifecycle.precondition[0].condition).toBe("${!(length(var.certificate_arn) >= 1)}");
    expect(integration.lifecycle.precondition[0].error_message).toMatch(/^certificate_arn must stay empty/);
  });

  it("makes the load balancer internal and admits only the VPC link's group, on port 80", () => {
    expect(front.json).toHaveResourceWithProperties(Lb, { internal: true });
    expect(plain.json).toHaveResourceWithProperties(Lb, { internal: false });
    const albIn = rules(front.doc, "ingress").filter((r) => r.security_group_id === "${aws_security_group.alb_security_group.id}");
    expect(albIn).toEqual([
      expect.objectContaining({ from_port: 80, to_port: 80, referenced_security_group_id: "${aws_security_group.api_security_group.id}" }),
    ]);
    expect(albIn[0].cidr_ipv4).toBeUndefined();
    const linkOut = rules(front.doc, "egress").filter((r) => r.security_group_id === "${aws_security_group.api_security_group.id}");
    expect(linkOut).toEqual([
      expect.objectContaining({ from_port: 80, referenced_security_group_id: "${aws_security_group.alb_security_group.id}" }),
    ]);
    // Without the front the load balancer is open to allowed_cidr as before.
    const openIn = rules(plain.doc, "ingress").filter((r) => r.security_group_id === "${aws_security_group.alb_security_group.id}");
    expect(openIn.map((r) => r.cidr_ipv4)).toEqual(["${var.allowed_cidr}", "${var.allowed_cidr}"]);
  });

  it("logs every call to CloudWatch, with the caller's IAM identity, kept log_retention_days", () => {
    expect(front.json).toHaveResourceWithProperties(Apigatewayv2Stage, {
      name: "$default",
      auto_deploy: true,
      access_log_settings: {
        destination_arn: "${aws_cloudwatch_log_group.api_access_logs_group.arn}",
        format: expect.stringContaining("$context.identity.userArn"),
      },
    });
    const group = front.doc.resource.aws_cloudwatch_log_group.api_access_logs_group;
    expect(group.retention_in_days).toBe("${var.log_retention_days}");
    expect(String(group.name)).toMatch(/\/api-access$/);
  });

  it("outputs the API URL as app_url and one execute-api:Invoke policy per scope", () => {
    expect(front.doc.output.app_url.value).toBe("${aws_apigatewayv2_api.api.api_endpoint}");
    expect(front.doc.output.api_url.value).toBe("${aws_apigatewayv2_api.api.api_endpoint}");
    const scoring = String(front.doc.output.iam_policy_scoring.value);
    const labelling = String(front.doc.output.iam_policy_labelling.value);
    expect(scoring).toContain('"Action" = "execute-api:Invoke"');
    expect(scoring).toContain("${aws_apigatewayv2_api.api.execution_arn}/*/POST/predict");
    expect(scoring).toContain("/*/GET/model-info");
    expect(scoring).not.toContain("/feedback");
    expect(labelling).toContain("${aws_apigatewayv2_api.api.execution_arn}/*/POST/feedback");
    expect(labelling).not.toContain("/predict");
  });

  it("every scope of the app's key model has its policy routes", () => {
    const scopes = new Set(frontRoutes("/health").map((route) => route.scope));
    expect(scopes).toEqual(new Set([undefined, "scoring", "labelling"]));
  });

  it("names the verified caller to the app in a header it overwrites, and the app's rate limit keys on it", () => {
    expect(CALLER_HEADER).toBe("x-fraudkit-caller");
    const integration = front.doc.resource.aws_apigatewayv2_integration.api_integration;
    // overwrite: whatever a client sent under that name is replaced, so no client picks its own bucket.
    expect(integration.request_parameters).toEqual({ "overwrite:header.x-fraudkit-caller": "$context.identity.userArn" });
    // The open health route has no identity: its integration maps nothing.
    expect(front.doc.resource.aws_apigatewayv2_integration.api_health_integration.request_parameters).toBeUndefined();
    const containers = (doc: Doc) => String(doc.resource.aws_ecs_task_definition.fargate_task.container_definitions);
    expect(containers(front.doc)).toContain('{"name" = "FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER", "value" = "x-fraudkit-caller"}');
    // Without the front the header would be anyone's to send: the app is not told to trust it.
    expect(containers(plain.doc)).not.toContain("FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER");
  });

  it("exists only when asked", () => {
    for (const type of [
      "aws_apigatewayv2_api",
      "aws_apigatewayv2_vpc_link",
      "aws_apigatewayv2_integration",
      "aws_apigatewayv2_route",
      "aws_apigatewayv2_stage",
    ]) {
      expect(plain.doc.resource[type]).toBeUndefined();
    }
    expect(plain.doc.output.iam_policy_scoring).toBeUndefined();
    expect(String(plain.doc.output.app_url.value)).toContain("aws_lb.alb.dns_name");
  });

  it("renders as Terraform: the open health route's checkov skip, the header mapping as a map", () => {
    const hcl = renderDeploymentFiles({ repoRoot: REPO_ROOT, app, arch: "ecs_alb", imageUri: IMAGE, operations: { authFront: "iam" } })[
      "main.tf"
    ];
    expect(hcl).toMatch(/resource "aws_apigatewayv2_route" "api_route_health" \{\n\s+#checkov:skip=CKV_AWS_309:the health check is open/);
    // The mapping is a map attribute (request_parameters = {...}), not a block: Terraform rejects quoted block argument names.
    expect(hcl).toMatch(/\n\s+request_parameters = \{\n\s+"overwrite:header\.x-fraudkit-caller" = "\$context\.identity\.userArn"\n\s+\}/);
  });

  it.each(["ec2", "ecs"] as const)("only on ECS + ALB: %s is refused with one line", (arch) => {
    expect(() => synth(arch, { authFront: "iam" })).toThrow(AuthFrontArchitectureError);
  });
});
