/**
 * Crafted and careless values through every flag and environment variable that reaches Terraform or a shell:
 * each is one line, exit 2, and leaves a deployed folder byte for byte as it was. Also: the folder lock
 * (a concurrent run changes nothing), a failed run putting the configuration back, and hints that repeat
 * every flag that shaped the folder.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EXIT } from "../../src/cli/errors";
import { folderLockPath } from "../../src/deployment-folder";
import { stateText } from "./helpers/fakes";
import { fakeWorld, FakeWorld } from "./helpers/world";
import { FIXTURE_APPS_DIR } from "../helpers/apps";

jest.setTimeout(120_000);

const APP = "flask-cnn-app-py39";
const ARCH_FOLDER = { ec2: `deployment_ec2_${APP}`, ecs: `deployment_ecs_${APP}`, "ecs-alb": `deployment_ecs_alb_${APP}` } as const;
type Arch = keyof typeof ARCH_FOLDER;

function deployingWorld(env: NodeJS.ProcessEnv = {}): FakeWorld {
  const world = fakeWorld(undefined, env);
  world.terraform.scripts = {
    init: {
      lines: ["Terraform has been successfully initialized!"],
      effect: (dir) => fs.writeFileSync(path.join(dir, ".terraform.lock.hcl"), "lock\n"),
    },
    plan: { lines: ["Plan: 3 to add, 0 to change, 0 to destroy."], effect: (dir) => fs.writeFileSync(path.join(dir, "tfplan"), "plan") },
    apply: {
      lines: ["Apply complete! Resources: 3 added, 0 changed, 0 destroyed."],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(3, { app_url: "http://203.0.113.9:8502" })),
    },
  };
  return world;
}

/** Every file under `dir` (relative path -> bytes), and the lock beside it. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files[rel] = fs.readFileSync(path.join(dir, rel)).toString("base64");
    }
  };
  if (fs.existsSync(dir)) walk("");
  if (fs.existsSync(folderLockPath(dir))) files["<lock>"] = fs.readFileSync(folderLockPath(dir), "utf8");
  return files;
}

const template: Partial<Record<Arch, string>> = {};

/** A world with a deployed folder of `arch` (deployed once, then copied). */
async function deployedWorld(arch: Arch, env: NodeJS.ProcessEnv = {}): Promise<{ world: FakeWorld; dir: string }> {
  if (!template[arch]) {
    const first = deployingWorld();
    expect(await first.run(["deploy", "--arch", arch, "--app", APP, "--yes", "--health-timeout", "0"])).toBe(EXIT.ok);
    template[arch] = path.join(first.ctx.repoRoot, ARCH_FOLDER[arch]);
  }
  const world = deployingWorld(env);
  const dir = path.join(world.ctx.repoRoot, ARCH_FOLDER[arch]);
  fs.cpSync(template[arch] as string, dir, { recursive: true });
  return { world, dir };
}

/** Injection payloads: HCL string breakouts, template sequences, heredoc ends, shell substitutions, look-alikes. */
const PAYLOADS = [
  'us-east-1"\nresource "terraform_data" "x" {\n  provisioner "local-exec" { command = "id" }\n}\n#',
  '"}\nresource "terraform_data" "pwn" {}\n#',
  '${file("/etc/passwd")}',
  "%{ if true }x%{ endif }",
  'x\n  EOT\nresource "terraform_data" "y" {}',
  "'$(id)'",
  "`id`",
  "us\u2010east\u20101",
  "x\u0000y",
];

