/**
 * API keys through the real commands with a fake AWS: generated at deploy only when missing, kept on re-deploy,
 * brought by the user, deleted on destroy only when generated, rotated in two phases, printed by name only;
 * `serve --require-keys` generates a pair, passes it to the app and prints it once.
 */
import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../../src/cli/errors";
import { generateApiKey } from "../../src/cli/api-keys";
import { estimateCost } from "../../src/cost";
import { healthyAnswer, stateText } from "./helpers/fakes";
import { awsCallKinds, deployingWorld as worldWithOutputs } from "./helpers/deploying";
import { fakeWorld, FakeWorld } from "./helpers/world";

jest.setTimeout(60_000);

const APP = "flask-cnn-app-py39";
const PREFIX = `/dds/ecs-alb-${APP}/api-keys`;
const SCORING = `${PREFIX}/scoring`;
const LABELLING = `${PREFIX}/labelling`;
const OUTPUTS = {
  app_url: "http://fraud-alb-123.us-east-1.elb.amazonaws.com",
  cluster_name: "ecs-alb-cnn",
  service_name: "ecs-alb-cnn",
  api_key_parameter_scoring: SCORING,
  api_key_parameter_labelling: LABELLING,
};

const deployingWorld = (): FakeWorld => worldWithOutputs(OUTPUTS);

const deploy = (world: FakeWorld, ...extra: string[]) =>
  world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--image-uri", "1.dkr.ecr.us-east-1.amazonaws.com/x:1", ...extra]);

/** Every file under the repository root (deployment folders, logs), as text. */
function allFiles(root: string): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "apps") continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else texts.push(fs.readFileSync(full, "utf8"));
    }
  };
  walk(root);
  return texts.join("\n");
}

