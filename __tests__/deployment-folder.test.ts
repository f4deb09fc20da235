import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { deploymentDirName, renderDeploymentFiles, UnknownVariableError, writeDeploymentFolder } from "../src/deployment-folder";
import { ARCHITECTURES } from "../src/types";
import { appsUnderTest } from "./helpers/apps";

const app = appsUnderTest()[0];
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";

describe("deployment folders", () => {
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), "dds-repo-"));
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it("names the folder deployment_<arch>_<app>", () => {
    expect(deploymentDirName("ecs_alb", "flask-cnn-app-py39")).toBe("deployment_ecs_alb_flask-cnn-app-py39");
  });

  it.each(ARCHITECTURES)("writes main.tf and terraform.tfvars for %s with no path of this machine", (arch) => {
    const { dir, files } = writeDeploymentFolder({
      repoRoot: repo,
      app,
      arch,
      imageUri: IMAGE,
      variables: { allowed_cidr: "203.0.113.0/24" },
    });
    expect(dir).toBe(path.join(repo, deploymentDirName(arch, app.name)));
    expect(files.map((f) => path.basename(f)).sort()).toEqual(["main.tf", "terraform.tfvars"]);
    const main = fs.readFileSync(path.join(dir, "main.tf"), "utf8");
    expect(main).not.toContain(repo);
    expect(main).toMatch(/backend "local" \{\n\s+path = "terraform.tfstate"/);
    expect(main).toMatch(/aws = \{[^}]*source\s+= "hashicorp\/aws"/);
    expect(main).toMatch(/^provider "aws" \{/m);
    expect(main).toMatch(/variable "allowed_cidr" \{\n\s+type\s+= string/);
    expect(main).toContain("#checkov:skip=");
    expect(fs.readFileSync(path.join(dir, "terraform.tfvars"), "utf8")).toContain(
      `image_uri = "${IMAGE}"\nallowed_cidr = "203.0.113.0/24"\n`,
    );
  });

  it("keeps state and provider files already in the folder", () => {
    const dir = path.join(repo, "out");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "terraform.tfstate"), "{}");
    writeDeploymentFolder({ repoRoot: repo, app, arch: "ecs", imageUri: IMAGE, outDir: dir });
    expect(fs.readFileSync(path.join(dir, "terraform.tfstate"), "utf8")).toBe("{}");
  });

  it("points the docker build at apps/ relative to the folder", () => {
    const files = renderDeploymentFiles({ repoRoot: repo, app, arch: "ecs", outDir: path.join(repo, "deep", "er") });
    expect(files["main.tf"]).toContain('"${path.module}/../../apps"');
    // Absolute, and the dockerfile below the context: the docker provider 3.x resolves a relative one from terraform's cwd.
    expect(files["main.tf"]).toContain('image_docker_build_context = abspath("${path.module}/../../apps")');
    expect(files["main.tf"]).toContain(`dockerfile = "\${local.image_docker_build_context}/${app.dockerfile}"`);
    expect(files["main.tf"]).not.toContain('variable "image_uri"');
  });

  it("rejects a variable the stack does not declare, listing the valid ones", () => {
    expect(() =>
      renderDeploymentFiles({ repoRoot: repo, app, arch: "ecs", imageUri: IMAGE, variables: { instance_type: "t3.small" } }),
    ).toThrow(UnknownVariableError);
    expect(() => renderDeploymentFiles({ repoRoot: repo, app, arch: "ecs", imageUri: IMAGE, variables: { nope: 1 } })).toThrow(
      /valid: region, vpc_cidr/,
    );
  });

  it("escapes tfvars strings so a value cannot inject an expression", () => {
    const files = renderDeploymentFiles({ repoRoot: repo, app, arch: "ecs", imageUri: "x:${var.region}", variables: { desired_count: 3 } });
    expect(files["terraform.tfvars"]).toContain('image_uri = "x:$${var.region}"\ndesired_count = 3\n');
  });
});
