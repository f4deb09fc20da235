import type { CliContext } from "./context";
import { assessDockerBuild } from "./docker-checks";
import { atLeast } from "./doctor";
import { describeError } from "./errors";

/** What the machine is used for; each needs its own subset of the requirements. */
export type Use = "serve" | "image" | "remote" | "build" | "tests" | "training";

/** Every use, in the order doctor and the README list them. */
export const USES: Use[] = ["serve", "image", "remote", "build", "tests", "training"];

/** How a person names each use. */
export const USE_LABELS: Record<Use, string> = {
  serve: "local serve",
  image: "deploy with --image-uri",
  remote: "deploy with --build remote",
  build: "deploy with a local Docker build (the default)",
  tests: "the test suite",
  training: "retraining the models",
};

/** One thing the machine must have, in README wording, and the uses that need it. */
export interface Requirement {
  /** The check's id (doctor's checks name theirs). */
  id: string;
  /** README wording, e.g. "terraform >= 1.5 (or OpenTofu)". */
  needs: string;
  /** The uses that need it. */
  uses: Use[];
}

/** The oldest terraform the CLI supports (its -json events and the generated Terraform need it). */
export const MIN_TERRAFORM = "1.5";

const EVERY_USE: Use[] = [...USES];
const DEPLOYS: Use[] = ["image", "remote", "build"];

/**
 * The one list of requirements: doctor checks and prints it, and a test holds the README's "Needs" paragraph
 * (needsParagraph) to it, so the two cannot disagree.
 */
export const REQUIREMENTS: Requirement[] = [
  { id: "bash", needs: "bash >= 4", uses: EVERY_USE },
  { id: "node", needs: "Node.js >= 20 with npm >= 9", uses: EVERY_USE },
  { id: "disk", needs: "10 GB free disk", uses: EVERY_USE },
  { id: "memory", needs: "4 GB RAM", uses: EVERY_USE },
  { id: "python", needs: "the app's Python line, 3.9 or 3.12 (pyenv or on PATH)", uses: ["serve"] },
  { id: "terraform", needs: `terraform >= ${MIN_TERRAFORM} (or OpenTofu)`, uses: [...DEPLOYS, "tests"] },
  { id: "aws", needs: "the AWS CLI with working credentials", uses: DEPLOYS },
  { id: "docker", needs: "a Docker engine (client and daemon)", uses: ["build"] },
  { id: "python-both", needs: "Python 3.9 and 3.12", uses: ["tests"] },
  { id: "tmux", needs: "tmux", uses: ["tests"] },
  { id: "python-train", needs: "Python 3.11", uses: ["training"] },
];

/** The requirements of one use. */
export function requirementsFor(use: Use): Requirement[] {
  return REQUIREMENTS.filter((requirement) => requirement.uses.includes(use));
}

/**
 * The README's "Needs" paragraph, generated from REQUIREMENTS: what every use needs, then what each use adds.
 * Uses that add the same things share a line ("deploy with --image-uri or --build remote").
 */
export function needsParagraph(): string {
  const common = REQUIREMENTS.filter((requirement) => requirement.uses.length === USES.length);
  const lines = [`Needs: ${common.map((requirement) => requirement.needs).join(", ")}; then, by use:`];
  const seen = new Set<Use>();
  for (const use of USES) {
    if (seen.has(use)) continue;
    const adds = requirementsFor(use).filter((requirement) => !common.includes(requirement));
    const key = adds.map((requirement) => requirement.id).join(",");
    const same = USES.filter(
      (other) =>
        !seen.has(other) &&
        requirementsFor(other)
          .filter((r) => !common.includes(r))
          .map((r) => r.id)
          .join(",") === key,
    );
    for (const other of same) seen.add(other);
    const label = same.map((other) => USE_LABELS[other]).join(" or ");
    lines.push(`- ${label}: ${adds.map((requirement) => requirement.needs).join(", ")}`);
  }
  const check = "`./verify_prerequisites.sh` (or `doctor`) checks them and says which uses are ready; `doctor --for build` checks one use.";
  return `${lines.join("\n")}\n\n${check}`;
}

/** A prerequisite a deployment lacks, with the way to get it. */
export interface Missing {
  /** What is missing, one line. */
  what: string;
  /** What to do about it. */
  fix: string;
}

/**
 * What an AWS deployment from this machine still lacks: terraform/tofu, the AWS CLI with working
 * credentials, and (unless an image URI is given) Docker to build the image. Empty when ready.
 */
export async function deployPrerequisites(ctx: CliContext, region: string, needDocker: boolean): Promise<Missing[]> {
  const { terraform, aws, docker } = ctx.adapters;
  const missing: Missing[] = [];
  const [tfVersion, awsVersion] = await Promise.all([terraform.version(), aws.cliVersion()]);
  if (!tfVersion) {
    missing.push({
      what: `${terraform.binary} not found`,
      fix: `install Terraform >= ${MIN_TERRAFORM} (https://developer.hashicorp.com/terraform/install) or OpenTofu; DDS_TERRAFORM_BIN picks the binary`,
    });
  } else if (!atLeast(tfVersion, MIN_TERRAFORM)) {
    missing.push({
      what: `${terraform.binary} ${tfVersion} is older than ${MIN_TERRAFORM}`,
      fix: `upgrade Terraform to ${MIN_TERRAFORM} or newer`,
    });
  }
  if (!awsVersion) {
    missing.push({ what: "AWS CLI not found", fix: "install the AWS CLI (https://aws.amazon.com/cli/)" });
  } else {
    try {
      await aws.callerIdentity(region);
    } catch (error) {
      missing.push({
        what: `no working AWS credentials (${describeError(error)})`,
        fix: "run `aws configure` or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (see templates/credentials)",
      });
    }
  }
  if (needDocker) {
    const [client, daemon] = await Promise.all([docker.clientVersion(), docker.daemon()]);
    if (!client) {
      missing.push({
        what: "docker not found (needed to build the image)",
        fix: "install Docker, or pass --image-uri with an image already pushed",
      });
    } else if (!daemon.version) {
      missing.push({
        what: `Docker daemon not reachable (${daemon.reason ?? "no answer"})`,
        fix: "start the Docker daemon, or pass --image-uri with an image already pushed",
      });
    } else {
      missing.push(...(await dockerStoreProblems(ctx)));
    }
  }
  return missing;
}

/** The docker provider's build cannot use the containerd image store: say so before terraform apply fails on it. */
async function dockerStoreProblems(ctx: CliContext): Promise<Missing[]> {
  const problem = assessDockerBuild(await ctx.adapters.docker.imageStore?.()).find((check) => !check.ok);
  return problem ? [{ what: problem.detail, fix: problem.fix ?? "" }] : [];
}
