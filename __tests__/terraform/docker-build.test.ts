/**
 * The docker form's build arguments, checked as far as this machine allows without a Docker engine or the
 * kreuzwerker/docker provider (not in the offline mirror, so these folders cannot be `terraform init`ed):
 * terraform parses every main.tf and evaluates the build block from the deployment folder, and the real
 * docker client resolves the resulting context and Dockerfile for every app.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeDeploymentFolder } from "../../src/deployment-folder";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";
import { dockerBuildWithoutDaemon, evaluateDockerBuild, hasDockerClient, hasTerraformCli } from "../helpers/docker-build";

const NO_DAEMON = /Cannot connect to the Docker daemon/;
const BAD_PATH = /unable to prepare context/;

(hasDockerClient && hasTerraformCli ? describe : describe.skip)("docker form build arguments through docker build", () => {
  // A repository root of its own with apps/ in it, so the deployment folders sit where the CLI writes them.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dds-docker-"));
  const socket = path.join(root, "no-daemon.sock");
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: path.join(root, "none.tfrc") };
  beforeAll(() => {
    fs.symlinkSync(path.join(REPO_ROOT, "apps"), path.join(root, "apps"));
    fs.writeFileSync(env.TF_CLI_CONFIG_FILE, "");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const folder = (arch: (typeof ARCHITECTURES)[number], app: ReturnType<typeof appsUnderTest>[number]) =>
    writeDeploymentFolder({ repoRoot: root, app, arch }).dir;

  test.each(appsUnderTest().map((app) => [app.name, app] as const))("%s: paths resolve and the build reaches the daemon", (_name, app) => {
    for (const arch of ARCHITECTURES) {
      const dir = folder(arch, app);
      const fmt = spawnSync("terraform", ["fmt", "-write=false", "-no-color", "main.tf"], { cwd: dir, env, encoding: "utf8" });
      expect(fmt.stderr).toBe("");
      const build = evaluateDockerBuild(dir, env);
      expect(build).toEqual({
        context: path.join(root, "apps"),
        dockerfile: path.join(root, "apps", app.dockerfile),
        platform: "linux/amd64",
        build_args: { APP: app.name, PYTHON_VERSION: app.pythonVersion },
      });
      const output = dockerBuildWithoutDaemon(dir, build, socket);
      expect(output).not.toMatch(BAD_PATH);
      expect(output).toMatch(NO_DAEMON);
    }
  });

  test("today's relative dockerfile fails from the deployment folder, the absolute one does not", () => {
    const app = appsUnderTest().find((a) => a.name === "flask-xgboost-app") ?? appsUnderTest()[0];
    const dir = folder("ecs", app);
    const fixed = fs.readFileSync(path.join(dir, "main.tf"), "utf8");
    // The folder as the previous version wrote it: context relative to the module, dockerfile relative to the context.
    const before = fixed
      .replace(/abspath\("\$\{path\.module\}\/\.\.\/apps"\)/, '"${path.module}/../apps"')
      .replace(/dockerfile = "\$\{local\.image_docker_build_context\}\/([^"]+)"/, 'dockerfile = "$1"');
    expect(before).not.toBe(fixed);
    fs.writeFileSync(path.join(dir, "main.tf"), before);
    const old = evaluateDockerBuild(dir, env);
    expect(old).toMatchObject({ context: "./../apps", dockerfile: app.dockerfile });
    const oldOutput = dockerBuildWithoutDaemon(dir, old, socket);
    expect(oldOutput).toMatch(BAD_PATH);
    expect(oldOutput).toContain(path.join(dir, app.dockerfile));

    fs.writeFileSync(path.join(dir, "main.tf"), fixed);
    expect(dockerBuildWithoutDaemon(dir, evaluateDockerBuild(dir, env), socket)).toMatch(NO_DAEMON);
  });
});
