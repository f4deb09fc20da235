/**
 * The real command code driven through runCli with recording fakes: sequences, files written,
 * exit codes and the failure paths (no credentials, no terraform, non-zero exit, Ctrl-C, bad answers).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { COMMANDS } from "../../src/cli/registry";
import { EXIT } from "../../src/cli/errors";
import { healthyAnswer, stateText } from "./helpers/fakes";
import { tf } from "./helpers/tf-events";
import { fakeWorld, FakeWorld } from "./helpers/world";
import { discoverApps } from "../../src/discovery";
import { FIXTURE_APPS_DIR } from "../helpers/apps";

jest.setTimeout(60_000);

const APP = "flask-cnn-app-py39";
const ECS_SERVICE = {
  mode: "managed",
  type: "aws_ecs_service",
  name: "app",
  instances: [{ attributes: { name: "svc-cnn", cluster: "arn:aws:ecs:us-east-1:1:cluster/cl-cnn" } }],
};
const OUTPUTS = {
  app_url: "http://fraud-alb-123.us-east-1.elb.amazonaws.com",
  log_group_name: "/dds/ecs_alb/flask-cnn-app-py39",
  ecr_repository_url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/dds/flask-cnn-app-py39",
};
const PLAN_LINES = [
  tf.version(),
  tf.planned("aws_vpc.main"),
  tf.planned("aws_ecr_repository.app"),
  tf.planned("aws_ecs_service.app"),
  tf.summary("plan", 3, 0, 0),
];
const APPLY_LINES = [
  tf.version(),
  tf.start("aws_vpc.main"),
  tf.complete("aws_vpc.main", 2),
  tf.start("aws_ecr_repository.app"),
  tf.complete("aws_ecr_repository.app", 1),
  tf.start("aws_ecs_service.app"),
  tf.progress("aws_ecs_service.app", 10),
  tf.complete("aws_ecs_service.app", 30),
  tf.summary("apply", 3, 0, 0),
  tf.outputs(OUTPUTS),
];

/** A world whose terraform applies successfully and writes a state with outputs. */
function deployingWorld(env: NodeJS.ProcessEnv = {}): FakeWorld {
  const world = fakeWorld(undefined, env);
  world.terraform.scripts = {
    init: { lines: ["Terraform has been successfully initialized!"] },
    plan: { lines: PLAN_LINES },
    apply: {
      lines: APPLY_LINES,
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(3, OUTPUTS, [ECS_SERVICE])),
    },
    destroy: {
      lines: [tf.start("aws_vpc.main", "delete"), tf.complete("aws_vpc.main", 1, "delete"), tf.summary("destroy", 0, 0, 3)],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(0)),
    },
  };
  return world;
}

function folder(world: FakeWorld, name = `deployment_ecs_alb_${APP}`): string {
  return path.join(world.ctx.repoRoot, name);
}

describe("help", () => {
  test.each(COMMANDS.map((def) => [def.command, def]))("%s has help text", async (name, def) => {
    const world = fakeWorld();
    const code = await world.run(name === "$0" ? ["--help"] : [name, "--help"]);
    expect(code).toBe(EXIT.ok);
    expect(def.describe.length).toBeGreaterThan(20);
    expect(world.out.text.replace(/\s+/g, " ")).toContain(def.describe.replace(/\s+/g, " ").slice(0, 40));
    expect(world.terraform.calls).toEqual([]);
  });

  test("the main help lists every command and the exit codes", async () => {
    const world = fakeWorld();
    await world.run(["--help"]);
    for (const def of COMMANDS.filter((d) => d.command !== "$0")) expect(world.out.text).toContain(def.command);
    expect(world.out.text).toMatch(/3 prepared but not deployed/);
  });

  test.each(COMMANDS.filter((def) => def.command !== "$0").map((def) => [def.command.split(" ")[0]!]))(
    "the help file documents %s and every one of its flags",
    async (name) => {
      const helpFile = fs.readFileSync(path.join(__dirname, "..", "..", "help"), "utf8");
      const world = fakeWorld();
      await world.run([name, "--help"]);
      expect(helpFile).toContain(`dynamic_deployment_system.sh ${name}`);
      const flags = new Set(world.out.text.match(/--[a-z][a-z0-9-]+/g) ?? []);
      for (const flag of ["--help", "--version"]) flags.delete(flag);
      expect([...flags].filter((flag) => !helpFile.includes(flag))).toEqual([]);
    },
  );

  test("an unknown command or flag is a one-line usage error", async () => {
    const world = fakeWorld();
    expect(await world.run(["deploy", "--no-such-flag"])).toBe(EXIT.usage);
    expect(world.out.errors[0]).toMatch(/^error: Unknown argument/);
  });
});