describe("deploy with API keys", () => {
  test("generates both keys into SSM SecureStrings before apply, tagged, and never prints or writes them", async () => {
    const world = deployingWorld();
    const apply = world.terraform.scripts.apply;
    let atApply: string[] = [];
    world.terraform.scripts.apply = { ...apply, effect: (dir) => ((atApply = [...world.aws.parameters.keys()]), apply.effect?.(dir)) };
    expect(await deploy(world)).toBe(EXIT.ok);
    // Written before apply: the tasks read them when they start.
    expect(atApply.sort()).toEqual([LABELLING, SCORING]);
    const scoring = world.aws.parameters.get(SCORING);
    const labelling = world.aws.parameters.get(LABELLING);
    expect(scoring?.type).toBe("SecureString");
    expect(scoring?.value).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(labelling?.value).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(scoring?.value).not.toBe(labelling?.value);
    expect(scoring?.tags["dds:api-keys"]).toBe("generated");
    expect(world.terraform.subcommands).toEqual(["init", "plan", "apply"]);
    const text = world.out.text + allFiles(world.ctx.repoRoot);
    for (const value of [scoring!.value, labelling!.value]) expect(text).not.toContain(value);
    expect(world.out.text).toContain("Authorization: Bearer <key>");
    expect(world.out.text).toContain(
      `aws ssm get-parameter --region us-east-1 --name ${SCORING} --with-decryption --query Parameter.Value --output text`,
    );
    const mainTf = fs.readFileSync(path.join(world.ctx.repoRoot, `deployment_ecs_alb_${APP}`, "main.tf"), "utf8");
    expect(mainTf).toContain(`parameter/dds/ecs-alb-${APP}/api-keys/scoring`);
  });

  test("a re-deploy keeps the existing keys", async () => {
    const world = deployingWorld();
    await deploy(world);
    const first = world.aws.parameters.get(SCORING)?.value;
    world.aws.calls.length = 0;
    expect(await deploy(world)).toBe(EXIT.ok);
    expect(world.aws.parameters.get(SCORING)?.value).toBe(first);
    expect(world.aws.calls.filter((call) => call.startsWith("ssm-put"))).toEqual([]);
    expect(world.out.text).toContain(`${SCORING} exists, kept`);
  });

  test("plan creates nothing in SSM", async () => {
    const world = deployingWorld();
    expect(await world.run(["plan", "--arch", "ecs-alb", "--app", APP, "--image-uri", "1.dkr.ecr.us-east-1.amazonaws.com/x:1"])).toBe(
      EXIT.ok,
    );
    expect(world.aws.parameters.size).toBe(0);
  });

  test("bring your own: the prefix's parameters are used and must exist; nothing is generated", async () => {
    const world = deployingWorld();
    expect(await deploy(world, "--api-key-parameter", "/team/fraud")).toBe(EXIT.usage);
    expect(world.out.errors[0]).toBe("error: --api-key-parameter: /team/fraud/scoring does not exist in SSM (us-east-1)");
    expect(world.terraform.subcommands).not.toContain("apply");
    for (const scope of ["scoring", "labelling"]) {
      world.aws.parameters.set(`/team/fraud/${scope}`, { value: "theirs", type: "SecureString", tags: {} });
    }
    expect(await deploy(world, "--api-key-parameter", "/team/fraud/")).toBe(EXIT.ok);
    expect(world.aws.calls.filter((call) => call.startsWith("ssm-put"))).toEqual([]);
    const mainTf = fs.readFileSync(path.join(world.ctx.repoRoot, `deployment_ecs_alb_${APP}`, "main.tf"), "utf8");
    expect(mainTf).toContain("parameter/team/fraud/labelling");
    expect(mainTf).not.toContain("/dds/ecs-alb");
  });

  test("a plain String parameter is refused: keys must be encrypted", async () => {
    const world = deployingWorld();
    world.aws.parameters.set(SCORING, { value: "x", type: "String", tags: {} });
    expect(await deploy(world)).toBe(EXIT.usage);
    expect(world.out.errors[0]).toContain("is a String, not a SecureString");
  });

  test("--no-api-keys deploys without authentication and says so; --waf off ALB is a one-line usage error", async () => {
    const world = deployingWorld();
    expect(await deploy(world, "--no-api-keys")).toBe(EXIT.ok);
    expect(world.aws.parameters.size).toBe(0);
    const mainTf = fs.readFileSync(path.join(world.ctx.repoRoot, `deployment_ecs_alb_${APP}`, "main.tf"), "utf8");
    expect(mainTf).not.toMatch(/FRAUDKIT_(SCORING|LABELLING)_KEYS|FRAUDKIT_REQUIRE_KEYS/);
    const other = deployingWorld();
    expect(await other.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--waf"])).toBe(EXIT.usage);
    expect(other.out.errors).toEqual(["error: --waf needs --arch ecs-alb: AWS WAF attaches to the load balancer, and ecs has none"]);
    expect(other.terraform.calls).toEqual([]);
  });

  test("the summary names the keys and the WAF and the cost includes it", async () => {
    const world = deployingWorld();
    await world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--waf", "--waf-rate-limit", "500"], ["n"]);
    expect(world.out.text).toContain("API keys:       generated into SSM SecureStrings");
    expect(world.out.text).toContain("WAF:            per-IP rate limit, 500 requests / 5 minutes");
    const withWaf = estimateCost({ arch: "ecs_alb", region: "us-east-1", waf: true });
    const without = estimateCost({ arch: "ecs_alb", region: "us-east-1" });
    // $5 web ACL + $1 rule a month, plus 2.6 million requests at $0.60.
    expect(withWaf.perMonth - without.perMonth).toBeCloseTo(5 + 1 + 2.6 * 0.6, 6);
    expect(withWaf.lines.map((line) => line.item)).toEqual(expect.arrayContaining(["AWS WAF web ACL + rate rule", "AWS WAF requests"]));
    expect(estimateCost({ arch: "ecs", region: "us-east-1", waf: true }).perMonth).toBeCloseTo(
      estimateCost({ arch: "ecs", region: "us-east-1" }).perMonth,
      6,
    );
    const cost = fakeWorld();
    await cost.run(["cost", "--arch", "ecs-alb", "--waf"]);
    expect(cost.out.text).toContain("AWS WAF web ACL + rate rule");
  });
});

describe("destroy and the keys", () => {
  test("generated keys are deleted after a successful destroy", async () => {
    const world = deployingWorld();
    await deploy(world);
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect(world.aws.parameters.size).toBe(0);
    expect(world.out.text).toContain(`Deleted the generated API keys: ${SCORING}, ${LABELLING}`);
  });

  test("an apply that failed before any output still gets its generated keys deleted by destroy", async () => {
    const world = deployingWorld();
    world.terraform.scripts.apply = {
      code: 1,
      lines: ["Error: boom"],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(2)),
    };
    expect(await deploy(world)).toBe(EXIT.failed);
    expect(world.aws.parameters.size).toBe(2);
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect(world.aws.parameters.size).toBe(0);
  });

  test("brought keys are never deleted", async () => {
    const world = deployingWorld();
    world.terraform.scripts.apply.effect = (dir) =>
      fs.writeFileSync(
        path.join(dir, "terraform.tfstate"),
        stateText(3, { ...OUTPUTS, api_key_parameter_scoring: "/team/s", api_key_parameter_labelling: "/team/l" }),
      );
    world.aws.parameters.set("/team/s", { value: "a", type: "SecureString", tags: {} });
    world.aws.parameters.set("/team/l", { value: "b", type: "SecureString", tags: {} });
    await deploy(world, "--api-key-parameter", "/team");
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect([...world.aws.parameters.keys()].sort()).toEqual(["/team/l", "/team/s"]);
    expect(world.aws.calls.filter((call) => call.startsWith("ssm-delete"))).toEqual([]);
  });

  test("a failed destroy keeps the keys (the tasks may still use them)", async () => {
    const world = deployingWorld();
    await deploy(world);
    world.terraform.scripts.destroy = { code: 1, lines: ["Error: boom"] };
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.failed);
    expect(world.aws.parameters.size).toBe(2);
  });
});

