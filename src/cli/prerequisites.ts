import type { CliContext } from "./context";
import { assessDockerBuild } from "./docker-checks";
import { atLeast } from "./doctor";
import { describeError } from "./errors";

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
      fix: "install Terraform >= 1.0 (https://developer.hashicorp.com/terraform/install) or OpenTofu; DDS_TERRAFORM_BIN picks the binary",
    });
  } else if (!atLeast(tfVersion, "1.0")) {
    missing.push({ what: `${terraform.binary} ${tfVersion} is older than 1.0`, fix: "upgrade Terraform to 1.0 or newer" });
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