describe("list", () => {
  test("--json gives every AppSpec field of every valid app, in menu order", async () => {
    const world = fakeWorld();
    expect(await world.run(["list", "--json"])).toBe(EXIT.ok);
    const apps = JSON.parse(world.out.lines.join("\n")) as Array<Record<string, unknown>>;
    expect(apps.map((app) => app.name)).toEqual(world.ctx.discover().apps.map((app) => app.name));
    expect(Object.keys(apps[0]!).sort()).toEqual(Object.keys(world.ctx.discover().apps[0]!).sort());
    expect(world.out.errors.some((line) => line.includes("broken-json-app"))).toBe(true);
  });
});

describe("menu: echo -e '3\\n1\\ny' | ./dynamic_deployment_system.sh", () => {
  test("deploys app 1 on ECS + ALB: init, plan, apply, health, URL; logs in the folder", async () => {
    const world = deployingWorld({ TF_LOG: "DEBUG" });
    const code = await world.run([], ["3", "1", "y"]);
    expect(world.out.errors).toEqual(expect.arrayContaining([expect.stringContaining("broken-json-app")]));
    expect(code).toBe(EXIT.ok);
    expect(world.terraform.subcommands).toEqual(["init", "plan", "apply"]);
    expect(world.terraform.calls.every((call) => call.cwd === folder(world))).toBe(true);
    const env = world.terraform.calls[0]!.env;
    expect(env.TF_CLI_CONFIG_FILE).toBe(path.join(world.ctx.repoRoot, ".tfcli", "terraformrc"));
    expect(env.TF_LOG).toBe("DEBUG");
    expect(world.terraform.calls[2]!.args).toEqual(["apply", "-input=false", "-json", "tfplan"]);

    const text = world.out.text;
    expect(text).toMatch(/Estimated cost: \$\d+\.\d\d\/day, \$\d+\.\d\d\/month/);
    expect(text).toContain("[3/3] aws_ecs_service.app created");
    expect(world.http.urls[0]).toBe(`${OUTPUTS.app_url}/health`);
    expect(text).toContain(`URL: ${OUTPUTS.app_url}`);

    const files = fs.readdirSync(folder(world));
    expect(files).toEqual(expect.arrayContaining(["main.tf", "terraform.tfvars", "terraform.log"]));
    const deployLog = files.find((file) => /^deploy_\d{8}-\d{6}\.log$/.test(file));
    expect(deployLog).toBeDefined();
    const transcript = fs.readFileSync(path.join(folder(world), deployLog!), "utf8");
    expect(transcript).toContain("Terraform has been successfully initialized!");
    expect(transcript).toContain("Apply complete!");
    expect(fs.readFileSync(path.join(folder(world), "terraform.log"), "utf8")).toContain("aws_vpc.main: Creation complete");
    expect(fs.readFileSync(path.join(folder(world), "terraform.tfvars"), "utf8")).toContain('region = "us-east-1"');
  });

  test("without AWS credentials: folder written, nothing run, what is missing and the next command, exit 3", async () => {
    const world = deployingWorld();
    world.aws.credentialsError = 'Unable to locate credentials. You can configure credentials by running "aws configure".';
    expect(await world.run([], ["3", "1", "y"])).toBe(EXIT.prepared);
    expect(world.terraform.calls).toEqual([]);
    expect(fs.existsSync(path.join(folder(world), "main.tf"))).toBe(true);
    expect(fs.existsSync(path.join(folder(world), "terraform.tfstate"))).toBe(false);
    const errors = world.out.errors.join("\n");
    expect(errors).toMatch(/error: prepared deployment_ecs_alb_flask-cnn-app-py39\/ but did not deploy/);
    expect(errors).toContain("missing: no working AWS credentials (Unable to locate credentials.");
    expect(errors).toContain("./dynamic_deployment_system.sh deploy --arch ecs-alb --app flask-cnn-app-py39");
  });

  test("without terraform: exit 3 and the install hint; nothing spawned", async () => {
    const world = deployingWorld();
    world.terraform.installed = false;
    expect(await world.run([], ["2", "1", "y"])).toBe(EXIT.prepared);
    expect(world.terraform.calls).toEqual([]);
    expect(world.out.errors.join("\n")).toMatch(/missing: terraform not found -> install Terraform/);
    expect(fs.existsSync(path.join(folder(world, `deployment_ecs_${APP}`), "main.tf"))).toBe(true);
  });

  test("answering n deploys nothing and writes nothing", async () => {
    const world = deployingWorld();
    expect(await world.run([], ["1", "1", "n"])).toBe(EXIT.ok);
    expect(world.out.text).toContain("Cancelled: nothing was deployed.");
    expect(world.terraform.calls).toEqual([]);
    expect(fs.existsSync(folder(world, `deployment_ec2_${APP}`))).toBe(false);
  });

  test.each([
    [["3"], /end of input/],
    [["5"], /invalid answer "5"/],
    [["3", "99"], /invalid answer "99"/],
    [["3", "1", "maybe"], /invalid answer "maybe"/],
  ])("on a pipe %j exits 2 with one line", async (answers, message) => {
    const world = deployingWorld();
    expect(await world.run([], answers)).toBe(EXIT.usage);
    expect(world.out.errors.filter((line) => line.startsWith("error:"))).toHaveLength(1);
    expect(world.out.errors.join("\n")).toMatch(message);
    expect(world.terraform.calls).toEqual([]);
  });

  test("on a terminal a wrong answer is asked again; 4 serves locally", async () => {
    const world = deployingWorld();
    world.http.answers = [healthyAnswer(APP)];
    expect(await world.run([], ["7", "4", "x", "1", "y"], true)).toBe(EXIT.ok);
    expect(world.out.lines.filter((line) => line.includes("is not a valid answer"))).toHaveLength(2);
    expect(world.local.started).toHaveLength(1);
    expect(world.terraform.calls).toEqual([]);
  });
});

