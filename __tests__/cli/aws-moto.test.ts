/**
 * The real AWS adapter (the AWS CLI) against moto server started here on 127.0.0.1:
 * caller identity, ECR auth, ECR repository checks, ECS service state, stopped-task reasons, logs.
 */
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import { AwsCli, AwsError } from "../../src/cli/adapters/aws";
import { capture } from "../../src/cli/adapters/process";
import { NodeHttpProbe } from "../../src/cli/adapters/http";

const REGION = "us-east-1";
const PYTHON = process.env.DDS_TEST_PYTHON ?? "python3";
jest.setTimeout(120_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

let moto: ChildProcess | undefined;
let env: NodeJS.ProcessEnv;
let aws: AwsCli;

/** Runs an AWS CLI call that sets up moto's state. */
async function setup(...args: string[]): Promise<unknown> {
  const result = await capture("aws", [...args, "--region", REGION, "--output", "json"], { env });
  if (result.code !== 0) throw new Error(`aws ${args.join(" ")}: ${result.stderr}`);
  return result.stdout.trim() ? JSON.parse(result.stdout) : {};
}

beforeAll(async () => {
  const port = await freePort();
  moto = spawn(PYTHON, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  const http = new NodeHttpProbe();
  for (let i = 0; i < 100; i += 1) {
    if ((await http.get(`${endpoint}/moto-api/`, 1000)).status !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  aws = new AwsCli(env);
});

afterAll(async () => {
  if (!moto || moto.exitCode !== null) return;
  const exited = new Promise((resolve) => moto?.once("exit", resolve));
  moto.kill("SIGTERM");
  await exited;
});

describe("AwsCli against moto", () => {
  test("reports the CLI version", async () => {
    expect(await aws.cliVersion()).toMatch(/^\d+\.\d+/);
  });

  test("caller identity works with credentials", async () => {
    const identity = await aws.callerIdentity(REGION);
    expect(identity.account).toMatch(/^\d{12}$/);
    expect(identity.arn).toMatch(/^arn:aws:/);
  });

  test("ECR authorization gives the endpoint and user but never the password", async () => {
    const auth = await aws.ecrAuthorization(REGION);
    expect(auth.username).toBe("AWS");
    expect(auth.proxyEndpoint).toMatch(/^https:\/\//);
    expect(Object.keys(auth).sort()).toEqual(["expiresAt", "proxyEndpoint", "username"]);
  });

  test("ECR repository existence follows create and delete", async () => {
    await setup("ecr", "create-repository", "--repository-name", "dds/probe");
    expect(await aws.ecrRepositoryExists(REGION, "dds/probe")).toBe(true);
    await setup("ecr", "delete-repository", "--repository-name", "dds/probe", "--force");
    expect(await aws.ecrRepositoryExists(REGION, "dds/probe")).toBe(false);
  });

  test("ECS service state and the reasons of stopped tasks", async () => {
    await setup("ecs", "create-cluster", "--cluster-name", "fraud");
    await setup(
      "ecs",
      "register-task-definition",
      "--family",
      "app",
      "--network-mode",
      "bridge",
      "--cpu",
      "256",
      "--memory",
      "512",
      "--container-definitions",
      JSON.stringify([{ name: "app", image: "nginx", essential: true, cpu: 256, memory: 512 }]),
    );
    await setup(
      "ecs",
      "create-service",
      "--cluster",
      "fraud",
      "--service-name",
      "app",
      "--task-definition",
      "app",
      "--desired-count",
      "1",
      "--launch-type",
      "FARGATE",
    );
    const state = await aws.ecsServiceState(REGION, "fraud", "app");
    expect(state).toMatchObject({ status: "ACTIVE", desired: 1 });
    expect(await aws.ecsServiceState(REGION, "fraud", "nope")).toMatchObject({ status: "MISSING" });

    expect(await aws.stoppedTaskReasons(REGION, "fraud", "app")).toEqual([]);
    // bridge mode: moto 5.2.1 fails on run-task with awsvpc networking (NetworkInterface.private_dns_name)
    const run = (await setup("ecs", "run-task", "--cluster", "fraud", "--task-definition", "app", "--launch-type", "FARGATE")) as {
      tasks: Array<{ taskArn: string }>;
    };
    const taskArn = run.tasks[0]!.taskArn;
    await setup("ecs", "stop-task", "--cluster", "fraud", "--task", taskArn, "--reason", "Essential container in task exited");
    // no running task left (and moto's bridge-mode tasks have no network interface): no public IP
    expect(await aws.serviceTaskPublicIps(REGION, "fraud", "app")).toEqual([]);
    const reasons = await aws.stoppedTaskReasons(REGION, "fraud", "app");
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain("Essential container in task exited");
    expect(reasons[0]).toContain(taskArn.split("/").pop());
  });

  test("CloudWatch log events since a time", async () => {
    await setup("logs", "create-log-group", "--log-group-name", "/dds/app");
    await setup("logs", "create-log-stream", "--log-group-name", "/dds/app", "--log-stream-name", "ecs/app/1");
    const now = Date.now();
    await setup(
      "logs",
      "put-log-events",
      "--log-group-name",
      "/dds/app",
      "--log-stream-name",
      "ecs/app/1",
      "--log-events",
      `timestamp=${now - 1000},message=booting`,
      `timestamp=${now},message=ready`,
    );
    const events = await aws.logEvents(REGION, "/dds/app", now - 60_000, 50);
    expect(events.map((event) => event.message)).toEqual(["booting", "ready"]);
    expect(events[0]!.stream).toBe("ecs/app/1");
  });

  test("failures carry the AWS error code and a one-line message", async () => {
    const attempt = aws.logEvents(REGION, "/does/not/exist", 0, 10);
    await expect(attempt).rejects.toBeInstanceOf(AwsError);
    await expect(attempt).rejects.toMatchObject({ code: "ResourceNotFoundException" });
  });

  test("without credentials the caller identity fails with a readable reason", async () => {
    const bare = new AwsCli({
      PATH: process.env.PATH,
      HOME: "/nonexistent",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
    });
    await expect(bare.callerIdentity(REGION)).rejects.toThrow(/credentials/i);
  });
});

describe("AwsCli API-key calls against moto", () => {
  const NAME = "/dds/ecs-probe/api-keys/scoring";
  const VALUE = "ddsk_moto-probe-value-0123456789abcdef";

  test("put (value on stdin), describe without the value, read, tags, overwrite, delete", async () => {
    expect(await aws.describeParameter(REGION, NAME)).toBeUndefined();
    await aws.putSecureParameter(REGION, { name: NAME, value: VALUE, overwrite: false, tags: { "dds:api-keys": "generated" } });
    const info = await aws.describeParameter(REGION, NAME);
    expect(info).toMatchObject({ name: NAME, type: "SecureString" });
    expect(JSON.stringify(info)).not.toContain(VALUE);
    expect(await aws.readSecureParameter(REGION, NAME)).toBe(VALUE);
    expect(await aws.parameterTags(REGION, NAME)).toEqual({ "dds:api-keys": "generated" });
    await expect(aws.putSecureParameter(REGION, { name: NAME, value: "other", overwrite: false })).rejects.toMatchObject({
      code: "ParameterAlreadyExists",
    });
    await aws.putSecureParameter(REGION, { name: NAME, value: `new,${VALUE}`, overwrite: true });
    expect(await aws.readSecureParameter(REGION, NAME)).toBe(`new,${VALUE}`);
    await aws.deleteParameters(REGION, [NAME]);
    expect(await aws.describeParameter(REGION, NAME)).toBeUndefined();
  });

  test("a forced ECS deployment and its rollout", async () => {
    await setup("ecs", "create-cluster", "--cluster-name", "keys");
    await setup(
      "ecs",
      "register-task-definition",
      "--family",
      "keys",
      "--network-mode",
      "bridge",
      "--container-definitions",
      JSON.stringify([{ name: "app", image: "nginx", essential: true, cpu: 256, memory: 512 }]),
    );
    await setup(
      "ecs",
      "create-service",
      "--cluster",
      "keys",
      "--service-name",
      "keys",
      "--task-definition",
      "keys",
      "--desired-count",
      "1",
    );
    const deployment = await aws.forceNewDeployment(REGION, "keys", "keys");
    expect(deployment).toMatch(/^ecs-svc\//);
    // moto starts no task (MOTO_ECS_SERVICE_RUNNING unset): the deployment stays in progress with one deployment.
    expect(await aws.ecsDeploymentRollout(REGION, "keys", "keys", deployment)).toMatchObject({
      state: "IN_PROGRESS",
      running: 0,
      desired: 1,
      deployments: 1,
    });
    expect((await aws.ecsDeploymentRollout(REGION, "keys", "keys", "ecs-svc/gone")).state).toBe("MISSING");
  });
});
