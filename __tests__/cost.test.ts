import { COST_DEFAULTS, estimateCost, formatEstimate, PRICES, pricedRegions, UnknownPriceError } from "../src/cost";
import { ARCHITECTURES } from "../src/types";

// The seed's published daily ranges (us-east-1). Public IPv4 addresses are billed since 2024-02,
// after the seed's figures were written, so a small overshoot is tolerated and stated here.
const SEED_RANGES = { ec2: [2.5, 4.0], ecs: [1.5, 3.0], ecs_alb: [3.0, 6.0] } as const;
const TOLERANCE = 0.15;

describe("estimateCost", () => {
  test.each([
    ["ec2", { instanceType: "t3.xlarge" }],
    ["ecs", { cpu: 1024, memory: 2048 }],
    ["ecs", { cpu: 2048, memory: 4096 }],
    ["ecs_alb", { cpu: 1024, memory: 2048, tasks: 2 }],
  ] as const)("%s at %j lies in the seed's daily range (us-east-1)", (arch, sizes) => {
    const estimate = estimateCost({ arch, region: "us-east-1", ...sizes });
    const [low, high] = SEED_RANGES[arch];
    expect(estimate.perDay).toBeGreaterThanOrEqual(low * (1 - TOLERANCE));
    expect(estimate.perDay).toBeLessThanOrEqual(high * (1 + TOLERANCE));
  });

  test("EC2 instance hours alone are exactly the t3.xlarge list price x 24", () => {
    const estimate = estimateCost({ arch: "ec2", region: "us-east-1" });
    expect(estimate.lines.find((line) => line.item === "EC2 instance")?.perDay).toBeCloseTo(0.1664 * 24, 6);
  });

  test.each(pricedRegions())("every architecture is priced in %s, month = day x 730/24", (region) => {
    for (const arch of ARCHITECTURES) {
      const estimate = estimateCost({ arch, region });
      expect(estimate.perDay).toBeGreaterThan(0);
      expect(estimate.perMonth).toBeCloseTo((estimate.perDay * 730) / 24, 6);
      expect(estimate.lines.every((line) => line.perDay > 0)).toBe(true);
      expect(estimate.lines.reduce((sum, line) => sum + line.perDay, 0)).toBeCloseTo(estimate.perDay, 9);
    }
  });

  test("the ALB architecture costs more than plain ECS at the same task size", () => {
    const ecs = estimateCost({ arch: "ecs", region: "us-east-1", tasks: 2 });
    const alb = estimateCost({ arch: "ecs_alb", region: "us-east-1", tasks: 2 });
    expect(alb.perDay - ecs.perDay).toBeGreaterThan(PRICES.regions["us-east-1"]!.alb_hourly * 24);
    expect(alb.lines.map((line) => line.item)).toEqual(expect.arrayContaining(["Application Load Balancer", "ALB capacity units"]));
  });

  test("more tasks and bigger tasks cost more; cost scales linearly with tasks", () => {
    const one = estimateCost({ arch: "ecs", region: "us-east-1", tasks: 1 });
    const four = estimateCost({ arch: "ecs", region: "us-east-1", tasks: 4 });
    const fargate = (e: typeof one) => e.lines.find((line) => line.item === "Fargate tasks")!.perDay;
    expect(fargate(four)).toBeCloseTo(4 * fargate(one), 9);
    expect(estimateCost({ arch: "ecs", region: "us-east-1", cpu: 4096, memory: 8192 }).perDay).toBeGreaterThan(one.perDay);
  });

  test("defaults: t3.xlarge on EC2, 2 tasks behind the ALB", () => {
    expect(estimateCost({ arch: "ec2", region: "us-east-1" }).lines[0]!.quantity).toContain(COST_DEFAULTS.instanceType);
    expect(estimateCost({ arch: "ecs_alb", region: "us-east-1" }).lines[0]!.quantity).toMatch(/^2 tasks/);
  });

  test("unknown region and instance type are errors that list what is priced", () => {
    expect(() => estimateCost({ arch: "ec2", region: "mars-1" })).toThrow(UnknownPriceError);
    expect(() => estimateCost({ arch: "ec2", region: "mars-1" })).toThrow(/us-east-1/);
    expect(() => estimateCost({ arch: "ec2", region: "us-east-1", instanceType: "x9.huge" })).toThrow(/t3\.xlarge/);
  });

  test("the printed estimate shows the date of the prices and the assumptions", () => {
    const text = formatEstimate(estimateCost({ arch: "ecs_alb", region: "eu-west-1" })).join("\n");
    expect(text).toContain(PRICES.as_of);
    expect(text).toMatch(/Total .*\/day .*\/month \(eu-west-1\)/);
    expect(text).toMatch(/Assumptions/);
  });

  test("the price table names its sources and date", () => {
    expect(PRICES.as_of).toMatch(/^\d{4}-\d{2}$/);
    expect(PRICES.sources.length).toBeGreaterThan(3);
  });
});

