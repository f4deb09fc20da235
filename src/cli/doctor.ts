import * as path from "path";
import type { CliContext } from "./context";
import { describeError } from "./errors";
import { MIN_TERRAFORM, REQUIREMENTS, Use, USE_LABELS, USES } from "./prerequisites";

/** What was found on this machine; undefined means "not installed / not reachable". */
export interface MachineFacts {
  /** bash version. */
  bash?: string;
  /** terraform or tofu: which and its version. */
  terraform: { binary: string; version?: string };
  /** docker client version. */
  dockerClient?: string;
  /** docker daemon version, or why it cannot be reached. */
  dockerDaemon: { version?: string; reason?: string };
  /** AWS CLI version. */
  awsCli?: string;
  /** STS caller identity ARN, or why the credentials do not work. */
  awsIdentity: { arn?: string; reason?: string };
  /** node version (without the v). */
  node: string;
  /** npm version. */
  npm?: string;
  /** Free disk bytes at the repository. */
  freeDiskBytes: number;
  /** Total memory bytes. */
  totalMemoryBytes: number;
  /** Versions of the Python lines found ("3.9", "3.12", "3.11"); absent = not found. */
  python?: Record<string, string | undefined>;
  /** tmux version (the test suite drives a terminal with it). */
  tmux?: string;
}

/** One line of the report. */
export interface CheckResult {
  /** What was checked. */
  name: string;
  /** Passed? */
  ok: boolean;
  /** A failure makes the check (and `doctor`) exit non-zero: one of the uses checked for needs it. */
  required: boolean;
  /** The REQUIREMENTS entry it checks (which says the uses that need it). */
  requirement: string;
  /** What was found. */
  detail: string;
  /** How to fix a failure. */
  fix?: string;
}

const GB = 1024 ** 3;