describe("deploy failures", () => {
  test("terraform apply exits non-zero: the error lines, the log path, and the ECS stopped-task reasons", async () => {
    const world = deployingWorld();
    world.terraform.scripts.apply = {
      lines: [
        tf.start("aws_ecs_service.app"),
        tf.errored("aws_ecs_service.app", 600),
        tf.error("waiting for ECS Service (svc-cnn) to reach steady state: deployment failed", "", "aws_ecs_service.app"),
      ],
      code: 1,
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(2, {}, [ECS_SERVICE])),
    };
    expect(await world.run(["deploy", "--arch", "ecs-alb", "--app", "1", "--yes"])).toBe(EXIT.failed);
    const errors = world.out.errors.join("\n");
    expect(errors).toMatch(/error: terraform apply failed \(exit code 1\)/);
    expect(errors).toContain("Error: waiting for ECS Service (svc-cnn) to reach steady state");
    expect(errors).toContain(`Full output: ${path.join(folder(world), "terraform.log")}`);
    expect(errors).toContain("stopped task abc: Essential container in task exited");
    expect(world.aws.calls).toContain("ecs-stopped:us-east-1:cl-cnn:svc-cnn");
    expect(world.http.urls).toEqual([]);
  });

  test("terraform init failing stops before plan", async () => {
    const world = deployingWorld();
    world.terraform.scripts.init = { lines: ["Error: Failed to query available provider packages"], code: 1 };
    expect(await world.run(["deploy", "--arch", "ec2", "--app", APP, "--yes"])).toBe(EXIT.failed);
    expect(world.terraform.subcommands).toEqual(["init"]);
    expect(world.out.errors.join("\n")).toContain("Error: Failed to query available provider packages");
  });

  test("Ctrl-C during apply: one SIGINT forwarded, state kept, resume and destroy commands shown, exit 130", async () => {
    const world = deployingWorld();
    world.terraform.scripts.apply = { lines: [tf.start("aws_vpc.main")], waitForInterrupt: true };
    const running = world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes"]);
    while (!world.terraform.subcommands.includes("apply")) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(world.signals.trigger()).toBe(true);
    expect(await running).toBe(EXIT.interrupted);
    expect(world.terraform.interrupts).toEqual(["apply"]);
    const errors = world.out.errors.join("\n");
    expect(errors).toMatch(/apply interrupted .* state in deployment_ecs_flask-cnn-app-py39\/terraform.tfstate is kept/);
    expect(errors).toContain("Resume: ./dynamic_deployment_system.sh deploy --arch ecs --app flask-cnn-app-py39");
    expect(errors).toContain("./dynamic_deployment_system.sh destroy --arch ecs --app flask-cnn-app-py39");
    expect(world.signals.trigger()).toBe(false);
  });

  test("the app never gets healthy: fails after the timeout with the ECS reasons", async () => {
    const world = deployingWorld();
    world.http.answers = [{ status: 503 }];
    expect(await world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--health-timeout", "60"])).toBe(EXIT.failed);
    const errors = world.out.errors.join("\n");
    expect(errors).toMatch(/did not become healthy within 60s \(last answer: HTTP 503\)/);
    expect(errors).toContain("ECS service svc-cnn: ACTIVE, 0/1 running, 0 pending, rollout FAILED");
    expect(world.http.urls.length).toBeGreaterThan(3);
  });

  test("plain ECS has no app_url: the URL is the public IP of a running task", async () => {
    const world = deployingWorld();
    const outputs = { ...OUTPUTS, app_url: "", cluster_name: "cl-cnn", service_name: "svc-cnn" };
    world.terraform.scripts.apply = {
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(3, outputs, [ECS_SERVICE])),
    };
    world.aws.taskIps = ["203.0.113.7"];
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect(world.aws.calls).toContain("ecs-ips:us-east-1:cl-cnn:svc-cnn");
    expect(world.http.urls).toEqual(["http://203.0.113.7:8502/health"]);
    expect(world.out.text).toContain("URL: http://203.0.113.7:8502");

    const idle = deployingWorld();
    idle.terraform.scripts.apply = world.terraform.scripts.apply;
    expect(await idle.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--health-timeout", "60"])).toBe(EXIT.failed);
    expect(idle.out.errors.join("\n")).toMatch(/no running task with a public IP within 60s/);
    expect(idle.out.errors.join("\n")).toContain("stopped task abc");
  });

  test("with the state in S3: outputs are kept after apply, so the health wait, status and destroy use them", async () => {
    const world = deployingWorld();
    // The state lives in the bucket: apply leaves no terraform.tfstate in the folder.
    world.terraform.scripts.apply = { lines: APPLY_LINES };
    const outputsJson = Object.fromEntries(Object.entries(OUTPUTS).map(([key, value]) => [key, { value, type: "string" }]));
    world.terraform.scripts.output = { lines: JSON.stringify(outputsJson, null, 2).split("\n") };
    const remote = ["--state-bucket", "team-tfstate", "--state-lock-table", "locks"];
    expect(await world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", ...remote])).toBe(EXIT.ok);
    expect(world.terraform.subcommands).toEqual(["init", "plan", "apply", "output"]);
    expect(world.http.urls).toEqual([`${OUTPUTS.app_url}/health`]);
    expect(JSON.parse(fs.readFileSync(path.join(folder(world), "outputs.json"), "utf8"))).toEqual(OUTPUTS);

    world.out.lines.length = 0;
    expect(await world.run(["status", "--json"])).toBe(EXIT.ok);
    const [row] = JSON.parse(world.out.lines.join("\n")) as Array<Record<string, string>>;
    expect(row).toMatchObject({ state: "applied (state in S3)", url: OUTPUTS.app_url, health: "healthy" });

    world.terraform.scripts.destroy = { lines: [tf.summary("destroy", 0, 0, 3)] };
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect(fs.existsSync(path.join(folder(world), "outputs.json"))).toBe(false);
  });

  test("--health-timeout 0 skips the wait", async () => {
    const world = deployingWorld();
    expect(
      await world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--health-timeout", "0", "--image-uri", "repo/app:1"]),
    ).toBe(EXIT.ok);
    expect(world.http.urls).toEqual([]);
    expect(world.out.text).toContain("health check skipped");
  });

  test("no Docker daemon: prepared only, unless an image URI is given", async () => {
    const world = deployingWorld();
    world.docker.daemonReason = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock";
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes"])).toBe(EXIT.prepared);
    expect(world.out.errors.join("\n")).toContain("missing: Docker daemon not reachable");
    expect(
      await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--image-uri", "123.dkr.ecr.us-east-1.amazonaws.com/x:1"]),
    ).toBe(EXIT.ok);
    expect(fs.readFileSync(path.join(folder(world, `deployment_ecs_${APP}`), "terraform.tfvars"), "utf8")).toContain("image_uri");
  });

  test.each([
    [["deploy", "--arch", "ecs", "--app", "nope", "--yes"], /nope/],
    [["deploy", "--arch", "lambda", "--app", APP, "--yes"], /lambda/],
    [["deploy", "--arch", "ecs", "--yes"], /--app/],
    [["deploy", "--arch", "ecs", "--app", APP, "--yes", "--instance-type", "t3.large"], /--instance-type does not apply to ECS Fargate/],
    [["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--min", "5", "--max", "2"], /--min \(5\) is larger than --max \(2\)/],
  ])("%j is a usage error", async (args, message) => {
    const world = deployingWorld();
    expect(await world.run(args)).toBe(EXIT.usage);
    expect(world.out.errors.join("\n")).toMatch(message);
    expect(world.terraform.calls).toEqual([]);
  });

  test("credentials in terraform output never reach the screen or the logs", async () => {
    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const world = deployingWorld({ AWS_SECRET_ACCESS_KEY: secret });
    world.terraform.scripts.plan = { lines: [...PLAN_LINES, `debug: secret_access_key=${secret}`, "key AKIAIOSFODNN7EXAMPLE"] };
    expect(await world.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    const logs = fs.readdirSync(folder(world)).filter((file) => file.endsWith(".log"));
    for (const text of [world.out.text, ...logs.map((file) => fs.readFileSync(path.join(folder(world), file), "utf8"))]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain("AKIAIOSFODNN7EXAMPLE");
    }
  });

  test("plan stops after terraform plan", async () => {
    const world = deployingWorld();
    expect(await world.run(["plan", "--arch", "ec2", "--app", APP, "--instance-type", "t3.large"])).toBe(EXIT.ok);
    expect(world.terraform.subcommands).toEqual(["init", "plan"]);
    expect(fs.readFileSync(path.join(folder(world, `deployment_ec2_${APP}`), "terraform.tfvars"), "utf8")).toContain(
      'instance_type = "t3.large"',
    );
  });
});

describe("destroy", () => {
  function deployedWorld(): FakeWorld {
    const world = deployingWorld();
    fs.mkdirSync(folder(world));
    fs.writeFileSync(path.join(folder(world), "main.tf"), "# image-uri form\n");
    fs.writeFileSync(path.join(folder(world), "terraform.tfvars"), 'region = "eu-west-1"\n');
    fs.writeFileSync(path.join(folder(world), "terraform.tfstate"), stateText(3, OUTPUTS, [ECS_SERVICE]));
    return world;
  }

  test("destroys, then confirms the state is empty and the ECR repository is gone", async () => {
    const world = deployedWorld();
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect(world.terraform.subcommands).toEqual(["init", "destroy"]);
    expect(world.terraform.calls[1]!.args).toEqual(["apply", "-destroy", "-auto-approve", "-input=false", "-json"]);
    expect(world.aws.calls).toContain("ecr-exists:eu-west-1:dds/flask-cnn-app-py39");
    expect(world.out.text).toContain("Confirmed: ECR repository dds/flask-cnn-app-py39 is gone");
  });

  test("a repository left behind fails the destroy", async () => {
    const world = deployedWorld();
    world.aws.repositories.add("dds/flask-cnn-app-py39");
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.failed);
    expect(world.out.errors.join("\n")).toContain("ECR repository dds/flask-cnn-app-py39 still exists");
  });

  test("terraform destroy failing keeps the state untouched", async () => {
    const world = deployedWorld();
    const before = fs.readFileSync(path.join(folder(world), "terraform.tfstate"), "utf8");
    world.terraform.scripts.destroy = { lines: [tf.error("deleting ECS Cluster: ClusterContainsServicesException")], code: 1 };
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.failed);
    expect(fs.readFileSync(path.join(folder(world), "terraform.tfstate"), "utf8")).toBe(before);
    expect(world.aws.calls.filter((call) => call.startsWith("ecr-exists"))).toEqual([]);
  });

  test("asks first; n keeps everything; end of input is a usage error", async () => {
    const world = deployedWorld();
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP], ["n"])).toBe(EXIT.ok);
    expect(await world.run(["destroy", "--arch", "ecs-alb", "--app", APP], [])).toBe(EXIT.usage);
    expect(world.terraform.calls).toEqual([]);
  });

  test("nothing deployed: nothing to do", async () => {
    const world = deployingWorld();
    expect(await world.run(["destroy", "--arch", "ec2", "--app", APP, "--yes"])).toBe(EXIT.usage);
    fs.mkdirSync(folder(world, `deployment_ec2_${APP}`));
    expect(await world.run(["destroy", "--arch", "ec2", "--app", APP, "--yes"])).toBe(EXIT.ok);
    expect(world.out.text).toContain("nothing to destroy");
  });
});

