/**
 * Real validation: every stack's image-URI deployment folder passes an offline `terraform init` (the
 * project's own CLI config, provider mirror) and `terraform validate`; the docker form, whose provider is
 * not in the mirror, must at least parse (`terraform fmt`). Run alone with `npm run test:terraform`.
 *
 * `terraform validate` spends ~10 s loading the aws provider schema, whatever the size of the
 * configuration, so the stacks are validated together: one root module calls every deployment folder
 * as a module. One folder per architecture is also validated on its own, as a root module.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeDeploymentFolder } from "../../src/deployment-folder";
import { ensureTerraformCliConfig } from "../../src/terraform/cli-config";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";

const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
if (!hasTerraform) console.warn("terraform not found on PATH: skipping the terraform init/validate tests");

const apps = appsUnderTest();
const cases = ARCHITECTURES.flatMap((arch) => apps.map((app) => [arch, app.name, app] as const));
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";

interface Validation {
  valid: boolean;
  diagnostics: Array<{ severity: string; summary: string; detail: string }>;
}

(hasTerraform ? describe : describe.skip)("terraform on every deployment folder", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dds-tf-"));
  const folder = (form: string, arch: string, app: string) => path.join(work, `${form}_${arch}_${app}`);
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    const config = ensureTerraformCliConfig(REPO_ROOT);
    // One shared plugin cache: the provider is unpacked once, then linked into each folder.
    const cache = path.join(REPO_ROOT, ".tfcli", "plugin-cache");
    fs.mkdirSync(cache, { recursive: true });
    // Set for the child processes only; the user's own terraform settings are never touched.
    env = { ...process.env, TF_CLI_CONFIG_FILE: config.file, TF_PLUGIN_CACHE_DIR: cache, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
    for (const [arch, name, app] of cases) {
      writeDeploymentFolder({ repoRoot: REPO_ROOT, app, arch, imageUri: IMAGE, outDir: folder("uri", arch, name) });
      writeDeploymentFolder({ repoRoot: REPO_ROOT, app, arch, outDir: folder("docker", arch, name) });
    }
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const terraform = (cwd: string, args: string[], input?: string) =>
    spawnSync("terraform", [...args, "-no-color"], { cwd, env, encoding: "utf8", input });
  const validate = (cwd: string): string[] => {
    const result = JSON.parse(terraform(cwd, ["validate", "-json"]).stdout) as Validation;
    return result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.summary}: ${d.detail}`);
  };
  const init = (cwd: string) => {
    const run = terraform(cwd, ["init", "-input=false", "-backend=true"]);
    return `${run.stdout}${run.stderr}`;
  };

  test.each(cases)("%s_%s (image-URI form) inits offline from the provider mirror", (arch, name) => {
    expect(init(folder("uri", arch, name))).toMatch(/Terraform has been successfully initialized/);
  });

  test("every stack (image-URI form) validates", () => {
    const root = path.join(work, "all");
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
    const fmt = terraform(work, ["fmt", "-"], fs.readFileSync(path.join(folder("docker", arch, name), "main.tf"), "utf8"));
    expect(fmt.stderr).toBe("");
    expect(fmt.status).toBe(0);
  });

  test("every folder, both forms, is already as terraform fmt writes it", () => {
    const folders = cases.flatMap(([arch, name]) => [folder("uri", arch, name), folder("docker", arch, name)]);
    const check = terraform(work, [
      "fmt",
      "-check",
      "-list=true",
      ...folders.flatMap((dir) => [`${dir}/main.tf`, `${dir}/terraform.tfvars`]),
    ]);
    expect(check.stdout.trim()).toBe("");
    expect(check.status).toBe(0);
  });
});