describe("rotate-keys", () => {
  async function deployed(): Promise<{ world: FakeWorld; old: { scoring: string; labelling: string } }> {
    const world = deployingWorld();
    await deploy(world);
    world.aws.calls.length = 0;
    world.out.lines.length = 0;
    return { world, old: { scoring: world.aws.parameters.get(SCORING)!.value, labelling: world.aws.parameters.get(LABELLING)!.value } };
  }

  test("phase 1 writes new,old and restarts; phase 2 writes new and restarts; values never printed", async () => {
    const { world, old } = await deployed();
    expect(await world.run(["rotate-keys", "--arch", "ecs-alb", "--app", APP])).toBe(EXIT.ok);
    const [phase1, phase2] = world.aws.restarts;
    expect(world.aws.restarts).toHaveLength(2);
    const [newScoring, keptScoring] = phase1.values[SCORING].split(",");
    expect(keptScoring).toBe(old.scoring);
    expect(newScoring).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(newScoring).not.toBe(old.scoring);
    expect(phase1.values[LABELLING].split(",")[1]).toBe(old.labelling);
    expect(phase2.values[SCORING]).toBe(newScoring);
    expect(phase2.values[LABELLING]).toBe(phase1.values[LABELLING].split(",")[0]);
    // Order: write both, restart, wait until done; then write both, restart, wait.
    expect(awsCallKinds(world)).toEqual([
      "ssm-read",
      "ssm-read",
      "ssm-put",
      "ssm-put",
      "ecs-restart",
      "ecs-rollout",
      "ssm-put",
      "ssm-put",
      "ecs-restart",
      "ecs-rollout",
    ]);
    expect(world.aws.calls).toContain(`ecs-restart:us-east-1:ecs-alb-cnn:ecs-alb-cnn`);
    for (const value of [old.scoring, newScoring]) expect(world.out.text).not.toContain(value);
    expect(world.out.text).toContain(`--name ${SCORING} --with-decryption`);
  });

  test("waits for the rollout to complete and the old deployment to drain before phase 2", async () => {
    const { world } = await deployed();
    world.aws.rollouts = [
      { state: "IN_PROGRESS", running: 1, desired: 2, deployments: 2 },
      { state: "COMPLETED", running: 2, desired: 2, deployments: 2 },
      { state: "COMPLETED", running: 2, desired: 2, deployments: 1 },
    ];
    const before = world.clock.now();
    expect(await world.run(["rotate-keys", "--arch", "ecs-alb", "--app", APP, "--scope", "scoring"])).toBe(EXIT.ok);
    expect(world.aws.calls.filter((call) => call.startsWith("ecs-rollout:")).map((call) => call.split(":").pop())).toEqual([
      "ecs-svc/1",
      "ecs-svc/1",
      "ecs-svc/1",
      "ecs-svc/2",
    ]);
    expect(world.clock.now() - before).toBe(30_000);
    // Only the scoring key changed.
    expect(world.aws.calls.filter((call) => call.startsWith("ssm-put"))).toEqual([
      `ssm-put:us-east-1:${SCORING}`,
      `ssm-put:us-east-1:${SCORING}`,
    ]);
  });

  test("a failed rollout stops before the old key is removed (both still work)", async () => {
    const { world, old } = await deployed();
    world.aws.rollouts = [{ state: "FAILED", reason: "tasks failed to start", running: 0, desired: 2, deployments: 2 }];
    expect(await world.run(["rotate-keys", "--arch", "ecs-alb", "--app", APP])).toBe(EXIT.failed);
    expect(world.out.errors[0]).toContain("did not complete: tasks failed to start");
    expect(world.aws.restarts).toHaveLength(1);
    expect(world.aws.parameters.get(SCORING)!.value.split(",")[1]).toBe(old.scoring);
  });

  test("--phase add stops with both keys accepted; --phase drop then removes the old one", async () => {
    const { world, old } = await deployed();
    expect(await world.run(["rotate-keys", "--arch", "ecs-alb", "--app", APP, "--phase", "add"])).toBe(EXIT.ok);
    const [fresh, kept] = world.aws.parameters.get(SCORING)!.value.split(",");
    expect(kept).toBe(old.scoring);
    expect(world.out.text).toContain(`rotate-keys --arch ecs-alb --app ${APP} --phase drop --scope both`);
    expect(await world.run(["rotate-keys", "--arch", "ecs-alb", "--app", APP, "--phase", "drop"])).toBe(EXIT.ok);
    expect(world.aws.parameters.get(SCORING)!.value).toBe(fresh);
    expect(world.aws.restarts).toHaveLength(2);
  });

  test("keeps a customer managed key on overwrite", async () => {
    const { world } = await deployed();
    world.aws.parameters.get(SCORING)!.keyId = "arn:aws:kms:us-east-1:123456789012:key/abc";
    await world.run(["rotate-keys", "--arch", "ecs-alb", "--app", APP, "--scope", "scoring"]);
    expect(world.aws.parameters.get(SCORING)!.keyId).toBe("arn:aws:kms:us-east-1:123456789012:key/abc");
  });

  test.each([
    [["--arch", "ec2"], /is not deployed/],
    [["--arch", "local"], /serve --require-keys/],
    [["--arch", "ecs-alb", "--scope", "admin"], /--scope must be/],
    [["--arch", "ecs"], /is not deployed/],
  ])("refuses %j with one line", async (args, message) => {
    const { world } = await deployed();
    expect(await world.run(["rotate-keys", "--app", APP, ...args])).toBe(EXIT.usage);
    expect(world.out.errors).toHaveLength(1);
    expect(world.out.errors[0]).toMatch(message);
    expect(world.aws.restarts).toEqual([]);
  });
});

