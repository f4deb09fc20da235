/**
 * The real terraform for the terraform test project: the project's own CLI config (provider mirror), one shared
 * plugin cache (the provider is unpacked once, then linked into each folder), set for the child processes only,
 * so the user's own terraform settings are never touched.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ensureTerraformCliConfig } from "../../src/terraform/cli-config";
import { REPO_ROOT } from "./apps";

export const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

export interface OfflineTerraform {
  /** A scratch folder for this test file, removed by `cleanup`. */
  work: string;
  /** Runs `terraform ARGS -no-color` in `cwd`. */
  run: (cwd: string, args: string[], input?: string) => { status: number | null; stdout: string; stderr: string };
  /** Error diagnostics of `terraform validate -json`, as "summary: detail". */
  validateErrors: (cwd: string) => string[];
  cleanup: () => void;
}

/** Call inside a describe's beforeAll. */
export function offlineTerraform(prefix: string): OfflineTerraform {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const cache = path.join(REPO_ROOT, ".tfcli", "plugin-cache");
  fs.mkdirSync(cache, { recursive: true });
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: ensureTerraformCliConfig(REPO_ROOT).file,
    TF_PLUGIN_CACHE_DIR: cache,
    TF_IN_AUTOMATION: "1",
    CHECKPOINT_DISABLE: "1",
  };
  const run = (cwd: string, args: string[], input?: string) =>
    spawnSync("terraform", [...args, "-no-color"], { cwd, env, encoding: "utf8", input });
  const validateErrors = (cwd: string): string[] => {
    const result = JSON.parse(run(cwd, ["validate", "-json"]).stdout) as {
      diagnostics: Array<{ severity: string; summary: string; detail: string }>;
    };
    return result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.summary}: ${d.detail}`);
  };
  return { work, run, validateErrors, cleanup: () => fs.rmSync(work, { recursive: true, force: true }) };
}
