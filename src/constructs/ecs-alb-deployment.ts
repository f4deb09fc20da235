import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Fn, ref, Token } from "cdktf";
import { AuthFront, type AuthFrontKind, FRONT_CONTAINER_ENVIRONMENT } from "./auth-front";
import { isSet, whenSet } from "./conditions";
import { skipCheck } from "./checkov";
import { type EcsTaskSettings, fargateApp } from "./ecs-deployment";
import { ArchitectureConstruct, type FoundationProps } from "./foundation";
import type { EcsWorkload } from "./workload";
import { HEALTH_CHECK } from "./health-check";
import { awsName } from "./naming";
import { AppSecurityGroup, HTTPS_EGRESS } from "./security-group";
import { RateLimitWaf } from "./waf";

/** Auto-scaling bounds and target (terraform-aws-modules defaults: CPU 75 %, out after 60 s, in after 300 s). */
export interface ScalingSettings {
  /** Fewest tasks (Terraform variable min_count). */
  minCount: number;
  /** Most tasks (Terraform variable max_count). */
  maxCount: number;
  /** Average CPU % the policy keeps (Terraform variable cpu_target). */
  cpuTarget: number;
  /** Seconds after a scale-out before the next (Terraform variable scale_out_cooldown). */
  scaleOutCooldown: number;
  /** Seconds after a scale-in before the next (Terraform variable scale_in_cooldown). */
  scaleInCooldown: number;
}

/** Settings of the ECS Fargate + ALB architecture. */
export interface EcsAlbDeploymentProps extends FoundationProps, EcsTaskSettings, ScalingSettings {
  /** ACM certificate ARN; when set, 443 serves HTTPS and 80 redirects to it (Terraform variable certificate_arn). */
  certificateArn: string;
  /** An AWS WAF web ACL with a per-IP rate limit on the load balancer (--waf); none when absent. */
  waf?: { rateLimit: number };
  /** An authenticating front before the (then internal) load balancer (--auth-front); none when absent. */
  authFront?: AuthFrontKind;
}