/** Where a payload goes: the flag (or environment variable) and the architecture it applies to. */
const TARGETS: Array<{ name: string; arch: Arch; args: (v: string) => string[]; env?: (v: string) => NodeJS.ProcessEnv }> = [
  { name: "--region", arch: "ec2", args: (v) => ["--region", v] },
  { name: "AWS_REGION", arch: "ec2", args: () => [], env: (v) => ({ AWS_REGION: v }) },
  { name: "AWS_DEFAULT_REGION", arch: "ecs", args: () => [], env: (v) => ({ AWS_DEFAULT_REGION: v }) },
  { name: "--image-uri", arch: "ec2", args: (v) => ["--image-uri", `123456789012.dkr.ecr.us-east-1.amazonaws.com/app:${v}`] },
  { name: "--image-uri (whole)", arch: "ecs", args: (v) => ["--image-uri", v] },
  { name: "--allowed-cidr", arch: "ecs", args: (v) => ["--allowed-cidr", v] },
  { name: "--ssh-cidr", arch: "ec2", args: (v) => ["--ssh-cidr", v] },
  { name: "--instance-type", arch: "ec2", args: (v) => ["--instance-type", v] },
  { name: "--certificate-arn", arch: "ecs-alb", args: (v) => ["--certificate-arn", v] },
  { name: "--alert-email", arch: "ecs", args: (v) => ["--alert-email", `ops${v}@example.com`] },
  { name: "--schedule", arch: "ec2", args: (v) => ["--schedule", `mon-fri 08:00-19:00 ${v}`] },
  { name: "--secret (parameter)", arch: "ec2", args: (v) => ["--secret", `API_KEY=/fraud/${v}`] },
  { name: "--secret (name)", arch: "ec2", args: (v) => ["--secret", `K${v}=/fraud/key`] },
  { name: "--state-bucket", arch: "ecs", args: (v) => ["--state-bucket", v] },
  { name: "--state-lock-table", arch: "ecs", args: (v) => ["--state-bucket", "team-tfstate", "--state-lock-table", v] },
  { name: "--state-region", arch: "ecs", args: (v) => ["--state-bucket", "team-tfstate", "--state-region", v] },
  { name: "--env", arch: "ecs", args: (v) => ["--env", v] },
  { name: "--desired", arch: "ecs", args: (v) => ["--desired", v] },
  { name: "--cpu", arch: "ecs", args: (v) => ["--cpu", v] },
  { name: "--memory", arch: "ecs", args: (v) => ["--memory", v] },
  { name: "--min", arch: "ecs-alb", args: (v) => ["--min", v] },
  { name: "--max", arch: "ecs-alb", args: (v) => ["--max", v] },
  { name: "--health-timeout", arch: "ecs", args: (v) => ["--health-timeout", v] },
  { name: "--state-store (url path)", arch: "ec2", args: (v) => ["--state-store", `redis://10.0.0.5:6379/${v}`] },
  { name: "--state-store (url host)", arch: "ecs", args: (v) => ["--state-store", `rediss://h${v}:6379/0`] },
  {
    name: "--state-store-secret",
    arch: "ec2",
    args: (v) => ["--state-store", "redis://10.0.0.5:6379/0", "--state-store-secret", `/fraud/${v}`],
  },
  { name: "--api-key-parameter", arch: "ecs", args: (v) => ["--api-key-parameter", `/fraud/${v}`] },
  { name: "--api-key-kms-key", arch: "ec2", args: (v) => ["--api-key-kms-key", `arn:aws:kms:us-east-1:123456789012:key/${v}`] },
  { name: "--waf-rate-limit", arch: "ecs-alb", args: (v) => ["--waf", "--waf-rate-limit", v] },
];

/** Runs one command on a deployed folder and checks: exit 2, one line, no terraform, folder and repo unchanged. */
async function expectRejected(arch: Arch, args: string[], env: NodeJS.ProcessEnv = {}, message?: RegExp): Promise<void> {
  const { world, dir } = await deployedWorld(arch, env);
  const before = snapshot(dir);
  const rootBefore = fs.readdirSync(world.ctx.repoRoot).sort();
  const code = await world.run(["deploy", "--arch", arch, "--app", APP, "--yes", ...args]);
  expect({ code, errors: world.out.errors }).toEqual({ code: EXIT.usage, errors: [expect.stringMatching(message ?? /^error: /)] });
  expect(world.out.errors[0]).not.toMatch(/\n/);
  expect(world.terraform.calls).toEqual([]);
  expect(snapshot(dir)).toEqual(before);
  expect(fs.readdirSync(world.ctx.repoRoot).sort()).toEqual(rootBefore);
}

describe("crafted values through every flag and environment variable", () => {
  const cases = TARGETS.flatMap((target) => PAYLOADS.map((payload) => [target.name, JSON.stringify(payload), target, payload] as const));
  test.each(cases)("%s = %s: exit 2, nothing written", async (_name, _shown, target, payload) => {
    await expectRejected(target.arch, target.args(payload), target.env?.(payload) ?? {});
  });
});

