/**
 * Real validation: every stack's image-URI deployment folder passes an offline `terraform init` (the
 * project's own CLI config, provider mirror) and `terraform validate`; the docker form, whose provider is
 * not in the mirror, must at least parse (`terraform fmt`). Run alone with `npm run test:terraform`.
 *
 * `terraform validate` spends ~10 s loading the aws provider schema, whatever the size of the
 * configuration, so the stacks are validated together: one root module calls every deployment folder
 * as a module. One folder per architecture is also validated on its own, as a root module.
 */
import * as fs from "fs";
import * as path from "path";
import { writeDeploymentFolder } from "../../src/deployment-folder";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";
import { hasTerraform, offlineTerraform, type OfflineTerraform } from "../helpers/terraform";

if (!hasTerraform) console.warn("terraform not found on PATH: skipping the terraform init/validate tests");

const apps = appsUnderTest();
const cases = ARCHITECTURES.flatMap((arch) => apps.map((app) => [arch, app.name, app] as const));
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";

(hasTerraform ? describe : describe.skip)("terraform on every deployment folder", () => {
  let tf: OfflineTerraform;
  const folder = (form: string, arch: string, app: string) => path.join(tf.work, `${form}_${arch}_${app}`);

  beforeAll(() => {
    tf = offlineTerraform("dds-tf-");
    for (const [arch, name, app] of cases) {
      writeDeploymentFolder({ repoRoot: REPO_ROOT, app, arch, imageUri: IMAGE, outDir: folder("uri", arch, name) });
      writeDeploymentFolder({ repoRoot: REPO_ROOT, app, arch, outDir: folder("docker", arch, name) });
    }
  });
  afterAll(() => tf.cleanup());

  const terraform = (cwd: string, args: string[], input?: string) => tf.run(cwd, args, input);
  const validate = (cwd: string): string[] => tf.validateErrors(cwd);
  const init = (cwd: string) => {
    const run = terraform(cwd, ["init", "-input=false", "-backend=true"]);
    return `${run.stdout}${run.stderr}`;
  };

  test.each(cases)("%s_%s (image-URI form) inits offline from the provider mirror", (arch, name) => {
    expect(init(folder("uri", arch, name))).toMatch(/Terraform has been successfully initialized/);
  });

  test("every stack (image-URI form) validates", () => {
    const root = path.join(tf.work, "all");
    fs.mkdirSync(root);
    const modules = cases.map(([arch, name]) => `module "${arch}_${name}" {\n  source = "../uri_${arch}_${name}"\n}\n`);
    fs.writeFileSync(path.join(root, "main.tf"), modules.join("\n"));
    expect(init(root)).toMatch(/Terraform has been successfully initialized/);
    expect(validate(root)).toEqual([]);
  });

  test.each(ARCHITECTURES)("a %s stack validates on its own as a root module", (arch) => {
    const dir = folder("uri", arch, apps[0].name);
    if (!fs.existsSync(path.join(dir, ".terraform"))) init(dir);
    expect(validate(dir)).toEqual([]);
  });

  test.each(cases)("%s_%s (docker form) is well-formed HCL", (arch, name) => {
    const fmt = terraform(tf.work, ["fmt", "-"], fs.readFileSync(path.join(folder("docker", arch, name), "main.tf"), "utf8"));
    expect(fmt.stderr).toBe("");
    expect(fmt.status).toBe(0);
  });

  test("every folder, both forms, is already as terraform fmt writes it", () => {
    const folders = cases.flatMap(([arch, name]) => [folder("uri", arch, name), folder("docker", arch, name)]);
    const check = terraform(tf.work, [
      "fmt",
      "-check",
      "-list=true",
      ...folders.flatMap((dir) => [`${dir}/main.tf`, `${dir}/terraform.tfvars`]),
    ]);
    expect(check.stdout.trim()).toBe("");
    expect(check.status).toBe(0);
  });
});
