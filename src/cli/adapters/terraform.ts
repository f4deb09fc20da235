import * as fs from "fs";
import * as path from "path";
import { capture, RunningProcess, startProcess, whichBinary } from "./process";

/** Files of a deployment folder that hold state values (resource attributes, sometimes secrets). */
const STATE_FILES = ["terraform.tfstate", "terraform.tfstate.backup", "tfplan"];

/** Makes the folder's state files readable by their owner only (0600), like the logs. */
export function restrictStateFiles(dir: string): void {
  for (const name of STATE_FILES) {
    try {
      fs.chmodSync(path.join(dir, name), 0o600);
    } catch {
      // not there
    }
  }
}

/** Runs terraform (or OpenTofu) in a deployment folder. Tests replace it with a recording fake. */
export interface TerraformAdapter {
  /** The program used ("terraform", "tofu" or $DDS_TERRAFORM_BIN). */
  readonly binary: string;
  /** Its version (e.g. "1.11.4"), or undefined when it is not installed. */
  version(): Promise<string | undefined>;
  /** Starts one terraform command; every output line goes to `onLine`. */
  run(args: string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): RunningProcess;
}

/** Chooses the binary: $DDS_TERRAFORM_BIN, else terraform when installed, else tofu when installed, else "terraform". */
export function chooseTerraformBinary(env: NodeJS.ProcessEnv): string {
  if (env.DDS_TERRAFORM_BIN) return env.DDS_TERRAFORM_BIN;
  if (whichBinary("terraform", env)) return "terraform";
  if (whichBinary("tofu", env)) return "tofu";
  return "terraform";
}

/** Reads "1.11.4" out of `terraform version -json` or the first line of plain `version` output. */
export function parseTerraformVersion(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { terraform_version?: string };
    if (parsed.terraform_version) return parsed.terraform_version;
  } catch {
    // OpenTofu and old versions print plain text
  }
  return /v?(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

/** The real adapter: spawns the binary. */
export class TerraformCli implements TerraformAdapter {
  constructor(
    readonly binary: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async version(): Promise<string | undefined> {
    try {
      const result = await capture(this.binary, ["version", "-json"], { env: this.env });
      return result.code === 0 ? parseTerraformVersion(result.stdout) : undefined;
    } catch {
      return undefined;
    }
  }

  run(args: string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): RunningProcess {
    // The state holds every resource attribute (and the plan file the same): terraform creates them 0600
    // under umask 077, inherited at spawn; files left by older runs are tightened when it exits.
    const previous = process.umask(0o077);
    let running: RunningProcess;
    try {
      running = startProcess(this.binary, args, { cwd, env, onLine: (line) => onLine(line) });
    } finally {
      process.umask(previous);
    }
    const done = running.done.then((code) => {
      restrictStateFiles(cwd);
      return code;
    });
    return { done, interrupt: () => running.interrupt() };
  }
}
