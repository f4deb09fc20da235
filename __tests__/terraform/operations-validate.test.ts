/**
 * Real validation of the operations features: for each architecture, a deployment folder with everything on
 * (alarms + e-mail, schedule, secrets, environment, S3 backend) and the state bootstrap pass an offline
 * `terraform init` from the provider mirror and `terraform validate`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeDeploymentFolder } from "../../src/deployment-folder";
import { parseSchedule } from "../../src/operations/schedule";
import { writeStateBootstrap } from "../../src/state-bootstrap";
import { ensureTerraformCliConfig } from "../../src/terraform/cli-config";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";

const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

(hasTerraform ? describe : describe.skip)("terraform validate with every operations feature on", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dds-ops-"));
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    const cache = path.join(REPO_ROOT, ".tfcli", "plugin-cache");
    fs.mkdirSync(cache, { recursive: true });
    env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: ensureTerraformCliConfig(REPO_ROOT).file,
      TF_PLUGIN_CACHE_DIR: cache,
      TF_IN_AUTOMATION: "1",
      CHECKPOINT_DISABLE: "1",
    };
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const validate = (dir: string): string[] => {
    const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
    expect(`${init.stdout}${init.stderr}`).toMatch(/successfully initialized/);
    const result = JSON.parse(spawnSync("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env, encoding: "utf8" }).stdout) as {
      diagnostics: Array<{ severity: string; summary: string; detail: string }>;
    };
    return result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.summary}: ${d.detail}`);
  };

  test.each(ARCHITECTURES)("%s", (arch) => {
    const { dir } = writeDeploymentFolder({
      repoRoot: REPO_ROOT,
      app: appsUnderTest()[0],
      arch,
      imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test",
      outDir: path.join(work, arch),
      s3Backend: { bucket: "team-tfstate", dynamodbTable: "terraform-locks" },
      operations: {
        alarms: true,
        alertEmail: "ops@example.com",
        schedule: parseSchedule("mon-fri 08:00-19:00 Europe/Paris"),
        secrets: [{ name: "API_KEY", parameter: "/fraud/api-key" }],
        apiKeys: { prefix: "/dds/x/api-keys", generated: true, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc-123" },
        waf: arch === "ecs_alb",
        environment: "staging",
      },
    });
    expect(fs.readdirSync(dir).sort()).toEqual(["backend.tf", "main.tf", "terraform.tfvars"]);
    expect(validate(dir)).toEqual([]);
    const fmt = spawnSync("terraform", ["fmt", "-check", "-list=true", "-no-color"], { cwd: dir, env, encoding: "utf8" });
    expect(fmt.stdout.trim()).toBe("");
  });

  test("ecs_alb behind the IAM front (API Gateway, VPC link, internal load balancer), keys off", () => {
    const { dir } = writeDeploymentFolder({
      repoRoot: REPO_ROOT,
      app: appsUnderTest()[0],
      arch: "ecs_alb",
      imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test",
      outDir: path.join(work, "front"),
      operations: { authFront: "iam", waf: true },
    });
    expect(validate(dir)).toEqual([]);
    const fmt = spawnSync("terraform", ["fmt", "-check", "-list=true", "-no-color"], { cwd: dir, env, encoding: "utf8" });
    expect(fmt.stdout.trim()).toBe("");
  });

  test("the state bootstrap", () => {
    const dir = writeStateBootstrap(path.join(work, "state"), {
      bucket: "team-tfstate",
      lockTable: "terraform-locks",
      region: "eu-west-1",
    });
    expect(validate(dir)).toEqual([]);
  });
});