/** TLS policy of the HTTPS listener: TLS 1.2 and 1.3 only. */
export const TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** ECS Fargate tasks behind an internet-facing ALB in two availability zones, auto-scaled on CPU. */
export class EcsAlbDeployment extends ArchitectureConstruct<EcsWorkload> {
  constructor(scope: Construct, id: string, props: EcsAlbDeploymentProps) {
    super(scope, id, props);
    const { base } = this;
    const { app } = props;
    const https = isSet(props.certificateArn);
    const whenHttps = whenSet(props.certificateArn);
    const whenHttpOnly = Token.asNumber(Fn.conditional(https, 0, 1));

    const tasksGroup = new AppSecurityGroup(this, "tasks_security_group", {
      name: `${props.namePrefix}-tasks`,
      description: `${app.name} tasks: app port from the load balancer only`,
      vpcId: base.network.vpcId,
      ingress: [],
      egress: [HTTPS_EGRESS],
    });
    const albGroup = new AppSecurityGroup(this, "alb_security_group", {
      name: `${props.namePrefix}-alb`,
      description: props.authFront
        ? `${app.name} load balancer: HTTP from the API Gateway VPC link only, app port to the tasks`
        : `${app.name} load balancer: HTTP/HTTPS from allowed_cidr, app port to the tasks`,
      vpcId: base.network.vpcId,
      // Behind the front, the one way in is the VPC link's group (added below, once it exists).
      ingress: props.authFront
        ? []
        : [
            {
              id: "http",
              description: "HTTP from allowed_cidr",
              port: 80,
              cidr: props.allowedCidr,
              skips: [{ id: "CKV_AWS_260", reason: "the load balancer is the app's public entry point; allowed_cidr narrows it" }],
            },
            {
              id: "https",
              description: "HTTPS from allowed_cidr when a certificate is set",
              port: 443,
              cidr: props.allowedCidr,
              count: whenHttps,
            },
          ],
      egress: [{ id: "to_tasks", description: "App port to the tasks", port: app.port, peerSecurityGroupId: tasksGroup.id }],
    });
    // Added after both groups exist so each can name the other.
    tasksGroup.allowIngress({
      id: "from_alb",
      description: "App port from the load balancer",
      port: app.port,
      peerSecurityGroupId: albGroup.id,
    });

    const alb = new Lb(this, "alb", {
      name: awsName([props.namePrefix], 32),
      internal: Boolean(props.authFront),
      loadBalancerType: "application",
      securityGroups: [albGroup.id],
      subnets: base.network.publicSubnetIds,
      enableDeletionProtection: false, // destroy must work
      dropInvalidHeaderFields: true,
      tags: { Name: props.namePrefix },
    });
    skipCheck(alb, "CKV_AWS_150", "deletion protection would make terraform destroy fail");
    skipCheck(alb, "CKV_AWS_91", "access logs need an S3 bucket per deployment; app logs are in CloudWatch");
    if (props.waf) {
      new RateLimitWaf(this, "waf", { name: props.namePrefix, loadBalancerArn: alb.arn, rateLimit: props.waf.rateLimit });
      skipCheck(alb, "CKV2_AWS_76", "the Log4j managed rule group protects Java back ends; the apps are Python (Flask)");
    } else skipCheck(alb, "CKV2_AWS_28", "a WAF web ACL costs money per deployment: deploy with --waf for a per-IP rate limit");
    skipCheck(
      alb,
      "CKV2_AWS_20",
      "HTTP redirects to HTTPS once certificate_arn is set; without a certificate there is no HTTPS to redirect to",
    );

    const targets = new LbTargetGroup(this, "targets", {
      name: awsName([props.namePrefix, "tg"], 32),
      port: app.port,
      protocol: "HTTP",
      targetType: "ip", // Fargate tasks register by IP
      vpcId: base.network.vpcId,
      deregistrationDelay: String(HEALTH_CHECK.deregistrationDelaySeconds),
      healthCheck: {
        enabled: true,
        path: app.healthPath,
        port: "traffic-port",
        protocol: "HTTP",
        interval: HEALTH_CHECK.intervalSeconds,
        timeout: HEALTH_CHECK.timeoutSeconds,
        healthyThreshold: HEALTH_CHECK.healthyThreshold,
        unhealthyThreshold: HEALTH_CHECK.unhealthyThreshold,
        matcher: HEALTH_CHECK.matcher,
      },
      tags: { Name: props.namePrefix },
    });
    skipCheck(targets, "CKV_AWS_378", "TLS ends at the load balancer; ALB to task traffic stays inside the VPC");

    const forward = [{ type: "forward", targetGroupArn: targets.arn }];
    const httpForward = new LbListener(this, "http", {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: forward,
      count: whenHttpOnly,
    });
    const httpRedirect = new LbListener(this, "http_redirect", {
      loadBalancerArn: alb.arn,
      port: 80,
      protocol: "HTTP",
      defaultAction: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } }],
      count: whenHttps,
    });
    const httpsListener = new LbListener(this, "https", {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: TLS_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: forward,
      count: whenHttps,
    });
    for (const listener of [httpForward, httpRedirect]) {
      skipCheck(listener, "CKV_AWS_2", "HTTPS needs a certificate: set certificate_arn and port 80 redirects to 443");
      skipCheck(listener, "CKV2_AWS_20", "HTTPS needs a certificate: set certificate_arn and port 80 redirects to 443");
      skipCheck(listener, "CKV_AWS_103", "plain HTTP listener (no TLS to configure); the HTTPS listener uses " + TLS_POLICY);
    }

    const front = props.authFront
      ? new AuthFront(this, "api", {
          namePrefix: props.namePrefix,
          vpcId: base.network.vpcId,
          subnetIds: base.network.publicSubnetIds,
          loadBalancerSecurityGroupId: albGroup.id,
          // The plain HTTP listener (count 1 while certificate_arn is empty, which the front requires).
          listenerArn: Fn.one(Token.asList(ref(`${httpForward.terraformResourceType}.${httpForward.friendlyUniqueId}[*].arn`))),
          listenerPort: 80,
          healthPath: app.healthPath,
          accessLogName: `${base.logs.name}/api-access`,
          logRetentionDays: props.logRetentionDays,
          certificateArn: props.certificateArn,
        })
      : undefined;
    if (front) {
      albGroup.allowIngress({
        id: "from_api",
        description: "HTTP from the API Gateway VPC link",
        port: 80,
        peerSecurityGroupId: front.securityGroupId,
        skips: [
          { id: "CKV_AWS_260", reason: "the peer is the VPC link's security group, not 0.0.0.0/0 (checkov reads a missing CIDR as open)" },
        ],
      });
    }

    const fargate = fargateApp(
      this,
      base,
      props,
      tasksGroup,
      {
        targetGroupArn: targets.arn,
        dependsOn: [httpForward, httpRedirect, httpsListener],
        gracePeriodSeconds: props.gracePeriodSeconds,
      },
      front ? FRONT_CONTAINER_ENVIRONMENT : undefined,
    );

    const scaling = new AppautoscalingTarget(this, "scaling_target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: fargate.service.scalingResourceId,
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });
    new AppautoscalingPolicy(this, "cpu_scaling", {
      name: `${props.namePrefix}-cpu`,
      policyType: "TargetTrackingScaling",
      serviceNamespace: scaling.serviceNamespace,
      scalableDimension: scaling.scalableDimension,
      resourceId: scaling.resourceId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.cpuTarget,
        scaleOutCooldown: props.scaleOutCooldown,
        scaleInCooldown: props.scaleInCooldown,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      },
    });

    this.workload = {
      ...fargate.workload,
      loadBalancer: { loadBalancerArnSuffix: alb.arnSuffix, targetGroupArnSuffix: targets.arnSuffix },
      scaling: { resourceId: scaling.resourceId, targetArn: scaling.arn, minCount: props.minCount, maxCount: props.maxCount },
    };
    this.outputs = {
      ...base.commonOutputs(),
      app_url: front
        ? { value: front.url, description: "URL of the app (the API Gateway front; requests are SigV4-signed)" }
        : { value: `${Fn.conditional(https, "https", "http")}://${alb.dnsName}`, description: "URL of the app (the load balancer)" },
      alb_dns_name: { value: alb.dnsName, description: "DNS name of the load balancer" },
      ...fargate.outputs,
      ...front?.outputs,
    };
  }
}
