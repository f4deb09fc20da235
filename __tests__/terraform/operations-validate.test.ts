/**
 * Real validation of the operations features: for each architecture, a deployment folder with everything on
 * (alarms + e-mail, schedule, secrets, environment, S3 backend) and the state bootstrap pass an offline
 * `terraform init` from the provider mirror and `terraform validate`.
 */
import * as fs from "fs";
import * as path from "path";
import { writeDeploymentFolder } from "../../src/deployment-folder";
import { parseSchedule } from "../../src/operations/schedule";
import { writeStateBootstrap } from "../../src/state-bootstrap";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";
import { hasTerraform, offlineTerraform, type OfflineTerraform } from "../helpers/terraform";

(hasTerraform ? describe : describe.skip)("terraform validate with every operations feature on", () => {
  let tf: OfflineTerraform;
  beforeAll(() => (tf = offlineTerraform("dds-ops-")));
  afterAll(() => tf.cleanup());

  const validate = (dir: string): string[] => {
    const init = tf.run(dir, ["init", "-backend=false", "-input=false"]);
    expect(`${init.stdout}${init.stderr}`).toMatch(/successfully initialized/);
    return tf.validateErrors(dir);
  };

  test.each(ARCHITECTURES)("%s", (arch) => {
    const { dir } = writeDeploymentFolder({
      repoRoot: REPO_ROOT,
      app: appsUnderTest()[0],
      arch,
      imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test",
      outDir: path.join(tf.work, arch),
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
    const fmt = tf.run(dir, ["fmt", "-check", "-list=true"]);
    expect(fmt.stdout.trim()).toBe("");
  });

  test("ecs_alb behind the IAM front (API Gateway, VPC link, internal load balancer), keys off", () => {
    const { dir } = writeDeploymentFolder({
      repoRoot: REPO_ROOT,
      app: appsUnderTest()[0],
      arch: "ecs_alb",
      imageUri: "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test",
      outDir: path.join(tf.work, "front"),
      operations: { authFront: "iam", waf: true },
    });
    expect(validate(dir)).toEqual([]);
    const fmt = tf.run(dir, ["fmt", "-check", "-list=true"]);
    expect(fmt.stdout.trim()).toBe("");
  });

  test("the state bootstrap", () => {
    const dir = writeStateBootstrap(path.join(tf.work, "state"), {
      bucket: "team-tfstate",
      lockTable: "terraform-locks",
      region: "eu-west-1",
    });
    expect(validate(dir)).toEqual([]);
  });
});