/** True when version `found` (x.y.z) is at least `minimum`. */
export function atLeast(found: string | undefined, minimum: string): boolean {
  if (!found) return false;
  const a = found.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** The uses `doctor` checks for without --for: local serve and the lightest AWS deploy (every deploy needs those). */
export const DEFAULT_USES: Use[] = ["serve", "image"];

/** The uses whose requirements include `id`. */
export function usesOf(id: string): Use[] {
  return REQUIREMENTS.find((requirement) => requirement.id === id)?.uses ?? [];
}

/**
 * Turns the facts into the report lines (pure, so each rule is tested on its own). A check is required when
 * one of `forUses` needs it; the others are reported as warnings.
 */
export function assessMachine(facts: MachineFacts, forUses: Use[] = DEFAULT_USES): CheckResult[] {
  const checks = machineChecks(facts);
  return checks.map((check) => ({ ...check, required: usesOf(check.requirement).some((use) => forUses.includes(use)) }));
}

/** Which uses the checks allow, and for the others the checks that fail them. */
export function readiness(results: CheckResult[]): Array<{ use: Use; label: string; ready: boolean; missing: string[] }> {
  return USES.map((use) => {
    const missing = results.filter((result) => !result.ok && usesOf(result.requirement).includes(use)).map((result) => result.name);
    return { use, label: USE_LABELS[use], ready: missing.length === 0, missing };
  });
}

function machineChecks(facts: MachineFacts): CheckResult[] {
  const version = (found: string | undefined, minimum: string): string => (found ? `${found} (need >= ${minimum})` : "not found");
  const tf = facts.terraform;
  return [
    {
      name: "bash",
      requirement: "bash",
      ok: atLeast(facts.bash, "4.0"),
      required: true,
      detail: version(facts.bash, "4.0"),
      fix: "install bash 4 or newer (macOS: brew install bash)",
    },
    {
      name: tf.binary,
      requirement: "terraform",
      ok: atLeast(tf.version, MIN_TERRAFORM),
      required: true,
      detail: version(tf.version, MIN_TERRAFORM),
      fix: `install Terraform >= ${MIN_TERRAFORM} (https://developer.hashicorp.com/terraform/install) or OpenTofu; DDS_TERRAFORM_BIN picks the binary`,
    },
    {
      name: "docker client",
      requirement: "docker",
      ok: facts.dockerClient !== undefined,
      required: true,
      detail: facts.dockerClient ?? "not found",
      fix: "install Docker (https://docs.docker.com/engine/install/), or deploy with --image-uri or --build remote",
    },
    {
      name: "docker daemon",
      requirement: "docker",
      ok: facts.dockerDaemon.version !== undefined,
      required: true,
      detail: facts.dockerDaemon.version ?? facts.dockerDaemon.reason ?? "not reachable",
      fix: "start the Docker daemon (sudo systemctl start docker) and make sure your user may use it; or deploy with --image-uri or --build remote",
    },
    {
      name: "AWS CLI",
      requirement: "aws",
      ok: facts.awsCli !== undefined,
      required: true,
      detail: facts.awsCli ?? "not found",
      fix: "install the AWS CLI (https://aws.amazon.com/cli/)",
    },
    {
      name: "AWS credentials",
      requirement: "aws",
      ok: facts.awsIdentity.arn !== undefined,
      required: true,
      detail: facts.awsIdentity.arn ?? facts.awsIdentity.reason ?? "none",
      fix: "run `aws configure`, export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or copy templates/credentials to ~/.aws/credentials",
    },
    {
      name: "node",
      requirement: "node",
      ok: atLeast(facts.node, "20.0"),
      required: true,
      detail: version(facts.node, "20.0"),
      fix: "install Node.js 20 or newer (https://nodejs.org/)",
    },
    {
      name: "npm",
      requirement: "node",
      ok: atLeast(facts.npm, "9.0"),
      required: true,
      detail: version(facts.npm, "9.0"),
      fix: "install npm 9 or newer (npm install -g npm)",
    },
    {
      name: "free disk",
      requirement: "disk",
      ok: facts.freeDiskBytes >= 10 * GB,
      required: true,
      detail: `${(facts.freeDiskBytes / GB).toFixed(1)} GB (need >= 10 GB)`,
      fix: "free disk space (docker system prune removes unused images)",
    },
    {
      name: "memory",
      requirement: "memory",
      ok: facts.totalMemoryBytes >= 4 * GB,
      required: true,
      detail: `${(facts.totalMemoryBytes / GB).toFixed(1)} GB (need >= 4 GB)`,
      fix: "use a machine with at least 4 GB of RAM",
    },
    ...pythonChecks(facts),
    {
      name: "tmux",
      requirement: "tmux",
      ok: facts.tmux !== undefined,
      required: true,
      detail: facts.tmux ?? "not found",
      fix: "install tmux (apt-get install -y tmux; brew install tmux)",
    },
  ];
}

/** One check per Python line: 3.9 and 3.12 serve the apps (one of them per app), 3.11 trains. */
function pythonChecks(facts: MachineFacts): CheckResult[] {
  const found = facts.python ?? {};
  const line = (minor: string, requirement: string): CheckResult => ({
    name: `python ${minor}`,
    requirement,
    ok: found[minor] !== undefined,
    required: true,
    detail: found[minor] ?? "not found",
    fix: `install Python ${minor} (pyenv install ${minor}, or python${minor} on PATH; or set PY${minor.replace(".", "")}_PYTHON)`,
  });
  const serving = ["3.9", "3.12"].map((minor) => line(minor, "python-both"));
  // Local serve needs one of the two lines (the app's): it fails only when neither is there.
  const any = serving.some((check) => check.ok);
  return [
    ...serving,
    {
      ...line("3.9 or 3.12", "python"),
      name: "python line",
      ok: any,
      detail: any ? "3.9 or 3.12 found (each app needs its own line)" : "neither 3.9 nor 3.12 found",
      fix: "install Python 3.9 or 3.12 (the app's line)",
    },
    line("3.11", "python-train"),
  ];
}

/** Collects the facts through the context's adapters (slow parts run in parallel). */
export async function gatherFacts(ctx: CliContext, region: string): Promise<MachineFacts> {
  const { adapters } = ctx;
  const identity = async (): Promise<{ arn?: string; reason?: string }> => {
    try {
      return { arn: (await adapters.aws.callerIdentity(region)).arn };
    } catch (error) {
      return { reason: describeError(error) };
    }
  };
  // The serving lines are found the way scripts/python_envs.sh finds them (override, pyenv, PATH).
  const envsScript = path.join(ctx.repoRoot, "scripts", "python_envs.sh");
  const servingLine = (env: string): Promise<string | undefined> => adapters.system.toolVersion("bash", [envsScript, "--which", env]);
  const [bash, tfVersion, dockerClient, dockerDaemon, awsCli, awsIdentity, npm, py39, py312, py311, tmux] = await Promise.all([
    adapters.system.toolVersion("bash", ["--version"]),
    adapters.terraform.version(),
    adapters.docker.clientVersion(),
    adapters.docker.daemon(),
    adapters.aws.cliVersion(),
    identity(),
    adapters.system.toolVersion("npm", ["--version"]),
    servingLine("py39"),
    servingLine("py312"),
    adapters.system.toolVersion(ctx.env.PY311_PYTHON || "python3.11", ["--version"]),
    adapters.system.toolVersion("tmux", ["-V"]),
  ]);
  return {
    bash,
    terraform: { binary: adapters.terraform.binary, version: tfVersion },
    dockerClient,
    dockerDaemon,
    awsCli,
    awsIdentity,
    node: process.versions.node,
    npm,
    freeDiskBytes: adapters.system.freeDiskBytes(ctx.repoRoot),
    totalMemoryBytes: adapters.system.totalMemoryBytes(),
    python: { "3.9": py39, "3.12": py312, "3.11": py311 },
    tmux,
  };
}

/** One printable line per check: "ok      name  detail" or "FAILED  name  detail -> fix". */
export function formatCheck(result: CheckResult): string {
  const status = result.ok ? "ok    " : result.required ? "FAILED" : "warn  ";
  const fix = result.ok || !result.fix ? "" : `  -> ${result.fix}`;
  return `${status}  ${result.name.padEnd(16)} ${result.detail}${fix}`;
}
