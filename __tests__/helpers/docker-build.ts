import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The docker provider's build arguments, evaluated the way terraform evaluates main.tf in the deployment folder. */
export interface EvaluatedBuild {
  context: string;
  dockerfile: string;
  platform?: string;
  build_args?: Record<string, string>;
}

/** The text between the braces of the first `<header> {` block of an HCL file (header matched literally). */
export function blockBody(hcl: string, header: string): string {
  const start = hcl.indexOf(`${header} {`);
  if (start === -1) throw new Error(`no "${header}" block`);
  let depth = 0;
  for (let i = hcl.indexOf("{", start); i < hcl.length; i++) {
    if (hcl[i] === "{") depth++;
    if (hcl[i] === "}" && --depth === 0) return hcl.slice(hcl.indexOf("{", start) + 1, i);
  }
  throw new Error(`unterminated "${header}" block`);
}

/**
 * Evaluates the `build` block of main.tf's docker_image with terraform itself. The block body and main.tf's
 * locals are copied verbatim into a provider-free module next to the deployment folder (same depth, so
 * path.module and abspath resolve alike) and read back with `terraform console`. A build block that refers to
 * anything but locals, or holds a nested block where the provider wants a map, fails here.
 */
export function evaluateDockerBuild(deploymentDir: string, env: NodeJS.ProcessEnv): EvaluatedBuild {
  const mainTf = fs.readFileSync(path.join(deploymentDir, "main.tf"), "utf8");
  const build = blockBody(blockBody(mainTf, 'resource "docker_image" "image_build"'), "build");
  const scratch = `${deploymentDir}.eval`;
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(
    path.join(scratch, "main.tf"),
    `locals {${blockBody(mainTf, "locals")}}\nlocals {\n  docker_image_build = {${build}}\n}\n`,
  );
  const result = spawnSync("terraform", ["console"], {
    cwd: scratch,
    env,
    input: "jsonencode(local.docker_image_build)\n",
    encoding: "utf8",
  });
  fs.rmSync(scratch, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`terraform console failed: ${result.stderr}`);
  return JSON.parse(JSON.parse(result.stdout.trim())) as EvaluatedBuild;
}

/** `docker build` arguments for the provider's build attributes (the same flags the CLI spells them with). */
export function dockerBuildArgv(build: EvaluatedBuild): string[] {
  const args = Object.entries(build.build_args ?? {}).flatMap(([key, value]) => ["--build-arg", `${key}=${value}`]);
  return ["build", "-f", build.dockerfile, ...(build.platform ? ["--platform", build.platform] : []), ...args, build.context];
}

/**
 * Runs `docker build` from the deployment folder (terraform's working directory) against a socket where no
 * daemon listens. DOCKER_BUILDKIT=0 takes the client's classic path, which resolves context and -f with the same
 * docker/cli function (build.GetContextFromLocalDir) the provider's 3.x build calls. A good path gets as far
 * as dialling the daemon; a bad one stops at "unable to prepare context".
 */
export function dockerBuildWithoutDaemon(deploymentDir: string, build: EvaluatedBuild, socket: string): string {
  const result = spawnSync("docker", dockerBuildArgv(build), {
    cwd: deploymentDir,
    env: { ...process.env, DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: "0" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return `${result.stdout}${result.stderr}`;
}

/** True when the docker client is installed (the engine is not needed). */
export const hasDockerClient = spawnSync("docker", ["--version"], { encoding: "utf8" }).status === 0;
/** True when terraform is installed. */
export const hasTerraformCli = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