describe("values AWS would refuse", () => {
  test.each([
    ["ec2", ["--region", "mars-1"], /--region "mars-1" is not an AWS region/],
    ["ec2", ["--region", "US-EAST-1"], /not an AWS region/],
    ["ec2", ["--region", "us-east-7"], /not an AWS region/],
    ["ec2", ["--image-uri", "UPPER/case:tag"], /--image-uri .* is not an image reference/],
    ["ec2", ["--image-uri", "repo:tag with space"], /not an image reference/],
    ["ec2", ["--image-uri", "repo@sha256:short"], /not an image reference/],
    ["ec2", ["--image-uri", ""], /not an image reference/],
    ["ecs", ["--allowed-cidr", "garbage"], /--allowed-cidr "garbage" is not an IPv4 CIDR/],
    ["ecs", ["--allowed-cidr", "10.0.0.0/33"], /not an IPv4 CIDR/],
    ["ecs", ["--allowed-cidr", "256.0.0.0/8"], /not an IPv4 CIDR/],
    ["ecs", ["--allowed-cidr", "010.0.0.0/8"], /not an IPv4 CIDR/],
    ["ecs", ["--allowed-cidr", "10.0.0.1/8"], /host bits set: did you mean 10.0.0.0\/8/],
    ["ecs", ["--cpu", "3"], /--cpu must be a whole number from 256/],
    ["ecs", ["--cpu", "768"], /cpu 768 is not a Fargate size/],
    ["ecs", ["--cpu", "4096"], /memory 4096 MiB is not valid with cpu 4096/],
    ["ecs", ["--cpu", "256", "--memory", "1536"], /not valid with cpu 256/],
    ["ecs", ["--desired", "0.5"], /--desired must be a whole number/],
    ["ecs", ["--desired", "-1"], /--desired must be a whole number/],
    ["ecs", ["--health-timeout", "abc"], /--health-timeout must be a whole number/],
    ["ecs-alb", ["--min", "0"], /--min must be a whole number from 1/],
    ["ecs", ["--state-bucket", "Bad_Bucket!"], /--state-bucket "Bad_Bucket!" is not an S3 bucket name/],
    ["ecs", ["--state-bucket", "ab"], /not an S3 bucket name/],
    ["ecs", ["--state-bucket", "192.168.1.1"], /not an S3 bucket name/],
    ["ecs", ["--state-bucket", "xn--bucket"], /not an S3 bucket name/],
    ["ecs", ["--state-bucket", "my..bucket"], /not an S3 bucket name/],
    ["ecs", ["--state-bucket", "team-tfstate", "--state-region", "mars-1"], /--state-region "mars-1" is not an AWS region/],
    ["ec2", ["--instance-type", "t3"], /not an EC2 instance type/],
    ["ec2", ["--instance-type", "m7g.large"], /ARM \(Graviton\)/],
    [
      "ecs-alb",
      ["--certificate-arn", "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"],
      /needs a certificate of us-east-1/,
    ],
    ["ecs", ["--alert-email", "not-an-address"], /is not an e-mail address/],
    ["ecs", ["--env", "Prod_1"], /--env/],
  ] as Array<[Arch, string[], RegExp]>)("%s %j is refused", async (arch, args, message) => {
    await expectRejected(arch, args, {}, message);
  });

  test("an --env that would make the folder read as another app's is refused before anything is written", async () => {
    // Two apps where one's name is the other's plus "_py39": --env py39 on the first would read as the second.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "dds-clash-"));
    fs.mkdirSync(path.join(root, "apps"));
    for (const name of ["flask-lgbm-app", "flask-lgbm-app_py39"]) {
      fs.cpSync(path.join(FIXTURE_APPS_DIR, "flask-lgbm-app_py39"), path.join(root, "apps", name), { recursive: true });
    }
    const world = fakeWorld(root);
    const code = await world.run(["deploy", "--arch", "ecs", "--app", "flask-lgbm-app", "--yes", "--env", "py39"]);
    expect({ code, errors: world.out.errors }).toEqual({
      code: EXIT.usage,
      errors: [expect.stringMatching(/--env py39 would name flask-lgbm-app's folder like the app flask-lgbm-app_py39's/)],
    });
    expect(world.terraform.calls).toEqual([]);
    expect(fs.readdirSync(root).filter((name) => name.startsWith("deployment_"))).toEqual([]);
  });

  test("AWS_REGION is checked like --region and named in the message", async () => {
    await expectRejected("ecs", [], { AWS_REGION: "eu-middle-9" }, /AWS_REGION "eu-middle-9" is not an AWS region/);
  });

  test("--ssh-cidr 0.0.0.0/0 is accepted with a warning", async () => {
    const world = deployingWorld();
    expect(await world.run(["deploy", "--arch", "ec2", "--app", APP, "--yes", "--health-timeout", "0", "--ssh-cidr", "0.0.0.0/0"])).toBe(
      EXIT.ok,
    );
    expect(world.out.errors.join("\n")).toMatch(/warning: --ssh-cidr 0.0.0.0\/0 opens SSH to the whole internet/);
  });

  test("valid values pass: every region of the list, an IPv4 CIDR, a Fargate pair", async () => {
    const world = deployingWorld();
    const args = [
      "--region",
      "ap-east-2",
      "--allowed-cidr",
      "203.0.113.0/24",
      "--cpu",
      "4096",
      "--memory",
      "8192",
      "--health-timeout",
      "0",
    ];
    expect(await world.run(["plan", "--arch", "ecs", "--app", APP, ...args])).toBe(EXIT.ok);
  });
});

