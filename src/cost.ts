/**
 * Cost estimate of one deployment from the price table in src/pricing/prices.json.
 * Pure: no I/O beyond the JSON import, so it can be tested against the seed's ranges.
 */
import pricesJson from "./pricing/prices.json";
import { CACHE_NODES, DEFAULT_CACHE_NODE_TYPE, effectiveStateStore, type StateStoreChoice } from "./operations/state-store";
import type { Architecture } from "./types";

/** Unit prices of one region. */
export interface RegionPrices {
  /** On-demand price per hour by instance type. */
  ec2_hourly: Record<string, number>;
  /** Public IPv4 address (Elastic IP, ALB node, Fargate task public IP), per hour. */
  public_ipv4_hourly: number;
  /** ElastiCache for Valkey on-demand node, per hour, by node type. */
  elasticache_valkey_node_hourly: Record<string, number>;
  /** KMS customer managed key, per month. */
  kms_key_month: number;
  /** gp3 EBS storage, per GB-month. */
  ebs_gp3_gb_month: number;
  /** Fargate Linux/x86, per vCPU-hour. */
  fargate_vcpu_hourly: number;
  /** Fargate Linux/x86, per GB-hour of memory. */
  fargate_gb_hourly: number;
  /** Application Load Balancer, per hour. */
  alb_hourly: number;
  /** Application Load Balancer capacity unit, per LCU-hour. */
  alb_lcu_hourly: number;
  /** CloudWatch Logs ingestion, per GB. */
  logs_ingest_gb: number;
  /** CloudWatch Logs storage, per GB-month. */
  logs_storage_gb_month: number;
  /** ECR storage, per GB-month. */
  ecr_storage_gb_month: number;
  /** AWS WAF web ACL, per month. */
  waf_web_acl_month: number;
  /** AWS WAF rule, per rule-month. */
  waf_rule_month: number;
  /** AWS WAF requests inspected, per million. */
  waf_million_requests: number;
  /** API Gateway HTTP API requests, per million (first 300 million a month). */
  http_api_million_requests: number;
  /** API Gateway VPC link of an HTTP API, per hour. */
  http_api_vpc_link_hourly: number;
}

/** Usage the estimate assumes where the price depends on traffic. */
export interface UsageAssumptions {
  /** Application log volume per day. */
  log_gb_per_day: number;
  /** Days logs are kept (the log group's retention). */
  log_retention_days: number;
  /** Size of the pushed image. */
  image_gb: number;
  /** EC2 root volume size. */
  root_volume_gb: number;
  /** Average ALB capacity units used (light traffic). */
  alb_lcu: number;
  /** Requests per month WAF inspects, in millions (2.6: about one a second). */
  waf_requests_million_month: number;
  /** Requests per month through an --auth-front, in millions. */
  api_requests_million_month: number;
  /** Bytes of one access-log line of the front. */
  api_access_log_bytes: number;
}

/** The whole price table. */
export interface PriceTable {
  /** When the prices were read (YYYY-MM). */
  as_of: string;
  /** Currency of every price. */
  currency: string;
  /** Where the prices come from and how far to trust them. */
  note: string;
  /** Source pages. */
  sources: string[];
  /** Hours in a billing month (AWS uses 730). */
  hours_per_month: number;
  /** Default usage. */
  usage_assumptions: UsageAssumptions;
  /** Prices by region code. */
  regions: Record<string, RegionPrices>;
}

/** The price table shipped with the repository. */
export const PRICES: PriceTable = pricesJson as PriceTable;

/** What to estimate: the architecture and the sizes that drive the price. */
export interface CostRequest {
  /** Architecture to price. */
  arch: Architecture;
  /** AWS region code. */
  region: string;
  /** EC2 instance type (EC2 only; default t3.xlarge as in the seed). */
  instanceType?: string;
  /** Fargate CPU units per task (ECS only). */
  cpu?: number;
  /** Fargate memory in MiB per task (ECS only). */
  memory?: number;
  /** Tasks kept running (ECS only; for ECS + ALB the auto-scaling minimum). */
  tasks?: number;
  /** Share of the week the compute runs (a --schedule window); default 1, around the clock. */
  runningFraction?: number;
  /** How the schedule reads, for the assumptions (e.g. "mon-fri 08:00-19:00 Europe/Paris"). */
  scheduleText?: string;
  /** The --state-store asked for; absent: the architecture's default (an ElastiCache for ECS + ALB). */
  stateStore?: StateStoreChoice;
  /** ElastiCache node type of the state store (default cache.t4g.small). */
  cacheNodeType?: string;
  /** Overrides of the usage assumptions. */
  usage?: Partial<UsageAssumptions>;
  /** AWS WAF web ACL with one rate-based rule on the load balancer (ECS + ALB only). */
  waf?: boolean;
  /** API Gateway HTTP API with IAM authorization before an internal load balancer (ECS + ALB only). */
  authFront?: boolean;
}

