import type { Argv } from "yargs";
import { findApp } from "../discovery";
import { parseArchitecture } from "../stacks/factory";
import type { AppSpec } from "../types";
import type { CliContext } from "./context";
import type { Target } from "./deployments";
import { CliError, describeError, EXIT } from "./errors";
import { type OperationsFlags, withOperationsFlags } from "./operations-flags";

/** Flags shared by the commands that pick one app on one target. */
export interface TargetFlags {
  /** ec2 | ecs | ecs-alb | local. */
  arch?: string;
  /** App name or menu number. */
  app?: string;
  /** AWS region. */
  region?: string;
  /** Environment name (--env): deployments of one app in different environments live side by side. */
  env?: string;
}

/** Flags of deploy, plan and the menu. */
export interface DeployFlags extends TargetFlags, OperationsFlags {
  /** Skip the confirmation. */
  yes?: boolean;
  /** Use this image instead of building one. */
  imageUri?: string;
  /** Where the image is built: "local" (the docker provider during apply) or "remote" (AWS CodeBuild). */
  build?: string;
  /** CIDR allowed to reach the app. */
  allowedCidr?: string;
  /** CIDR allowed to SSH to the EC2 instance. */
  sshCidr?: string;
  /** EC2 instance type. */
  instanceType?: string;
  /** Tasks kept running (ECS). */
  desired?: number;
  /** Auto-scaling minimum (ECS + ALB). */
  min?: number;
  /** Auto-scaling maximum (ECS + ALB). */
  max?: number;
  /** Fargate CPU units. */
  cpu?: number;
  /** Fargate memory (MiB). */
  memory?: number;
  /** ACM certificate for HTTPS on the ALB. */
  certificateArn?: string;
  /** Seconds to wait for the app to answer its health check. */
  healthTimeout?: number;
}

/** Adds --arch, --app and --region. */
export function withTarget<T>(yargs: Argv<T>): Argv<T & TargetFlags> {
  return yargs
    .option("arch", { type: "string", describe: "where to run: ec2 | ecs | ecs-alb | local" })
    .option("app", { type: "string", describe: "app name or its number in the menu (see `list`)" })
    .option("region", { type: "string", describe: "AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION or us-east-1)" })
    .option("env", { type: "string", describe: "environment (dev, staging, prod, ...): in names, tags and the folder name" });
}

/** Adds the deployment flags. */
export function withDeployFlags<T>(yargs: Argv<T>): Argv<T & DeployFlags> {
  return withOperationsFlags(withTarget(yargs))
    .option("yes", { alias: "y", type: "boolean", describe: "do not ask for confirmation" })
    .option("image-uri", { type: "string", describe: "deploy this already pushed image instead of building the app's Dockerfile" })
    .option("build", {
      type: "string",
      choices: ["local", "remote"],
      describe: "where to build the image: local (Docker on this machine, default) or remote (AWS CodeBuild, no local Docker)",
    })
    .option("allowed-cidr", { type: "string", describe: "CIDR allowed to reach the app (default 0.0.0.0/0)" })
    .option("ssh-cidr", { type: "string", describe: "CIDR allowed to SSH to the EC2 instance (default: none)" })
    .option("instance-type", { type: "string", describe: "EC2 instance type (default t3.xlarge)" })
    .option("desired", { type: "number", describe: "ECS tasks to start with" })
    .option("min", { type: "number", describe: "auto-scaling minimum (ECS + Load Balancer, default 2)" })
    .option("max", { type: "number", describe: "auto-scaling maximum (ECS + Load Balancer, default 10)" })
    .option("cpu", { type: "number", describe: "Fargate CPU units per task (default: the app's)" })
    .option("memory", { type: "number", describe: "Fargate memory in MiB per task (default: the app's)" })
    .option("certificate-arn", { type: "string", describe: "ACM certificate ARN: serve HTTPS on the load balancer" })
    .option("health-timeout", { type: "number", default: 900, describe: "seconds to wait for the app's health check after apply" }) as Argv<
    T & DeployFlags
  >;
}

/** The region to use: the flag, then the AWS environment variables, then us-east-1. */
export function resolveRegion(flags: TargetFlags, env: NodeJS.ProcessEnv): string {
  return flags.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
}

/** Parses --arch (ec2, ecs, ecs-alb, ecs_alb, local) into a target; a bad value is a usage error. */
export function parseTarget(text: string): Target {
  const lower = text.trim().toLowerCase();
  if (lower === "local") return "local";
  try {
    return parseArchitecture(lower);
  } catch (error) {
    throw new CliError(`${describeError(error)} (or local)`, EXIT.usage);
  }
}

/** Finds the app named (or numbered) by --app; an unknown one is a usage error that lists the valid names. */
export function resolveApp(ctx: CliContext, nameOrPosition: string): AppSpec {
  try {
    return findApp(ctx.discover(), nameOrPosition);
  } catch (error) {
    throw new CliError(describeError(error), EXIT.usage);
  }
}

/** Both --arch and --app, required for commands that act on one deployment. */
export function requireTarget(ctx: CliContext, flags: TargetFlags): { target: Target; app: AppSpec } {
  if (!flags.arch || !flags.app) {
    throw new CliError("both --arch (ec2|ecs|ecs-alb|local) and --app (name or number, see `list`) are required", EXIT.usage);
  }
  return { target: parseTarget(flags.arch), app: resolveApp(ctx, flags.app) };
}

/** Terraform variable -> the flag that sets it. */
const VARIABLE_FLAGS: Record<string, string> = {
  region: "--region",
  allowed_cidr: "--allowed-cidr",
  ssh_cidr: "--ssh-cidr",
  instance_type: "--instance-type",
  desired_count: "--desired",
  min_count: "--min",
  max_count: "--max",
  cpu: "--cpu",
  memory: "--memory",
  certificate_arn: "--certificate-arn",
};

/** The flag that sets a Terraform variable (for messages). */
export function flagOfVariable(variable: string): string {
  return VARIABLE_FLAGS[variable] ?? variable;
}

/** The Terraform variables the flags set (only those given, plus the region). */
export function terraformVariables(flags: DeployFlags, region: string): Record<string, string | number> {
  const variables: Record<string, string | number | undefined> = {
    region,
    allowed_cidr: flags.allowedCidr,
    ssh_cidr: flags.sshCidr,
    instance_type: flags.instanceType,
    desired_count: flags.desired,
    min_count: flags.min,
    max_count: flags.max,
    cpu: flags.cpu,
    memory: flags.memory,
    certificate_arn: flags.certificateArn,
  };
  for (const [key, value] of Object.entries(variables)) {
    if (typeof value === "number" && (!Number.isFinite(value) || value < 0)) {
      throw new CliError(`${flagOfVariable(key)} must be a non-negative number`, EXIT.usage);
    }
  }
  if (flags.min !== undefined && flags.max !== undefined && flags.min > flags.max) {
    throw new CliError(`--min (${flags.min}) is larger than --max (${flags.max})`, EXIT.usage);
  }
  return Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined)) as Record<string, string | number>;
}
