/**
 * rotate-keys on EC2 through the real command with a fake AWS: the parameters are written, then the instance's
 * refresh script runs through SSM Run Command (no restart), in two phases; a failed refresh stops before the old key
 * is removed; values are never printed.
 */
import { EC2_REFRESH_KEYS_SCRIPT } from "../../src/constructs/ec2-api-keys";
import { EXIT } from "../../src/cli/errors";
import { healthyAnswer } from "./helpers/fakes";
import { awsCallKinds, deployingWorld } from "./helpers/deploying";
import type { FakeWorld } from "./helpers/world";

jest.setTimeout(60_000);

const APP = "flask-cnn-app-py39";
const PREFIX = `/dds/ec2-${APP}/api-keys`;
const SCORING = `${PREFIX}/scoring`;
const LABELLING = `${PREFIX}/labelling`;
const INSTANCE = "i-0123456789abcdef0";
const OUTPUTS = {
  app_url: "http://203.0.113.7:8502",
  instance_id: INSTANCE,
  api_key_parameter_scoring: SCORING,
  api_key_parameter_labelling: LABELLING,
};

async function deployed(): Promise<{ world: FakeWorld; old: { scoring: string; labelling: string } }> {
  const world = deployingWorld(OUTPUTS);
  world.http.answers = [healthyAnswer(APP)];
  const code = await world.run(["deploy", "--arch", "ec2", "--app", APP, "--yes", "--image-uri", "1.dkr.ecr.us-east-1.amazonaws.com/x:1"]);
  expect(code).toBe(EXIT.ok);
  world.aws.calls.length = 0;
  world.out.lines.length = 0;
  return { world, old: { scoring: world.aws.parameters.get(SCORING)!.value, labelling: world.aws.parameters.get(LABELLING)!.value } };
}

const rotate = (world: FakeWorld, ...extra: string[]) => world.run(["rotate-keys", "--arch", "ec2", "--app", APP, ...extra]);

describe("rotate-keys on EC2", () => {
  test("writes new,old and refreshes the instance's key file; then new only and refreshes again; no restart", async () => {
    const { world, old } = await deployed();
    expect(await rotate(world)).toBe(EXIT.ok);
    expect(awsCallKinds(world)).toEqual([
      "ssm-read",
      "ssm-read",
      "ssm-put",
      "ssm-put",
      "ssm-command",
      "ssm-invocation",
      "ssm-put",
      "ssm-put",
      "ssm-command",
      "ssm-invocation",
    ]);
    expect(world.aws.restarts).toEqual([]);
    const [phase1, phase2] = world.aws.commands;
    expect(world.aws.commands.map((c) => [c.instanceId, c.commands])).toEqual([
      [INSTANCE, [EC2_REFRESH_KEYS_SCRIPT]],
      [INSTANCE, [EC2_REFRESH_KEYS_SCRIPT]],
    ]);
    const [fresh, kept] = phase1.values[SCORING].split(",");
    expect(kept).toBe(old.scoring);
    expect(fresh).toMatch(/^ddsk_[0-9a-f]{64}$/);
    expect(phase1.values[LABELLING].split(",")[1]).toBe(old.labelling);
    expect(phase2.values[SCORING]).toBe(fresh);
    for (const value of [old.scoring, fresh, old.labelling]) expect(world.out.text).not.toContain(value);
    expect(world.out.text).toContain(`Refreshing the key file on ${INSTANCE}`);
  });

  test("waits while the command is pending or in progress", async () => {
    const { world } = await deployed();
    world.aws.invocations = [{ status: "Pending" }, { status: "InProgress" }, { status: "Success" }];
    const before = world.clock.now();
    expect(await rotate(world, "--phase", "add")).toBe(EXIT.ok);
    expect(world.aws.calls.filter((call) => call.startsWith("ssm-invocation:"))).toHaveLength(3);
    expect(world.clock.now() - before).toBe(10_000);
    expect(world.out.text).toContain(`rotate-keys --arch ec2 --app ${APP} --phase drop --scope both`);
  });

  test("a failed refresh stops before the old key is removed (the app keeps both)", async () => {
    const { world, old } = await deployed();
    world.aws.invocations = [{ status: "Failed", detail: "Failed", error: "An error occurred (AccessDeniedException)" }];
    expect(await rotate(world)).toBe(EXIT.failed);
    expect(world.out.errors[0]).toContain(
      `the key refresh on ${INSTANCE} ended Failed (Failed: An error occurred (AccessDeniedException))`,
    );
    expect(world.aws.commands).toHaveLength(1);
    expect(world.aws.parameters.get(SCORING)!.value.split(",")[1]).toBe(old.scoring);
  });

  test("gives up after --timeout with one line", async () => {
    const { world } = await deployed();
    world.aws.invocations = [{ status: "InProgress" }];
    expect(await rotate(world, "--timeout", "20")).toBe(EXIT.failed);
    expect(world.out.errors[0]).toMatch(/did not finish within 20s/);
  });
});