describe("status, logs, cost, doctor", () => {
  test("status lists every folder with state, URL and live health", async () => {
    const world = deployingWorld();
    fs.mkdirSync(folder(world));
    fs.writeFileSync(path.join(folder(world), "terraform.tfstate"), stateText(3, OUTPUTS));
    fs.mkdirSync(folder(world, `deployment_ec2_${APP}`));
    expect(await world.run(["status", "--json"])).toBe(EXIT.ok);
    const rows = JSON.parse(world.out.lines.join("\n")) as Array<Record<string, string>>;
    expect(rows).toEqual([
      { folder: `deployment_ec2_${APP}`, arch: "ec2", app: APP, state: "prepared (not applied)", health: "-" },
      {
        folder: `deployment_ecs_alb_${APP}`,
        arch: "ecs-alb",
        app: APP,
        state: "applied (3 resources)",
        url: OUTPUTS.app_url,
        health: "healthy",
      },
    ]);
    expect(world.http.urls).toEqual([`${OUTPUTS.app_url}/health`]);
  });

  test("status tells the --env of a folder apart from the app's name", async () => {
    const world = deployingWorld();
    fs.mkdirSync(folder(world, `deployment_ecs_alb_${APP}_staging`));
    expect(await world.run(["status", "--json"])).toBe(EXIT.ok);
    const rows = JSON.parse(world.out.lines.join("\n")) as Array<Record<string, string>>;
    expect(rows).toEqual([
      {
        folder: `deployment_ecs_alb_${APP}_staging`,
        arch: "ecs-alb",
        app: APP,
        environment: "staging",
        state: "prepared (not applied)",
        health: "-",
      },
    ]);
  });

  test("logs reads the deployment's CloudWatch group in its region", async () => {
    const world = deployingWorld();
    fs.mkdirSync(folder(world));
    fs.writeFileSync(path.join(folder(world), "terraform.tfstate"), stateText(3, OUTPUTS));
    fs.writeFileSync(path.join(folder(world), "terraform.tfvars"), 'region = "eu-west-1"\n');
    world.aws.events = [{ timestamp: Date.UTC(2025, 0, 1), message: "model loaded\n", stream: "ecs/app/abc" }];
    expect(await world.run(["logs", "--arch", "ecs-alb", "--app", APP, "--since", "2h"])).toBe(EXIT.ok);
    expect(world.aws.calls).toEqual([`logs:eu-west-1:${OUTPUTS.log_group_name}:${world.clock.now() - 7_200_000}`]);
    expect(world.out.lines).toContain("2025-01-01T00:00:00.000Z abc model loaded");
    expect(await world.run(["logs", "--arch", "ecs-alb", "--app", APP, "--since", "soon"])).toBe(EXIT.usage);
  });

  test("cost prints all three architectures with totals and the date of the prices", async () => {
    const world = fakeWorld();
    expect(await world.run(["cost", "--app", APP])).toBe(EXIT.ok);
    expect(world.out.text.match(/Total .*\/day/g)).toHaveLength(3);
    expect(await world.run(["cost", "--arch", "ec2", "--region", "mars-1"])).toBe(EXIT.usage);
  });

  test("doctor: exit 0 when the default uses are ready, 1 with a FAILED line and fix otherwise; Docker only warns", async () => {
    const world = fakeWorld();
    world.system.toolVersion = async (binary: string, args: string[]) =>
      binary === "bash" && args[1] === "--which"
        ? args[2] === "py39"
          ? "3.9.18"
          : "3.12.1"
        : ({ bash: "5.2.15", npm: "11.0.0", tmux: "3.3", "python3.11": "3.11.7" } as Record<string, string>)[binary];
    expect(await world.run(["doctor"])).toBe(EXIT.ok);
    expect(world.out.lines.filter((line) => line.startsWith("ok"))).toHaveLength(15);
    expect(world.out.lines).toContain("Ready for local serve and deploy with --image-uri.");
    world.docker.daemonReason = "Cannot connect to the Docker daemon";
    world.out.lines.length = 0;
    expect(await world.run(["doctor"])).toBe(EXIT.ok);
    expect(world.out.lines).toContain("not ready  deploy with a local Docker build (the default) (missing: docker daemon)");
    expect(await world.run(["doctor", "--for", "build"])).toBe(EXIT.failed);
    world.aws.cliInstalled = false;
    world.out.lines.length = 0;
    expect(await world.run(["doctor"])).toBe(EXIT.failed);
    expect(world.out.lines.filter((line) => line.startsWith("FAILED")).map((line) => line.split(/\s{2,}/)[1])).toEqual(["AWS CLI"]);
    expect(world.out.lines.filter((line) => line.startsWith("warn")).map((line) => line.split(/\s{2,}/)[1])).toEqual(["docker daemon"]);
    expect(await world.run(["doctor", "--for", "nonsense"])).toBe(EXIT.usage);
  });
});