describe("serve --require-keys", () => {
  test("keys are off by default", async () => {
    const world = fakeWorld();
    world.http.answers = [healthyAnswer(APP)];
    expect(await world.run(["serve", "--app", APP])).toBe(EXIT.ok);
    expect(world.local.started[0].env.FRAUDKIT_SCORING_KEYS).toBeUndefined();
    expect(world.local.started[0].env.FRAUDKIT_REQUIRE_KEYS).toBeUndefined();
  });

  test("generates a pair, hands it to the app and prints it once, never into serve.log", async () => {
    const world = fakeWorld();
    world.http.answers = [healthyAnswer(APP)];
    expect(await world.run(["serve", "--app", APP, "--require-keys"])).toBe(EXIT.ok);
    const env = world.local.started[0].env;
    expect(env.FRAUDKIT_REQUIRE_KEYS).toBe("1");
    expect(env.FRAUDKIT_SCORING_KEYS).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(env.FRAUDKIT_LABELLING_KEYS).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(env.FRAUDKIT_LABELLING_KEYS).not.toBe(env.FRAUDKIT_SCORING_KEYS);
    expect(world.out.lines.filter((line) => line.includes(env.FRAUDKIT_SCORING_KEYS!))).toHaveLength(1);
    expect(world.out.lines.filter((line) => line.includes(env.FRAUDKIT_LABELLING_KEYS!))).toHaveLength(1);
    const log = fs.readFileSync(world.local.started[0].logFile, "utf8");
    expect(log).not.toContain(env.FRAUDKIT_SCORING_KEYS);
  });

  test("keys already in the environment are used and not printed", async () => {
    const world = fakeWorld(undefined, { FRAUDKIT_SCORING_KEYS: "mine-scoring-key", FRAUDKIT_LABELLING_KEYS: "mine-labelling-key" });
    world.http.answers = [healthyAnswer(APP)];
    expect(await world.run(["serve", "--app", APP, "--require-keys"])).toBe(EXIT.ok);
    expect(world.local.started[0].env.FRAUDKIT_SCORING_KEYS).toBe("mine-scoring-key");
    expect(world.out.text).not.toContain("mine-scoring-key");
  });
});

test("generated keys are 32 random bytes, URL-safe, and survive the output masking", () => {
  const keys = new Set(Array.from({ length: 200 }, generateApiKey));
  expect(keys.size).toBe(200);
  for (const key of keys) {
    expect(key).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(encodeURIComponent(key)).toBe(key);
  }
  const world = fakeWorld();
  world.http.answers = [healthyAnswer(APP)];
  const key = [...keys][0];
  world.out.out(key);
  expect(world.out.lines).toEqual([key]);
});
