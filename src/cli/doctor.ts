import type { CliContext } from "./context";
import { describeError } from "./errors";

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
}

/** One line of the report. */
export interface CheckResult {
  /** What was checked. */
  name: string;
  /** Passed? */
  ok: boolean;
  /** A failure makes the check (and `doctor`) exit non-zero. */
  required: boolean;
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

/** Turns the facts into the report lines (pure, so each rule is tested on its own). */
export function assessMachine(facts: MachineFacts): CheckResult[] {
  const version = (found: string | undefined, minimum: string): string => (found ? `${found} (need >= ${minimum})` : "not found");
  const tf = facts.terraform;
  return [
    {
      name: "bash",
      ok: atLeast(facts.bash, "4.0"),
      required: true,
      detail: version(facts.bash, "4.0"),
      fix: "install bash 4 or newer (macOS: brew install bash)",
    },
    {
      name: tf.binary,
      ok: atLeast(tf.version, "1.0"),
      required: true,
      detail: version(tf.version, "1.0"),
      fix: "install Terraform >= 1.0 (https://developer.hashicorp.com/terraform/install) or OpenTofu; DDS_TERRAFORM_BIN picks the binary",
    },
    {
      name: "docker client",
      ok: facts.dockerClient !== undefined,
      required: true,
      detail: facts.dockerClient ?? "not found",
      fix: "install Docker (https://docs.docker.com/engine/install/)",
    },
    {
      name: "docker daemon",
      ok: facts.dockerDaemon.version !== undefined,
      required: true,
      detail: facts.dockerDaemon.version ?? facts.dockerDaemon.reason ?? "not reachable",
      fix: "start the Docker daemon (sudo systemctl start docker) and make sure your user may use it; or deploy with --image-uri",
    },
    {
      name: "AWS CLI",
      ok: facts.awsCli !== undefined,
      required: true,
      detail: facts.awsCli ?? "not found",
      fix: "install the AWS CLI (https://aws.amazon.com/cli/)",
    },
    {
      name: "AWS credentials",
      ok: facts.awsIdentity.arn !== undefined,
      required: true,
      detail: facts.awsIdentity.arn ?? facts.awsIdentity.reason ?? "none",
      fix: "run `aws configure`, export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or copy templates/credentials to ~/.aws/credentials",
    },
    {
      name: "node",
      ok: atLeast(facts.node, "20.0"),
      required: true,
      detail: version(facts.node, "20.0"),
      fix: "install Node.js 20 or newer (https://nodejs.org/)",
    },
    {
      name: "npm",
      ok: atLeast(facts.npm, "9.0"),
      required: true,
      detail: version(facts.npm, "9.0"),
      fix: "install npm 9 or newer (npm install -g npm)",
    },
    {
      name: "free disk",
      ok: facts.freeDiskBytes >= 10 * GB,
      required: true,
      detail: `${(facts.freeDiskBytes / GB).toFixed(1)} GB (need >= 10 GB)`,
      fix: "free disk space (docker system prune removes unused images)",
    },
    {
      name: "memory",
      ok: facts.totalMemoryBytes >= 4 * GB,
      required: true,
      detail: `${(facts.totalMemoryBytes / GB).toFixed(1)} GB (need >= 4 GB)`,
      fix: "use a machine with at least 4 GB of RAM",
    },
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
  const [bash, tfVersion, dockerClient, dockerDaemon, awsCli, awsIdentity, npm] = await Promise.all([
    adapters.system.toolVersion("bash", ["--version"]),
    adapters.terraform.version(),
    adapters.docker.clientVersion(),
    adapters.docker.daemon(),
    adapters.aws.cliVersion(),
    identity(),
    adapters.system.toolVersion("npm", ["--version"]),
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
  };
}

/** One printable line per check: "ok      name  detail" or "FAILED  name  detail -> fix". */
export function formatCheck(result: CheckResult): string {
  const status = result.ok ? "ok    " : result.required ? "FAILED" : "warn  ";
  const fix = result.ok || !result.fix ? "" : `  -> ${result.fix}`;
  return `${status}  ${result.name.padEnd(16)} ${result.detail}${fix}`;
}