describe("a failing run does not rewrite the deployment", () => {
  const CONFIG = ["main.tf", "terraform.tfvars", ".terraform.lock.hcl", "tfplan"];
  const config = (snap: Record<string, string>) => Object.fromEntries(Object.entries(snap).filter(([file]) => CONFIG.includes(file)));

  test("terraform plan failing puts the previous configuration back, byte for byte", async () => {
    const { world, dir } = await deployedWorld("ecs");
    const before = snapshot(dir);
    world.terraform.scripts.plan = { lines: ["Error: something the provider refused"], code: 1 };
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--allowed-cidr", "10.0.0.0/8", "--alarms"])).toBe(
      EXIT.failed,
    );
    const after = snapshot(dir);
    expect(config(after)).toEqual(config(before));
    // Only the failed run's logs are new; no staged or backup file is left.
    expect(Object.keys(after).filter((file) => !(file in before) && !file.endsWith(".log"))).toEqual([]);
    expect(fs.existsSync(folderLockPath(dir))).toBe(false);
  });

  test("a second deploy while one runs stops before writing: the folder stays as the first run left it", async () => {
    const { world, dir } = await deployedWorld("ecs");
    const original = snapshot(dir);
    world.terraform.scripts.plan = { lines: [], waitForInterrupt: true };
    const first = world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--desired", "2"]);
    while (!world.terraform.subcommands.includes("plan")) await new Promise((resolve) => setImmediate(resolve));
    const during = snapshot(dir);
    const secondWorld = fakeWorld(world.ctx.repoRoot);
    const code = await secondWorld.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--desired", "3"]);
    expect(code).toBe(EXIT.failed);
    expect(secondWorld.out.errors.join("\n")).toMatch(/is in use by another run \(deploy, pid \d+/);
    expect(secondWorld.terraform.calls).toEqual([]);
    expect(snapshot(dir)).toEqual(during);
    // The first run, interrupted before apply, puts the deployed configuration back.
    world.signals.trigger();
    expect(await first).toBe(EXIT.interrupted);
    expect(config(snapshot(dir))).toEqual(config(original));
    expect(fs.existsSync(folderLockPath(dir))).toBe(false);
  });

  test("a lock left by a process that no longer runs is taken over", async () => {
    const { world, dir } = await deployedWorld("ecs");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
    fs.writeFileSync(folderLockPath(dir), JSON.stringify({ pid: dead, host: os.hostname(), command: "deploy" }));
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--health-timeout", "0"])).toBe(EXIT.ok);
    expect(fs.existsSync(folderLockPath(dir))).toBe(false);
  });
});

/** The words of a printed command line, as the shell splits them (the hint is shell-quoted). */
function shellWords(line: string): string[] {
  const result = spawnSync("bash", ["-c", `set -- ${line}; printf '%s\\0' "$@"`], { encoding: "utf8" });
  expect(result.status).toBe(0);
  return result.stdout.split("\0").slice(0, -1);
}

