/**
 * --auth-front iam through the real commands with a fake AWS and terraform: keys off behind the front (and a
 * usage error when asked for both), the summary and the cost name it, the deploy prints the API URL and how to
 * sign a call, the hint repeats the flag.
 */
import * as fs from "fs";
import * as path from "path";
import type { ApiKeyFlags } from "../../src/cli/api-keys";
import { type AuthFrontFlags, authFrontFromFlags, keyFlagsBehindFront, signedCurlExample } from "../../src/cli/auth-front";
import { EXIT } from "../../src/cli/errors";
import { deploymentFlags } from "../../src/cli/hints";
import { estimateCost, PRICES } from "../../src/cost";
import { healthyAnswer } from "./helpers/fakes";
import { deployingWorld as worldWithOutputs } from "./helpers/deploying";
import { fakeWorld, type FakeWorld } from "./helpers/world";

jest.setTimeout(60_000);

const APP = "flask-cnn-app-py39";
const API = "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com";
const OUTPUTS = { app_url: API, api_url: API, cluster_name: "ecs-alb-cnn", service_name: "ecs-alb-cnn" };

const deployingWorld = (): FakeWorld => worldWithOutputs(OUTPUTS);

const deploy = (world: FakeWorld, ...extra: string[]) =>
  world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--image-uri", "1.dkr.ecr.us-east-1.amazonaws.com/x:1", ...extra]);

describe("the --auth-front flag", () => {
  it("accepts iam on ecs_alb only, and refuses keys next to it (the signature takes the Authorization header)", () => {
    expect(authFrontFromFlags({ authFront: "IAM" }, "ecs_alb")).toEqual({ authFront: "iam" });
    expect(authFrontFromFlags({}, "ecs_alb")).toEqual({});
    expect(() => authFrontFromFlags({ authFront: "oidc" }, "ecs_alb")).toThrow('--auth-front "oidc" must be one of: iam');
    expect(() => authFrontFromFlags({ authFront: "iam" }, "ec2")).toThrow(/^--auth-front needs --arch ecs-alb/);
    for (const keys of [{ apiKeys: true }, { apiKeyParameter: "/team/keys" }, { apiKeyKmsKey: "arn:aws:kms:x" }]) {
      expect(() => authFrontFromFlags({ authFront: "iam", ...keys }, "ecs_alb")).toThrow(/replaces the API keys/);
    }
    // --no-api-keys next to the front is what the front implies anyway.
    expect(authFrontFromFlags({ authFront: "iam", apiKeys: false }, "ecs_alb")).toEqual({ authFront: "iam" });
    const flags: ApiKeyFlags & AuthFrontFlags = { authFront: "iam" };
    expect(keyFlagsBehindFront(flags).apiKeys).toBe(false);
    expect(keyFlagsBehindFront({ ...flags, authFront: undefined }).apiKeys).toBeUndefined();
  });

  it("repeats itself in hints", () => {
    const words = deploymentFlags({
      app: { name: APP } as never,
      arch: "ecs_alb",
      region: "us-east-1",
      variables: {},
      operations: { authFront: "iam" },
      healthTimeoutMs: 900_000,
    });
    expect(words.join(" ")).toBe("--region us-east-1 --no-api-keys --auth-front iam");
  });
});

describe("deploy --auth-front iam", () => {
  test("deploys without keys, checks health through the front and prints its URL, policies and a signed call", async () => {
    const world = deployingWorld();
    world.http.answers = [healthyAnswer(APP)];
    expect(await deploy(world, "--auth-front", "iam")).toBe(EXIT.ok);
    expect(world.aws.parameters.size).toBe(0);
    const folder = path.join(world.ctx.repoRoot, `deployment_ecs_alb_${APP}`);
    const mainTf = fs.readFileSync(path.join(folder, "main.tf"), "utf8");
    expect(mainTf).toContain('resource "aws_apigatewayv2_vpc_link"');
    expect(mainTf).not.toMatch(/FRAUDKIT_(SCORING|LABELLING)_KEYS|FRAUDKIT_REQUIRE_KEYS/);
    expect(world.http.urls).toContain(`${API}/health`);
    expect(world.out.text).toContain(`URL: ${API}`);
    expect(world.out.text).toContain("output -raw iam_policy_scoring");
    expect(world.out.text).toContain(signedCurlExample("us-east-1", API));
  });

  test("--api-keys with the front is a one-line usage error before anything is written", async () => {
    const world = deployingWorld();
    expect(await deploy(world, "--auth-front", "iam", "--api-keys")).toBe(EXIT.usage);
    expect(world.out.errors).toHaveLength(1);
    expect(world.out.errors[0]).toMatch(/^error: --auth-front iam replaces the API keys/);
    expect(world.terraform.calls).toEqual([]);
  });

  test("the summary names the front instead of keys, and the cost adds the API and drops the ALB's public addresses", async () => {
    const world = deployingWorld();
    await world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--auth-front", "iam"], ["n"]);
    expect(world.out.text).toContain("Auth front:     API Gateway HTTP API, IAM (SigV4)");
    expect(world.out.text).not.toContain("generated into SSM SecureStrings");
    const front$ = estimateCost({ arch: "ecs_alb", region: "us-east-1", authFront: true, cpu: 2048, memory: 4096 });
    expect(world.out.text).toContain(`$${front$.perMonth.toFixed(2)}/month`);
    const cost = fakeWorld();
    await cost.run(["cost", "--arch", "ecs-alb", "--auth-front", "iam"]);
    expect(cost.out.text).toContain("API Gateway HTTP API requests");

    const prices = PRICES.regions["us-east-1"]!;
    const usage = PRICES.usage_assumptions;
    const front = estimateCost({ arch: "ecs_alb", region: "us-east-1", authFront: true });
    const plain = estimateCost({ arch: "ecs_alb", region: "us-east-1" });
    const logGb = (usage.api_requests_million_month * 1e6 * usage.api_access_log_bytes) / 1e9;
    const expected =
      usage.api_requests_million_month * prices.http_api_million_requests +
      prices.http_api_vpc_link_hourly * 730 +
      logGb * (prices.logs_ingest_gb + prices.logs_storage_gb_month) -
      2 * prices.public_ipv4_hourly * 730;
    expect(front.perMonth - plain.perMonth).toBeCloseTo(expected, 6);
    expect(front.lines.map((line) => line.item)).toEqual(
      expect.arrayContaining(["API Gateway HTTP API requests", "API Gateway VPC link", "API access logs"]),
    );
    expect(estimateCost({ arch: "ecs", region: "us-east-1", authFront: true }).perMonth).toBeCloseTo(
      estimateCost({ arch: "ecs", region: "us-east-1" }).perMonth,
      6,
    );
  });
});