describe("serve and stop (local)", () => {
  test.each(discoverApps(FIXTURE_APPS_DIR).apps.map((app) => [app.name, app.pythonVersion]))(
    "serve %s hands the Python line discovery found (%s) to the environment script",
    async (name, version) => {
      const world = fakeWorld();
      world.http.answers = [healthyAnswer(name)];
      expect(await world.run(["serve", "--app", name])).toBe(EXIT.ok);
      expect(world.local.pythonVersions).toEqual([version]);
    },
  );

  test("serve starts gunicorn on 127.0.0.1:8502 in the app's env, records a pid, waits for /health", async () => {
    const world = fakeWorld();
    world.http.answers = [healthyAnswer(APP)];
    expect(await world.run(["serve", "--app", "1"])).toBe(EXIT.ok);
    const started = world.local.started[0]!;
    expect(started.command).toBe(`/envs/${APP}/bin/python`);
    expect(started.args).toEqual([
      "-m",
      "gunicorn",
      "--config",
      "python:fraudkit.serving.gunicorn_conf",
      "--chdir",
      path.join(world.ctx.repoRoot, "apps", APP),
      "-b",
      "127.0.0.1:8502",
      "app:create_app()",
    ]);
    expect(started.env.PYTHONPATH).toBe(path.join(world.ctx.repoRoot, "apps"));
    // Without --state-store nothing changes for the app: in-process state, gunicorn's own single worker.
    expect(started.env.FRAUDKIT_STATE_STORE).toBeUndefined();
    expect(started.env.FRAUDKIT_WORKERS).toBeUndefined();
    const dir = path.join(folder(world, `deployment_local_${APP}`), "8502");
    expect(fs.readFileSync(path.join(dir, "app.pid"), "utf8").trim()).toBe("4242");
    expect(world.http.urls).toEqual(["http://127.0.0.1:8502/health"]);
    expect(world.out.text).toContain("URL: http://127.0.0.1:8502");

    expect(await world.run(["serve", "--app", APP])).toBe(EXIT.ok);
    expect(world.local.started).toHaveLength(1);
    expect(world.out.text).toContain("already running (pid 4242)");

    expect(await world.run(["destroy", "--arch", "local", "--app", APP])).toBe(EXIT.ok);
    expect(world.local.stopped).toEqual([4242]);
    expect(fs.existsSync(path.join(dir, "app.pid"))).toBe(false);
    expect(await world.run(["stop", "--app", APP])).toBe(EXIT.ok);
    expect(world.out.text).toContain("was not running");
  });

  test("an app that dies before it is healthy: exit 1 with its last log lines", async () => {
    const world = fakeWorld();
    world.http.answers = [{ error: "ECONNREFUSED" }];
    const start = world.local.startBackground.bind(world.local);
    world.local.startBackground = (...args) => {
      const pid = start(...args);
      fs.appendFileSync(args[4], "ModuleNotFoundError: No module named 'flask'\n");
      world.local.alive.delete(pid);
      return pid;
    };
    expect(await world.run(["serve", "--app", APP, "--port", "8600"])).toBe(EXIT.failed);
    expect(world.out.errors.join("\n")).toContain("exited before answering http://127.0.0.1:8600/health");
    expect(world.out.errors.join("\n")).toContain("ModuleNotFoundError");
  });

  test("a bad port is a usage error", async () => {
    const world = fakeWorld();
    expect(await world.run(["serve", "--app", APP, "--port", "70000"])).toBe(EXIT.usage);
  });

  test("a busy port: one line, exit 1, nothing started, no environment prepared", async () => {
    const world = fakeWorld();
    world.local.busyPorts.add(8502);
    expect(await world.run(["serve", "--app", APP])).toBe(EXIT.failed);
    expect(world.out.errors).toEqual(["error: port 8502 on 127.0.0.1 is already in use by another program; choose another with --port"]);
    expect(world.local.started).toEqual([]);
    expect(world.out.text).not.toContain("Preparing the Python");
  });

  test("another app answering /health on the port is not 'healthy': the started process is stopped", async () => {
    const world = fakeWorld();
    world.http.answers = [{ status: 200, body: JSON.stringify({ status: "ok", model: "flask-xgboost-app" }) }];
    expect(await world.run(["serve", "--app", APP, "--port", "8600"])).toBe(EXIT.failed);
    expect(world.out.errors[0]).toBe(
      `error: http://127.0.0.1:8600/health: another server answers (HTTP 200, app flask-xgboost-app), not ${APP}; stopped ${APP}`,
    );
    expect(world.local.stopped).toEqual([4242]);
    expect(world.out.text).not.toContain("is healthy");
  });

  test("a 200 that is not fraudkit's /health, or this app's answer after its process died, is not healthy either", async () => {
    const world = fakeWorld();
    world.http.answers = [{ status: 200, body: "<html>dashboard</html>" }];
    expect(await world.run(["serve", "--app", APP])).toBe(EXIT.failed);
    expect(world.out.errors[0]).toContain("another server answers (HTTP 200, not a fraudkit /health)");

    const dead = fakeWorld();
    dead.http.answers = [healthyAnswer(APP)];
    const start = dead.local.startBackground.bind(dead.local);
    dead.local.startBackground = (...args) => {
      const pid = start(...args);
      dead.local.alive.delete(pid);
      return pid;
    };
    expect(await dead.run(["serve", "--app", APP])).toBe(EXIT.failed);
    expect(dead.out.errors[0]).toContain(`another server answers as ${APP} while the process started (pid 4242) has exited`);
  });

  test("a loading 503 of this app is waited for, then the 200 is healthy", async () => {
    const world = fakeWorld();
    world.http.answers = [{ status: 503, body: JSON.stringify({ status: "loading", model: APP }) }, healthyAnswer(APP)];
    expect(await world.run(["serve", "--app", APP])).toBe(EXIT.ok);
    expect(world.http.urls).toHaveLength(2);
    expect(world.out.text).toContain(`${APP} is healthy after`);
  });

  test("several instances on different ports share one Redis; status lists each, stop --port ends one, stop ends the rest", async () => {
    const world = fakeWorld();
    world.http.answers = [healthyAnswer(APP)];
    const store = "redis://127.0.0.1:6390/0";
    for (const port of ["8601", "8602", "8603"]) {
      expect(await world.run(["serve", "--app", APP, "--port", port, "--state-store", store, "--workers", "2"])).toBe(EXIT.ok);
    }
    expect(world.local.started.map((run) => run.args[run.args.indexOf("-b") + 1])).toEqual([
      "127.0.0.1:8601",
      "127.0.0.1:8602",
      "127.0.0.1:8603",
    ]);
    for (const run of world.local.started) {
      expect([run.env.FRAUDKIT_STATE_STORE, run.env.FRAUDKIT_WORKERS]).toEqual([store, "2"]);
    }
    expect(new Set(world.local.started.map((run) => run.logFile)).size).toBe(3);

    world.out.lines.length = 0;
    expect(await world.run(["status", "--json"])).toBe(EXIT.ok);
    const rows = JSON.parse(world.out.lines.join("\n")) as Array<Record<string, string>>;
    expect(rows.map((row) => [row.url, row.state, row.stateStore])).toEqual([
      ["http://127.0.0.1:8601", "running (pid 4242)", store],
      ["http://127.0.0.1:8602", "running (pid 4243)", store],
      ["http://127.0.0.1:8603", "running (pid 4244)", store],
    ]);

    expect(await world.run(["stop", "--app", APP, "--port", "8602"])).toBe(EXIT.ok);
    expect(world.local.stopped).toEqual([4243]);
    expect(world.out.text).toContain(`Stopped ${APP} (port 8602).`);
    expect(await world.run(["stop", "--app", APP])).toBe(EXIT.ok);
    expect(world.local.stopped).toEqual([4243, 4242, 4244]);
    expect(world.out.text).toContain(`Stopped ${APP} (port 8601, 8603).`);
  });

  test("with --state-store the workers default to the CPU count; a bad store or workers without one is a usage error", async () => {
    const world = fakeWorld();
    world.http.answers = [healthyAnswer(APP)];
    expect(await world.run(["serve", "--app", APP, "--state-store", "redis://localhost/3"])).toBe(EXIT.ok);
    const env = world.local.started[0]!.env;
    expect(env.FRAUDKIT_STATE_STORE).toBe("redis://localhost/3");
    expect(Number(env.FRAUDKIT_WORKERS)).toBe(Math.max(1, os.availableParallelism()));
    for (const bad of [
      ["--state-store", "elasticache"],
      ["--state-store", "redis://:secret@localhost:6379/0"],
      ["--state-store", "http://localhost"],
      ["--workers", "3"],
      ["--state-store", "redis://localhost/0", "--workers", "0"],
    ]) {
      world.out.errors.length = 0;
      expect(await world.run(["serve", "--app", APP, "--port", "8700", ...bad])).toBe(EXIT.usage);
      expect(world.out.errors).toHaveLength(1);
    }
    expect(world.out.errors.join("")).not.toContain("secret");
  });
});