describe("hints repeat every flag that shaped the folder", () => {
  const FILES = ["main.tf", "terraform.tfvars", "backend.tf"];
  const files = (dir: string) =>
    Object.fromEntries(FILES.filter((f) => fs.existsSync(path.join(dir, f))).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
  const cases: Array<[string, Arch, string[], NodeJS.ProcessEnv]> = [
    [
      "ec2 flags",
      "ec2",
      [
        "--image-uri",
        "123456789012.dkr.ecr.eu-west-3.amazonaws.com/fraud/app:v1",
        "--region",
        "eu-west-3",
        "--ssh-cidr",
        "198.51.100.7/32",
        "--instance-type",
        "m7i-flex.large",
        "--allowed-cidr",
        "203.0.113.0/24",
      ],
      {},
    ],
    ["ecs flags", "ecs", ["--desired", "3", "--cpu", "4096", "--memory", "8192", "--env", "staging", "--health-timeout", "120"], {}],
    [
      "ecs-alb flags",
      "ecs-alb",
      [
        "--min",
        "3",
        "--max",
        "7",
        "--certificate-arn",
        "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012",
      ],
      {},
    ],
    [
      "operations",
      "ec2",
      [
        "--alarms",
        "--alert-email",
        "ops+fraud@example.com",
        "--schedule",
        "mon-fri 08:00-19:00 Europe/Paris",
        "--secret",
        "API_KEY=/fraud/api-key",
        "--secret",
        "DB_URL=/fraud/db",
      ],
      {},
    ],
    ["remote state", "ecs", ["--state-bucket", "team-tfstate", "--state-lock-table", "locks", "--state-region", "eu-central-1"], {}],
    ["region from AWS_REGION", "ecs", [], { AWS_REGION: "sa-east-1" }],
    [
      "keys, WAF, in-process store",
      "ecs-alb",
      [
        "--api-key-kms-key",
        "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "--waf",
        "--waf-rate-limit",
        "500",
        "--state-store",
        "memory",
      ],
      {},
    ],
    [
      "no keys, a Redis URL with its secret",
      "ec2",
      ["--no-api-keys", "--state-store", "redis://10.0.0.5:6379/1", "--state-store-secret", "/team/redis"],
      {},
    ],
    ["ElastiCache asked for on plain ECS", "ecs", ["--state-store", "elasticache"], {}],
  ];

  test.each(cases)(
    "%s: the plan's 'Apply it with' rewrites the same folder; Resume and exit-3 hints say the same",
    async (_name, arch, args, env) => {
      const world = deployingWorld(env);
      expect(await world.run(["plan", "--arch", arch, "--app", APP, ...args])).toBe(EXIT.ok);
      const dir = path.join(world.ctx.repoRoot, ...fs.readdirSync(world.ctx.repoRoot).filter((f) => f.startsWith("deployment_")));
      const lines = world.out.text.split("\n");
      const hint = lines[lines.findIndex((line) => line.endsWith("Apply it with:")) + 1].trim();
      const words = shellWords(hint);
      expect(words.slice(0, 2)).toEqual(["./dynamic_deployment_system.sh", "deploy"]);
      for (const arg of args) expect(words).toContain(arg);

      // Following the hint (as plan, without the environment) writes exactly the same files.
      const again = deployingWorld();
      expect(await again.run(["plan", ...words.slice(2)])).toBe(EXIT.ok);
      expect(files(path.join(again.ctx.repoRoot, path.basename(dir)))).toEqual(files(dir));

      // Ctrl-C during apply: the Resume hint is the same command.
      const interrupted = deployingWorld(env);
      interrupted.terraform.scripts.apply = { lines: [], waitForInterrupt: true };
      const running = interrupted.run(["deploy", "--arch", arch, "--app", APP, "--yes", ...args]);
      while (!interrupted.terraform.subcommands.includes("apply")) await new Promise((resolve) => setImmediate(resolve));
      interrupted.signals.trigger();
      expect(await running).toBe(EXIT.interrupted);
      expect(interrupted.out.errors.join("\n")).toContain(`Resume: ${hint}`);

      // A missing prerequisite (exit 3): the command to run again is the same too.
      const prepared = deployingWorld(env);
      prepared.terraform.installed = false;
      expect(await prepared.run(["plan", "--arch", arch, "--app", APP, ...args])).toBe(EXIT.prepared);
      expect(prepared.out.errors.join("\n")).toContain(`  ${hint.replace(" deploy ", " plan ")}`);
    },
  );
});
