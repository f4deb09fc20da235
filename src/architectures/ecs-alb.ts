/** ECS + ALB: Fargate tasks behind an internet-facing load balancer in two availability zones, auto-scaled on CPU. */
import { EcsAlbDeployment } from "../constructs/ecs-alb-deployment";
import { PUBLIC_SUBNET_COUNT } from "../constructs/network";
import { atLeast } from "../stacks/variable-spec";
import type { CostSheet } from "../cost";
import type { ArchitectureDefinition } from "./definition";
import { fargateCost, fargateCostSize, fargateTaskSettings, fargateVariables } from "./ecs";

/** ECS + ALB's defaults (terraform-aws-modules' scaling: CPU 75 %, out after 60 s, in after 300 s); 2-10 tasks. */
export const ECS_ALB_DEFAULTS = {
  minCount: 2,
  maxCount: 10,
  cpuTarget: 75,
  scaleOutCooldown: 60,
  scaleInCooldown: 300,
  /** The load balancer's zones (one public IPv4 address each). */
  availabilityZones: PUBLIC_SUBNET_COUNT,
} as const;

/** The ECS + ALB architecture. */
export const ecsAlb: ArchitectureDefinition = {
  id: "ecs_alb",
  flag: "ecs-alb",
  label: "ECS Fargate + Load Balancer (high availability)",
  shortLabel: "ECS + Load Balancer",
  compute: "fargate",
  url: "output",
  loadBalancer: true,
  // The tasks behind the load balancer must see one state.
  defaultStateStore: "elasticache",
  alarmVariables: ["alarm_memory_percent", "alarm_5xx_percent", "alarm_p99_seconds"],
  variables: (app) => ({
    ...fargateVariables(app, ECS_ALB_DEFAULTS.minCount),
    min_count: {
      type: "number",
      description: "Fewest tasks auto-scaling keeps",
      default: ECS_ALB_DEFAULTS.minCount,
      validation: atLeast("min_count"),
    },
    max_count: {
      type: "number",
      description: "Most tasks auto-scaling starts",
      default: ECS_ALB_DEFAULTS.maxCount,
      validation: atLeast("max_count"),
    },
    cpu_target: {
      type: "number",
      description: "Average CPU % the scaling policy aims for",
      default: ECS_ALB_DEFAULTS.cpuTarget,
      validation: atLeast("cpu_target"),
    },
    scale_out_cooldown: {
      type: "number",
      description: "Seconds after a scale-out before the next",
      default: ECS_ALB_DEFAULTS.scaleOutCooldown,
      validation: atLeast("scale_out_cooldown", 0),
    },
    scale_in_cooldown: {
      type: "number",
      description: "Seconds after a scale-in before the next",
      default: ECS_ALB_DEFAULTS.scaleInCooldown,
      validation: atLeast("scale_in_cooldown", 0),
    },
    certificate_arn: {
      type: "string",
      description: "ACM certificate ARN; when set, the ALB serves HTTPS on 443 and redirects 80 to it",
      default: "",
    },
  }),
  build: (scope, foundation, vars, options) =>
    new EcsAlbDeployment(scope, "ecs_alb", {
      ...foundation,
      ...fargateTaskSettings(vars),
      minCount: vars.min_count.numberValue,
      maxCount: vars.max_count.numberValue,
      cpuTarget: vars.cpu_target.numberValue,
      scaleOutCooldown: vars.scale_out_cooldown.numberValue,
      scaleInCooldown: vars.scale_in_cooldown.numberValue,
      certificateArn: vars.certificate_arn.stringValue,
      waf: options.waf ? { rateLimit: vars.waf_rate_limit.numberValue } : undefined,
      authFront: options.authFront,
    }),
  costSizes: (flags, app) => ({ ...fargateCostSize(flags, app), tasks: flags.min ?? flags.desired ?? ECS_ALB_DEFAULTS.minCount }),
  cost: (request, sheet) => {
    const tasks = request.tasks ?? ECS_ALB_DEFAULTS.minCount;
    fargateCost(request, sheet, tasks);
    const zones = ECS_ALB_DEFAULTS.availabilityZones;
    sheet.hourly("Application Load Balancer", "1 ALB", sheet.prices.alb_hourly);
    sheet.hourly("ALB capacity units", `${sheet.usage.alb_lcu} LCU on average`, sheet.usage.alb_lcu * sheet.prices.alb_lcu_hourly);
    sheet.assumptions.push(`The service stays at its minimum of ${tasks} tasks; each task added by auto-scaling adds its Fargate cost.`);
    if (request.authFront) {
      authFrontCost(sheet);
    } else {
      sheet.publicIps += zones;
      sheet.assumptions.push(`The ALB spans ${zones} availability zones (one public IPv4 address each).`);
    }
    if (request.waf) {
      const requests = sheet.usage.waf_requests_million_month;
      sheet.monthly("AWS WAF web ACL + rate rule", "1 web ACL, 1 rule", sheet.prices.waf_web_acl_month + sheet.prices.waf_rule_month);
      sheet.monthly("AWS WAF requests", `${requests} million/month`, requests * sheet.prices.waf_million_requests);
      sheet.assumptions.push(`WAF inspects ${requests} million requests a month; each further million adds its price.`);
    }
  },
};

/** The front's lines: requests, VPC link, and the access logs it writes (one line a request). */
function authFrontCost(sheet: CostSheet): void {
  const { prices, usage } = sheet;
  const logGbMonth = (usage.api_requests_million_month * 1e6 * usage.api_access_log_bytes) / 1e9;
  sheet.monthly(
    "API Gateway HTTP API requests",
    `${usage.api_requests_million_month} million/month`,
    usage.api_requests_million_month * prices.http_api_million_requests,
  );
  sheet.hourly("API Gateway VPC link", "1 VPC link", prices.http_api_vpc_link_hourly);
  sheet.monthly(
    "API access logs",
    `${logGbMonth.toFixed(2)} GB/month`,
    logGbMonth * (prices.logs_ingest_gb + prices.logs_storage_gb_month),
  );
  sheet.assumptions.push(
    `The front carries ${usage.api_requests_million_month} million requests a month (each further million adds its price); its VPC link at $${prices.http_api_vpc_link_hourly}/hour (AWS names no VPC link charge for HTTP APIs: see the sources in prices.json); the load balancer is internal (no public IPv4).`,
  );
}
