/**
 * The HCL writer against real Terraform: a deployment folder whose every free-text value (region, image,
 * alert e-mail, schedule text and time zone, tfvars values, backend settings) is an injection payload still
 * validates, holds exactly the resources and data sources the stack emits (read back with `terraform graph`,
 * so an injected block would show), and Terraform reads the payload back as the literal text it was.
 * The CLI refuses these values long before (see __tests__/cli/inputs.test.ts); this is the second wall.
 */
import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { writeDeploymentFolder } from "../../src/deployment-folder";
import { parseSchedule } from "../../src/operations/schedule";
import { DeploymentStack, type DeploymentStackOptions } from "../../src/stacks/deployment-stack";
import type { Architecture } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";
import { hasTerraform, offlineTerraform, type OfflineTerraform } from "../helpers/terraform";

jest.setTimeout(240_000);

const PAYLOAD = [
  '"}',
  'resource "terraform_data" "pwn" {',
  '  input = "${file("/etc/hostname")}"',
  "}",
  "#",
  "  EOT",
  "%{ if true }x%{ endif }'$(id)'`id`\\",
].join("\n");

(hasTerraform ? describe : describe.skip)("a folder of injection payloads, read by Terraform", () => {
  let tf: OfflineTerraform;
  beforeAll(() => (tf = offlineTerraform("dds-inject-")));
  afterAll(() => tf.cleanup());
  const terraform = (dir: string, args: string[], input?: string) => tf.run(dir, args, input);

  test.each(["ec2", "ecs_alb"] as Architecture[])("%s", (arch) => {
    const app = appsUnderTest()[0];
    const schedule = { ...parseSchedule("mon-fri 08:00-19:00 UTC"), text: PAYLOAD, timeZone: PAYLOAD };
    const options: DeploymentStackOptions = {
      imageUri: PAYLOAD,
      region: PAYLOAD,
      s3Backend: { bucket: PAYLOAD, region: PAYLOAD, dynamodbTable: PAYLOAD },
      operations: { alarms: true, alertEmail: PAYLOAD, schedule },
    };
    const { dir } = writeDeploymentFolder({
      repoRoot: REPO_ROOT,
      app,
      arch,
      outDir: path.join(tf.work, arch),
      variables: { allowed_cidr: PAYLOAD },
      ...options,
    });

    const init = terraform(dir, ["init", "-backend=false", "-input=false"]);
    expect(`${init.stdout}${init.stderr}`).toMatch(/successfully initialized/);
    const validation = JSON.parse(terraform(dir, ["validate", "-json"]).stdout) as { valid: boolean; diagnostics: unknown[] };
    expect(validation).toEqual(expect.objectContaining({ valid: true, diagnostics: [] }));

    // What the tool meant to emit: the stack's own resources and data sources.
    const doc = new DeploymentStack(new App(), "x", { ...options, app, arch }).toTerraform() as Record<string, Record<string, object>>;
    const meant = ["resource", "data"].flatMap((kind) =>
      Object.entries(doc[kind] ?? {}).flatMap(([type, named]) =>
        Object.keys(named).map((name) => `${kind === "data" ? "data." : ""}${type}.${name}`),
      ),
    );
    // graph and console need an initialised backend: the S3 one is left out (validate has read it above).
    fs.rmSync(path.join(dir, "backend.tf"));
    const graph = terraform(dir, ["graph"]);
    expect(graph.status).toBe(0);
    const nodes = [...graph.stdout.matchAll(/^\s*"((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)" \[label=/gm)].map((m) => m[1]);
    expect(nodes.sort()).toEqual(meant.sort());
    expect(nodes.filter((node) => node.includes("terraform_data"))).toEqual([]);

    // Terraform reads each value back as exactly the text given (shown quoted in the message), and the
    // variables' own validations refuse it: an edited terraform.tfvars meets the same wall as the CLI.
    const read = terraform(dir, ["console"], "var.schedule_timezone\n");
    const shown = new Map([...read.stderr.matchAll(/│ var\.([a-z_]+) is (".*")$/gm)].map((m) => [m[1], m[2]]));
    for (const name of ["region", "image_uri", "alert_email", "allowed_cidr"])
      expect([name, shown.get(name)]).toEqual([name, JSON.stringify(PAYLOAD)]);
    expect(read.stderr).toMatch(/region must be an AWS region/);
    expect(read.stderr).toMatch(/image_uri must be an image reference/);
  });
});
