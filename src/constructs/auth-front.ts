import { Construct } from "constructs";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { Fn, Op } from "cdktf";
import type { ApiKeyScope } from "./api-keys";
import { skipCheck } from "./checkov";
import { isSet } from "./conditions";
import type { OutputSpec } from "./foundation";
import { AppLogs } from "./logs";
import { AppSecurityGroup } from "./security-group";
import { InputError } from "../validation/errors";

/** The authenticating fronts the ECS + ALB architecture can put before its load balancer (--auth-front). */
export const AUTH_FRONTS = ["iam"] as const;

/** One authenticating front: "iam" is an API Gateway HTTP API whose routes need a SigV4 signature (AWS_IAM). */
export type AuthFrontKind = (typeof AUTH_FRONTS)[number];

/** Raised when --auth-front is asked for an architecture without a load balancer (checked by the registry). */
export class AuthFrontArchitectureError extends InputError {
  constructor(arch: string, needs: readonly string[]) {
    super(`--auth-front needs --arch ${needs.join(" or ")}: the front forwards to the load balancer, and ${arch} has none`);
    this.name = "AuthFrontArchitectureError";
  }
}

/** A route of the serving contract behind the front and the IAM scope that may call it (none: open). */
export interface FrontRoute {
  /** HTTP method. */
  method: "GET" | "POST";
  /** Path, as the app serves it. */
  path: string;
  /** The credential scope of the app's own key model; undefined for the open health check. */
  scope?: ApiKeyScope;
}

/**
 * The serving contract's routes (apps/fraudkit/serving/app_factory.py) with the scopes of the app's own keys: the
 * same least privilege, now as IAM policies. The health check stays open so the deploy's health wait and uptime
 * monitors work; it carries no model state. Any other path is answered 404 by API Gateway itself.
 */
export function frontRoutes(healthPath: string): FrontRoute[] {
  return [
    { method: "GET", path: healthPath },
    { method: "POST", path: "/predict", scope: "scoring" },
    { method: "GET", path: "/model-info", scope: "scoring" },
    { method: "GET", path: "/openapi.json", scope: "scoring" },
    { method: "POST", path: "/feedback", scope: "labelling" },
  ];
}

/**
 * The header the front sets to the caller's verified IAM ARN ($context.identity.userArn, defined for routes with IAM
 * authorization), overwriting any value a client sent: the app's rate limit keys on it (FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER).
 */
export const CALLER_HEADER = "x-fraudkit-caller";

/** The container environment behind the front: the in-app rate limit counts per caller named in CALLER_HEADER. */
export const FRONT_CONTAINER_ENVIRONMENT: Readonly<Record<string, string>> = {
  FRAUDKIT_RATE_LIMIT_IDENTITY_HEADER: CALLER_HEADER,
};

/** Settings of the front. */
export interface AuthFrontProps {
  /** Name of the API, the VPC link and their security group. */
  namePrefix: string;
  /** VPC of the load balancer. */
  vpcId: string;
  /** Subnets the VPC link's network interfaces go to (those of the load balancer). */
  subnetIds: string[];
  /** The load balancer's security group: the front's group may reach it on `listenerPort`, nothing else. */
  loadBalancerSecurityGroupId: string;
  /** ARN of the load balancer listener the front forwards to. */
  listenerArn: string;
  /** Port of that listener. */
  listenerPort: number;
  /** The app's health-check path (open route). */
  healthPath: string;
  /** Access log group name. */
  accessLogName: string;
  /** Days to keep access logs (Terraform variable log_retention_days). */
  logRetentionDays: number;
  /** Terraform variable certificate_arn: must stay empty, TLS ends at API Gateway (checked at plan time). */
  certificateArn: string;
}

/** The access log line: who called (the IAM principal), what, and how it went. */
const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  caller: "$context.identity.userArn",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  integrationStatus: "$context.integrationStatus",
  integrationLatency: "$context.integrationLatency",
  error: "$context.error.message",
};

/**
 * An API Gateway HTTP API in front of an internal load balancer: every route but the health check needs a request
 * signed with AWS credentials (SigV4, authorization type AWS_IAM) whose principal may execute-api:Invoke it, so no
 * shared secret exists at all. The API reaches the load balancer through a VPC link (a private integration with its
 * listener); the load balancer admits only the VPC link's security group.
 */
export class AuthFront extends Construct {
  /** The API's URL (https://<id>.execute-api.<region>.amazonaws.com). */
  readonly url: string;
  /** The VPC link's security group, which the load balancer admits. */
  readonly securityGroupId: string;
  /** Outputs: the URL and the IAM policies a client role needs, one per scope. */
  readonly outputs: Record<string, OutputSpec>;

