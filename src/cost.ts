/**
 * Cost estimate of one deployment from the price table in src/pricing/prices.json.
 * Pure: no I/O beyond the JSON import, so it can be tested against the seed's ranges.
 */
import pricesJson from "./pricing/prices.json";
import { architecture, effectiveStateStore } from "./architectures";
import { EC2_DEFAULTS } from "./architectures/ec2";
import { DEFAULT_TASK_SIZE, ECS_DEFAULTS } from "./architectures/ecs";
import { ECS_ALB_DEFAULTS } from "./architectures/ecs-alb";
import { CACHE_NODES, DEFAULT_CACHE_NODE_TYPE, type StateStoreChoice } from "./operations/state-store";
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
  /** EC2 instance type (EC2 only; default EC2_DEFAULTS.instanceType). */
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

/**
 * The estimate being written, as an architecture's cost function sees it: the region's prices, the usage, the
 * share of the week the compute runs, and the public IPv4 addresses it adds (always on, and stopped by a schedule).
 */
export interface CostSheet {
  /** The region's unit prices. */
  prices: RegionPrices;
  /** The usage assumptions with the request's overrides. */
  usage: UsageAssumptions;
  /** Share of the week the compute runs (1: around the clock). */
  running: number;
  /** " x 33% of the week" with a schedule, else empty: appended to the quantity of what a schedule stops. */
  scheduled: string;
  /** The assumptions, one sentence each. */
  assumptions: string[];
  /** Public IPv4 addresses held around the clock (Elastic IP, load balancer nodes). */
  publicIps: number;
  /** Public IPv4 addresses a schedule releases (one per task). */
  scheduledIps: number;
  /** Adds an item priced per hour. */
  hourly(item: string, quantity: string, perHour: number): void;
  /** Adds an item priced per month. */
  monthly(item: string, quantity: string, perMonth: number): void;
  /** The price of `key` in a price list; an UnknownPriceError naming what is priced when absent. */
  price(what: string, priced: Record<string, number>, key: string): number;
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

/** The sizes priced when none is given: the architectures' own defaults (src/architectures/). */
export const COST_DEFAULTS = {
  instanceType: EC2_DEFAULTS.instanceType,
  cpu: DEFAULT_TASK_SIZE.cpu,
  memory: DEFAULT_TASK_SIZE.memory,
  ecsTasks: ECS_DEFAULTS.desiredCount,
  albTasks: ECS_ALB_DEFAULTS.minCount,
  albAzs: ECS_ALB_DEFAULTS.availabilityZones,
} as const;

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
  const sheet: CostSheet = {
    prices,
    usage,
    running,
    scheduled: running < 1 ? ` x ${(running * 100).toFixed(0)}% of the week` : "",
    assumptions,
    publicIps: 0,
    scheduledIps: 0,
    hourly,
    monthly,
    price: (what, priced, key) => {
      const price = priced[key];
      if (price === undefined) {
        throw new UnknownPriceError(`no price for ${what} "${key}" in ${request.region}; priced types: ${Object.keys(priced).join(", ")}`);
      }
      return price;
    },
  };
  architecture(request.arch).cost(request, sheet);
  const { publicIps, scheduledIps, scheduled } = sheet;
  if (effectiveStateStore(request.arch, request.stateStore).kind === "elasticache") {
    const type = request.cacheNodeType ?? DEFAULT_CACHE_NODE_TYPE;
    const price = sheet.price("cache node type", prices.elasticache_valkey_node_hourly, type);
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