describe("cost with a schedule", () => {
  it.each(["ec2", "ecs", "ecs_alb"] as const)("%s: only the scheduled compute shrinks, by the share of the week", (arch) => {
    const always = estimateCost({ arch, region: "us-east-1" });
    const office = estimateCost({ arch, region: "us-east-1", runningFraction: 55 / 168, scheduleText: "mon-fri 08:00-19:00 Europe/Paris" });
    const compute = (e: typeof always) => e.lines[0].perDay;
    expect(compute(office)).toBeCloseTo((compute(always) * 55) / 168, 10);
    // Elastic IP / volume / ALB / logs do not stop with the schedule.
    const fixed = (e: typeof always) =>
      e.lines.filter((l) => !/EC2 instance|Fargate tasks|Public IPv4/.test(l.item)).reduce((s, l) => s + l.perDay, 0);
    expect(fixed(office)).toBeCloseTo(fixed(always), 10);
    expect(office.perDay).toBeLessThan(always.perDay);
    expect(office.assumptions.join(" ")).toContain("mon-fri 08:00-19:00 Europe/Paris");
  });
});

describe("cost of the state store", () => {
  const cacheLine = (e: ReturnType<typeof estimateCost>) => e.lines.find((line) => line.item === "ElastiCache state store");
  const node = PRICES.regions["us-east-1"]!.elasticache_valkey_node_hourly["cache.t4g.small"]!;

  test("ECS + ALB includes two cache nodes and the cache's key by default; --state-store memory removes both", () => {
    const shared = estimateCost({ arch: "ecs_alb", region: "us-east-1" });
    expect(cacheLine(shared)?.perDay).toBeCloseTo(2 * node * 24, 9);
    expect(shared.lines.map((line) => line.item)).toContain("KMS key (state store at rest)");
    const memory = estimateCost({ arch: "ecs_alb", region: "us-east-1", stateStore: { kind: "memory" } });
    expect(cacheLine(memory)).toBeUndefined();
    expect(shared.perDay - memory.perDay).toBeCloseTo(2 * node * 24 + (PRICES.regions["us-east-1"]!.kms_key_month * 24) / 730, 9);
  });

  test.each(["ec2", "ecs"] as const)("%s pays for a cache only when asked, and a schedule does not stop it", (arch) => {
    expect(cacheLine(estimateCost({ arch, region: "us-east-1" }))).toBeUndefined();
    const asked = estimateCost({ arch, region: "us-east-1", stateStore: { kind: "elasticache" }, runningFraction: 0.5 });
    expect(cacheLine(asked)?.perDay).toBeCloseTo(2 * node * 24, 9);
    expect(
      cacheLine(estimateCost({ arch, region: "us-east-1", stateStore: { kind: "url", url: "redis://h/0", host: "h", port: 6379 } })),
    ).toBeUndefined();
  });

  test("a bigger node type costs more; an unknown one lists the priced types", () => {
    const medium = estimateCost({ arch: "ecs_alb", region: "eu-west-1", cacheNodeType: "cache.t4g.medium" });
    expect(cacheLine(medium)!.perDay).toBeGreaterThan(cacheLine(estimateCost({ arch: "ecs_alb", region: "eu-west-1" }))!.perDay);
    expect(() => estimateCost({ arch: "ecs_alb", region: "us-east-1", cacheNodeType: "cache.x9.huge" })).toThrow(/cache\.t4g\.small/);
  });
});