  constructor(scope: Construct, id: string, props: AuthFrontProps) {
    super(scope, id);
    const group = new AppSecurityGroup(this, "security_group", {
      name: `${props.namePrefix}-api-link`,
      description: "API Gateway VPC link: to the load balancer's listener only",
      vpcId: props.vpcId,
      ingress: [],
      egress: [
        {
          id: "to_alb",
          description: "Listener port of the load balancer",
          port: props.listenerPort,
          peerSecurityGroupId: props.loadBalancerSecurityGroupId,
        },
      ],
    });
    this.securityGroupId = group.id;

    const api = new Apigatewayv2Api(this, "api", {
      name: props.namePrefix,
      description: "Fraud-scoring API: SigV4-signed requests only (IAM authorization)",
      protocolType: "HTTP",
    });
    const link = new Apigatewayv2VpcLink(this, "vpc_link", {
      name: props.namePrefix,
      subnetIds: props.subnetIds,
      securityGroupIds: [group.id],
      tags: { Name: props.namePrefix },
    });
    const privateIntegration = {
      apiId: api.id,
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      integrationUri: props.listenerArn,
      connectionType: "VPC_LINK",
      connectionId: link.id,
      payloadFormatVersion: "1.0",
      timeoutMilliseconds: 29_000,
    };
    const integration = new Apigatewayv2Integration(this, "integration", {
      ...privateIntegration,
      description: "Private integration with the load balancer's listener (signed routes)",
      // Every request reaches the load balancer from the VPC link's addresses: the caller's identity travels in a
      // header the front writes itself (overwrite: a client-sent value of that name never reaches the app).
      requestParameters: { [`overwrite:header.${CALLER_HEADER}`]: "$context.identity.userArn" },
      lifecycle: {
        precondition: [
          {
            condition: Op.not(isSet(props.certificateArn)),
            errorMessage:
              "certificate_arn must stay empty with the API Gateway front: TLS ends at API Gateway (execute-api's certificate), the load balancer is internal.",
          },
        ],
      },
    });
    // The open health route has no IAM identity to map: its own integration carries no mapping, so the health
    // check never depends on how API Gateway maps an identity that is not there.
    const healthIntegration = new Apigatewayv2Integration(this, "health_integration", {
      ...privateIntegration,
      description: "Private integration with the load balancer's listener (the open health route)",
    });
    for (const route of frontRoutes(props.healthPath)) {
      const name = route.path.replace(/^\//, "").replace(/[^A-Za-z0-9]+/g, "_");
      const resource = new Apigatewayv2Route(this, `route_${name}`, {
        apiId: api.id,
        routeKey: `${route.method} ${route.path}`,
        authorizationType: route.scope ? "AWS_IAM" : "NONE",
        target: `integrations/${(route.scope ? integration : healthIntegration).id}`,
      });
      if (!route.scope) {
        skipCheck(resource, "CKV_AWS_309", "the health check is open on purpose: no model state, and load balancers and monitors call it");
      }
    }

    const logs = new AppLogs(this, "access_logs", { name: props.accessLogName, retentionDays: props.logRetentionDays });
    new Apigatewayv2Stage(this, "stage", {
      apiId: api.id,
      name: "$default",
      autoDeploy: true,
      accessLogSettings: { destinationArn: logs.arn, format: Fn.jsonencode(ACCESS_LOG_FORMAT) },
      tags: { Name: props.namePrefix },
    });

    this.url = api.apiEndpoint;
    const policy = (scope: ApiKeyScope): OutputSpec => ({
      value: Fn.jsonencode({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: `Invoke${scope === "scoring" ? "Scoring" : "Labelling"}Routes`,
            Effect: "Allow",
            Action: "execute-api:Invoke",
            Resource: frontRoutes(props.healthPath)
              .filter((route) => route.scope === scope)
              .map((route) => `${api.executionArn}/*/${route.method}${route.path}`),
          },
        ],
      }),
      description: `IAM policy a client role needs to call the ${scope} routes through the API Gateway front`,
    });
    this.outputs = {
      api_url: { value: api.apiEndpoint, description: "URL of the API Gateway front (SigV4-signed requests, service execute-api)" },
      api_access_log_group: { value: logs.name, description: "CloudWatch log group of the front's access logs" },
      iam_policy_scoring: policy("scoring"),
      iam_policy_labelling: policy("labelling"),
    };
  }
}