/** One priced item. */
export interface CostLine {
  /** What is paid for. */
  item: string;
  /** How much of it, in words (e.g. "2 tasks x 1 vCPU, 2 GB"). */
  quantity: string;
  /** Cost per day. */
  perDay: number;
}

/** A full estimate. */
export interface CostEstimate {
  /** Architecture priced. */
  arch: Architecture;
  /** Region priced. */
  region: string;
  /** The priced items. */
  lines: CostLine[];
  /** Total per day. */
  perDay: number;
  /** Total per month (730 hours). */
  perMonth: number;
  /** Date of the prices. */
  pricesAsOf: string;
  /** Currency. */
  currency: string;
  /** Assumptions behind the numbers, one sentence each. */
  assumptions: string[];
}

/** Raised for a region or instance type the price table does not hold. */
export class UnknownPriceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnknownPriceError";
  }
}

/** Seed defaults: t3.xlarge for ML on EC2, 1 vCPU / 2 GB per task, 1 task on ECS, 2 (the minimum of 2-10) behind the ALB. */
export const COST_DEFAULTS = { instanceType: "t3.xlarge", cpu: 1024, memory: 2048, ecsTasks: 1, albTasks: 2, albAzs: 2 } as const;

/** Regions the price table covers. */
export function pricedRegions(table: PriceTable = PRICES): string[] {
  return Object.keys(table.regions).sort();
}

/** Estimates the daily and monthly cost of one deployment. */
export function estimateCost(request: CostRequest, table: PriceTable = PRICES): CostEstimate {
  const prices = table.regions[request.region];
  if (!prices) {
    throw new UnknownPriceError(`no prices for region "${request.region}"; priced regions: ${pricedRegions(table).join(", ")}`);
  }
  const usage = { ...table.usage_assumptions, ...request.usage };
  const lines: CostLine[] = [];
  const assumptions: string[] = [];
  const hourly = (item: string, quantity: string, perHour: number): void => {
    lines.push({ item, quantity, perDay: perHour * 24 });
  };
  const monthly = (item: string, quantity: string, perMonth: number): void => {
    lines.push({ item, quantity, perDay: (perMonth * 24) / table.hours_per_month });
  };

  // Only what a schedule stops gets cheaper: instance hours and tasks (with their public IPs); not the EIP, volume or ALB.
  const running = request.runningFraction ?? 1;
  const scheduled = running < 1 ? ` x ${(running * 100).toFixed(0)}% of the week` : "";
  let publicIps = 0;
  let scheduledIps = 0;
  if (request.arch === "ec2") {
    const type = request.instanceType ?? COST_DEFAULTS.instanceType;
    const price = prices.ec2_hourly[type];
    if (price === undefined) {
      throw new UnknownPriceError(
        `no price for instance type "${type}" in ${request.region}; priced types: ${Object.keys(prices.ec2_hourly).join(", ")}`,
      );
    }
    hourly("EC2 instance", `1 x ${type}${scheduled}`, price * running);
    monthly("EBS root volume (gp3)", `${usage.root_volume_gb} GB`, usage.root_volume_gb * prices.ebs_gp3_gb_month);
    publicIps = 1;
    assumptions.push(
      running < 1
        ? `The instance runs only ${request.scheduleText ?? "on its schedule"}; stopped, it still pays for the Elastic IP and the volume.`
        : "The instance runs around the clock; stopping it saves the instance hours but not the Elastic IP or the volume.",
    );
  } else {
    const cpu = request.cpu ?? COST_DEFAULTS.cpu;
    const memory = request.memory ?? COST_DEFAULTS.memory;
    const tasks = request.tasks ?? (request.arch === "ecs_alb" ? COST_DEFAULTS.albTasks : COST_DEFAULTS.ecsTasks);
    const vcpu = cpu / 1024;
    const gb = memory / 1024;
    hourly(
      "Fargate tasks",
      `${tasks} task${tasks === 1 ? "" : "s"} x ${vcpu} vCPU, ${gb} GB${scheduled}`,
      tasks * (vcpu * prices.fargate_vcpu_hourly + gb * prices.fargate_gb_hourly) * running,
    );
    scheduledIps = tasks;
    if (running < 1) assumptions.push(`Tasks run only ${request.scheduleText ?? "on their schedule"} and are scaled to zero outside it.`);
    assumptions.push("Tasks run in public subnets with a public IP each (no NAT gateway).");
    if (request.arch === "ecs_alb") {
      hourly("Application Load Balancer", "1 ALB", prices.alb_hourly);
      hourly("ALB capacity units", `${usage.alb_lcu} LCU on average`, usage.alb_lcu * prices.alb_lcu_hourly);
      assumptions.push(`The service stays at its minimum of ${tasks} tasks; each task added by auto-scaling adds its Fargate cost.`);
      if (request.authFront) {
        lines.push(...authFrontCostLines(prices, usage, table.hours_per_month));
        assumptions.push(
          `The front carries ${usage.api_requests_million_month} million requests a month (each further million adds its price); its VPC link at $${prices.http_api_vpc_link_hourly}/hour (AWS names no VPC link charge for HTTP APIs: see the sources in prices.json); the load balancer is internal (no public IPv4).`,
        );
      } else {
        publicIps += COST_DEFAULTS.albAzs;
        assumptions.push(`The ALB spans ${COST_DEFAULTS.albAzs} availability zones (one public IPv4 address each).`);
      }
      if (request.waf) {
        monthly("AWS WAF web ACL + rate rule", "1 web ACL, 1 rule", prices.waf_web_acl_month + prices.waf_rule_month);
        monthly(
          "AWS WAF requests",
          `${usage.waf_requests_million_month} million/month`,
          usage.waf_requests_million_month * prices.waf_million_requests,
        );
        assumptions.push(`WAF inspects ${usage.waf_requests_million_month} million requests a month; each further million adds its price.`);
      }
    }
  }
  if (effectiveStateStore(request.arch, request.stateStore).kind === "elasticache") {
    const type = request.cacheNodeType ?? DEFAULT_CACHE_NODE_TYPE;
    const price = prices.elasticache_valkey_node_hourly[type];
    if (price === undefined) {
      throw new UnknownPriceError(
        `no price for cache node type "${type}" in ${request.region}; priced types: ${Object.keys(prices.elasticache_valkey_node_hourly).join(", ")}`,
      );
    }
    hourly("ElastiCache state store", `${CACHE_NODES} x ${type} (Valkey, primary + replica)`, CACHE_NODES * price);
    monthly("KMS key (state store at rest)", "1 customer managed key", prices.kms_key_month);
    assumptions.push(
      `The state store's ${CACHE_NODES} nodes run around the clock${running < 1 ? " (a schedule does not stop them)" : ""}; its one daily snapshot is free.`,
    );
  }
  const ipCount = running < 1 && scheduledIps > 0 ? `${publicIps} + ${scheduledIps}${scheduled}` : `${publicIps + scheduledIps}`;
  hourly("Public IPv4 addresses", ipCount, (publicIps + scheduledIps * running) * prices.public_ipv4_hourly);
  const storedLogGb = usage.log_gb_per_day * usage.log_retention_days;
  lines.push({
    item: "CloudWatch Logs",
    quantity: `${usage.log_gb_per_day} GB/day, ${usage.log_retention_days} days kept`,
    perDay: usage.log_gb_per_day * prices.logs_ingest_gb + (storedLogGb * prices.logs_storage_gb_month * 24) / table.hours_per_month,
  });
  monthly("ECR image storage", `${usage.image_gb} GB`, usage.image_gb * prices.ecr_storage_gb_month);
  assumptions.push(
    `On-demand ${table.currency} list prices of ${table.as_of}; free tier, data transfer out and taxes are not included.`,
    `${usage.log_gb_per_day} GB of logs a day and a ${usage.image_gb} GB image; a month is ${table.hours_per_month} hours.`,
  );

  const perDay = lines.reduce((sum, line) => sum + line.perDay, 0);
  return {
    arch: request.arch,
    region: request.region,
    lines,
    perDay,
    perMonth: (perDay * table.hours_per_month) / 24,
    pricesAsOf: table.as_of,
    currency: table.currency,
    assumptions,
  };
}

