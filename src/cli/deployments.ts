import * as fs from "fs";
import * as path from "path";
import { DEPLOYMENT_DIR_PREFIX, parseDeploymentDirName, type Target } from "../deployment-names";

export { localDirName, parseDeploymentDirName, type Target } from "../deployment-names";

/** What a deployment folder holds. */
export interface DeploymentInfo {
  /** Absolute path of the folder. */
  dir: string;
  /** Where it deploys to. */
  target: Target;
  /** App name. */
  app: string;
  /** The --env the folder was deployed with, when its name carries one (deployment_<arch>_<app>_<env>). */
  environment?: string;
  /** Resources in terraform.tfstate (0 when never applied or destroyed). */
  resources: number;
  /** Terraform outputs recorded in the state. */
  outputs: Record<string, unknown>;
  /** The region the folder was written for, when terraform.tfvars says. */
  region?: string;
  /** True when a terraform.tfstate file exists. */
  hasState: boolean;
  /** True when backend.tf keeps the state in S3; `outputs` then come from the cache written after apply. */
  remoteState: boolean;
}

/**
 * With an S3 backend the folder has no terraform.tfstate, so the CLI keeps the outputs of the last apply here
 * (URLs and resource names only) for status, logs, the health wait and destroy's checks.
 */
export const OUTPUTS_CACHE = "outputs.json";

/** Reads resources and outputs from a terraform.tfstate text (version 4 format). */
export function parseState(text: string): { resources: number; outputs: Record<string, unknown> } {
  const state = JSON.parse(text) as {
    resources?: Array<{ mode?: string; instances?: unknown[] }>;
    outputs?: Record<string, { value: unknown }>;
  };
  const resources = (state.resources ?? []).filter((r) => r.mode !== "data").reduce((sum, r) => sum + (r.instances?.length ?? 1), 0);
  const outputs = Object.fromEntries(Object.entries(state.outputs ?? {}).map(([key, output]) => [key, output.value]));
  return { resources, outputs };
}

/** The `region = "..."` value of a terraform.tfvars text (or tfvars.json), if any. */
export function parseRegion(text: string): string | undefined {
  const json = /"region"\s*:\s*"([^"]+)"/.exec(text);
  if (json) return json[1];
  return /^\s*region\s*=\s*"([^"]+)"/m.exec(text)?.[1];
}

/** Reads one deployment folder (`appNames`: the discovered apps, to recognise an --env suffix). */
export function readDeployment(dir: string, appNames: readonly string[] = []): DeploymentInfo | undefined {
  const parsed = parseDeploymentDirName(path.basename(dir), appNames);
  if (!parsed || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return undefined;
  const stateFile = path.join(dir, "terraform.tfstate");
  const hasState = fs.existsSync(stateFile);
  let state: { resources: number; outputs: Record<string, unknown> } = { resources: 0, outputs: {} };
  if (hasState) {
    try {
      state = parseState(fs.readFileSync(stateFile, "utf8"));
    } catch {
      // a half-written state is reported as present with no resources; terraform itself will complain
    }
  }
  const remoteState = fs.existsSync(path.join(dir, "backend.tf"));
  const cache = path.join(dir, OUTPUTS_CACHE);
  if (!hasState && remoteState && fs.existsSync(cache)) {
    try {
      state = { resources: 0, outputs: JSON.parse(fs.readFileSync(cache, "utf8")) as Record<string, unknown> };
    } catch {
      // an unreadable cache is as good as none: `terraform output` in the folder still works
    }
  }
  const tfvars = ["terraform.tfvars", "terraform.tfvars.json"].map((file) => path.join(dir, file)).find((file) => fs.existsSync(file));
  const region = tfvars ? parseRegion(fs.readFileSync(tfvars, "utf8")) : undefined;
  return { dir, ...parsed, ...state, region, hasState, remoteState };
}

/** Every deployment folder directly under the repository root, by name. */
export function listDeployments(repoRoot: string, appNames: readonly string[] = []): DeploymentInfo[] {
  return fs
    .readdirSync(repoRoot)
    .filter((name) => name.startsWith(DEPLOYMENT_DIR_PREFIX))
    .sort()
    .map((name) => readDeployment(path.join(repoRoot, name), appNames))
    .filter((info): info is DeploymentInfo => info !== undefined);
}

/** An output as a string, or undefined when absent or not a string. */
export function outputString(info: DeploymentInfo, key: string): string | undefined {
  const value = info.outputs[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}