/** The front's lines: requests, VPC link, and the access logs it writes (one line a request). */
function authFrontCostLines(prices: RegionPrices, usage: UsageAssumptions, hoursPerMonth: number): CostLine[] {
  const perDay = (perMonth: number): number => (perMonth * 24) / hoursPerMonth;
  const logGbMonth = (usage.api_requests_million_month * 1e6 * usage.api_access_log_bytes) / 1e9;
  return [
    {
      item: "API Gateway HTTP API requests",
      quantity: `${usage.api_requests_million_month} million/month`,
      perDay: perDay(usage.api_requests_million_month * prices.http_api_million_requests),
    },
    { item: "API Gateway VPC link", quantity: "1 VPC link", perDay: prices.http_api_vpc_link_hourly * 24 },
    {
      item: "API access logs",
      quantity: `${logGbMonth.toFixed(2)} GB/month`,
      perDay: perDay(logGbMonth * (prices.logs_ingest_gb + prices.logs_storage_gb_month)),
    },
  ];
}

/** Formats an amount of money as "$1.23". */
export function formatMoney(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** The estimate as printable lines (breakdown, totals, date, assumptions). */
export function formatEstimate(estimate: CostEstimate): string[] {
  const width = Math.max(...estimate.lines.map((line) => line.item.length));
  return [
    ...estimate.lines.map((line) => `  ${line.item.padEnd(width)}  ${formatMoney(line.perDay).padStart(7)}/day   ${line.quantity}`),
    `  ${"Total".padEnd(width)}  ${formatMoney(estimate.perDay).padStart(7)}/day   ${formatMoney(estimate.perMonth)}/month (${estimate.region})`,
    `  Prices of ${estimate.pricesAsOf} from src/pricing/prices.json. Assumptions:`,
    ...estimate.assumptions.map((text) => `   - ${text}`),
  ];
}
