import type { Argv } from "yargs";
import { clashingApp } from "../deployment-names";
import { findApp } from "../discovery";
import { stackVariableSpecs } from "../stacks/deployment-stack";
import { architecture, parseArchitecture, UnknownArchitectureError } from "../architectures";
import { EC2_DEFAULTS } from "../architectures/ec2";
import { ECS_ALB_DEFAULTS, ecsAlb } from "../architectures/ecs-alb";
import { DEFAULT_REGION } from "../stacks/variables";
import type { AppSpec, Architecture } from "../types";
import { InputError } from "../validation/errors";
import { parseRegion } from "../validation/regions";
import {
  checkFargateSize,
  parseCertificateArn,
  parseCidr,
  parseImageReference,
  parseInstanceType,
  parseWholeNumber,
} from "../validation/values";
import type { DeployRequest } from "./aws-deploy";
import type { CliContext } from "./context";
import type { Target } from "./deployments";
import { CliError, EXIT } from "./errors";
import { archFlagList, TARGET_LABELS } from "./labels";
import { type OperationsFlags, operationsFromFlags, s3BackendFromFlags, withOperationsFlags } from "./operations-flags";

/** Seconds deploy waits for the health check unless --health-timeout says otherwise. */
export const DEFAULT_HEALTH_TIMEOUT = 900;
import { type ApiKeyFlags, apiKeysFromFlags, withApiKeyFlags } from "./api-keys";
import { type AuthFrontFlags, authFrontFromFlags, keyFlagsBehindFront, withAuthFrontFlag } from "./auth-front";

/** Flags shared by the commands that pick one app on one target. */
export interface TargetFlags {
  /** An architecture's --arch spelling, or local. */
  arch?: string;
  /** App name or menu number. */
  app?: string;
  /** AWS region. */
  region?: string;
  /** Environment name (--env): deployments of one app in different environments live side by side. */
  env?: string;
}

/** Flags of deploy, plan and the menu. */
export interface DeployFlags extends TargetFlags, OperationsFlags, ApiKeyFlags, AuthFrontFlags {
  /** Requests per IP per 5 minutes before WAF blocks (with --waf). */
  wafRateLimit?: number;
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
    .option("arch", { type: "string", describe: `where to run: ${archFlagList()}` })
    .option("app", { type: "string", describe: "app name or its number in the menu (see `list`)" })
    .option("region", { type: "string", describe: `AWS region (default: $AWS_REGION, $AWS_DEFAULT_REGION or ${DEFAULT_REGION})` })
    .option("env", { type: "string", describe: "environment (dev, staging, prod, ...): in names, tags and the folder name" });
}

/** Adds the deployment flags. */
export function withDeployFlags<T>(yargs: Argv<T>): Argv<T & DeployFlags> {
  return withAuthFrontFlag(withApiKeyFlags(withOperationsFlags(withTarget(yargs))))
    .option("yes", { alias: "y", type: "boolean", describe: "do not ask for confirmation" })
    .option("image-uri", { type: "string", describe: "deploy this already pushed image instead of building the app's Dockerfile" })
    .option("build", {
      type: "string",
      choices: ["local", "remote"],
      describe: "where to build the image: local (Docker on this machine, default) or remote (AWS CodeBuild, no local Docker)",
    })
    .option("allowed-cidr", { type: "string", describe: "CIDR allowed to reach the app (default 0.0.0.0/0)" })
    .option("ssh-cidr", { type: "string", describe: "CIDR allowed to SSH to the EC2 instance (default: none)" })
    .option("instance-type", { type: "string", describe: `EC2 instance type (default ${EC2_DEFAULTS.instanceType})` })
    .option("desired", { type: "number", describe: "ECS tasks to start with" })
    .option("min", { type: "number", describe: `auto-scaling minimum (${ecsAlb.shortLabel}, default ${ECS_ALB_DEFAULTS.minCount})` })
    .option("max", { type: "number", describe: `auto-scaling maximum (${ecsAlb.shortLabel}, default ${ECS_ALB_DEFAULTS.maxCount})` })
    .option("cpu", { type: "number", describe: "Fargate CPU units per task (default: the app's)" })
    .option("memory", { type: "number", describe: "Fargate memory in MiB per task (default: the app's)" })
    .option("certificate-arn", { type: "string", describe: "ACM certificate ARN: serve HTTPS on the load balancer" })
    .option("health-timeout", {
      type: "number",
      default: DEFAULT_HEALTH_TIMEOUT,
      describe: "seconds to wait for the app's health check after apply",
    }) as Argv<T & DeployFlags>;
}

/** The region to use: the flag, then the AWS environment variables, then us-east-1; checked against the provider's list. */
export function resolveRegion(flags: TargetFlags, env: NodeJS.ProcessEnv): string {
  if (flags.region) return parseRegion(flags.region, "--region");
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = env[name];
    if (value) return parseRegion(value, name);
  }
  return DEFAULT_REGION;
}

/** Parses --arch (an architecture's id or flag spelling, or local) into a target. */
export function parseTarget(text: string): Target {
  const lower = text.trim().toLowerCase();
  if (lower === "local") return "local";
  try {
    return parseArchitecture(lower);
  } catch (error) {
    if (error instanceof UnknownArchitectureError) throw new InputError(`${error.message} (or local)`);
    throw error;
  }
}

/** Finds the app named (or numbered) by --app; an unknown one is an InputError listing the valid names. */
export function resolveApp(ctx: CliContext, nameOrPosition: string): AppSpec {
  return findApp(ctx.discover(), nameOrPosition);
}

/** Both --arch and --app, required for commands that act on one deployment. */
export function requireTarget(ctx: CliContext, flags: TargetFlags): { target: Target; app: AppSpec } {
  if (!flags.arch || !flags.app) {
    throw new CliError(`both --arch (${archFlagList("|")}) and --app (name or number, see \`list\`) are required`, EXIT.usage);
  }
  return { target: parseTarget(flags.arch), app: resolveApp(ctx, flags.app) };
}

/** ECS's cap on tasks per service. */
const MAX_TASKS = 5000;
/** The longest health wait accepted (a day). */
const MAX_HEALTH_TIMEOUT = 86_400;

/**
 * Checks every deploy flag that does not depend on the app or the architecture (the menu asks for those later),
 * and warns about values that are valid but risky. Bad input throws an InputError before anything is written.
 */
export function checkDeployFlags(ctx: CliContext, flags: DeployFlags): void {
  const region = resolveRegion(flags, ctx.env);
  if (flags.imageUri !== undefined) parseImageReference(flags.imageUri);
  terraformVariables(flags, region);
  operationsFromFlags(flags);
  s3BackendFromFlags(flags);
  if (flags.healthTimeout !== undefined) parseWholeNumber(flags.healthTimeout, "--health-timeout", 0, MAX_HEALTH_TIMEOUT);
  if (flags.sshCidr === "0.0.0.0/0") {
    ctx.out.err("warning: --ssh-cidr 0.0.0.0/0 opens SSH to the whole internet; prefer your own address, e.g. 203.0.113.7/32");
  }
}

/**
 * The whole request of one AWS deployment, every flag checked, including what depends on the app and the
 * architecture (a Fargate size valid with the app's defaults, flags that apply to the architecture, the
 * certificate's region). Bad input throws an InputError; nothing is written.
 */
export function deployRequest(ctx: CliContext, arch: Architecture, app: AppSpec, flags: DeployFlags, planOnly = false): DeployRequest {
  const region = resolveRegion(flags, ctx.env);
  const imageUri = flags.imageUri === undefined ? undefined : parseImageReference(flags.imageUri);
  const variables = terraformVariables(flags, region);
  const base = operationsFromFlags(flags);
  const front = authFrontFromFlags(flags, arch);
  const operations = { ...base, ...apiKeysFromFlags(keyFlagsBehindFront(flags), arch, app.name, base.environment), ...front };
  const clash = clashingApp(
    app.name,
    base.environment,
    ctx.discover().apps.map((found) => found.name),
  );
  if (clash)
    throw new InputError(`--env ${base.environment} would name ${app.name}'s folder like the app ${clash}'s; choose another --env`);
  const declared = stackVariableSpecs({ app, arch, imageUri, region, operations });
  const foreign = Object.keys(variables).filter((name) => !(name in declared));
  if (foreign.length > 0) throw new InputError(`${foreign.map(flagOfVariable).join(", ")} does not apply to ${TARGET_LABELS[arch]}`);
  if (architecture(arch).compute === "fargate")
    checkFargateSize({ cpu: flags.cpu ?? app.resources.cpu, memory: flags.memory ?? app.resources.memory });
  if (flags.certificateArn !== undefined) {
    const certificate = parseCertificateArn(flags.certificateArn);
    if (certificate.region !== region) {
      throw new InputError(`--certificate-arn is in ${certificate.region}; the load balancer needs a certificate of ${region}`);
    }
  }
  const healthTimeout = parseWholeNumber(flags.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT, "--health-timeout", 0, MAX_HEALTH_TIMEOUT);
  return {
    app,
    arch,
    region,
    imageUri,
    build: flags.build === "remote" && imageUri === undefined ? "remote" : undefined,
    variables,
    operations,
    s3Backend: s3BackendFromFlags(flags),
    healthTimeoutMs: healthTimeout * 1000,
    planOnly,
  };
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
  waf_rate_limit: "--waf-rate-limit",
};

/** The flag that sets a Terraform variable (for messages). */
export function flagOfVariable(variable: string): string {
  return VARIABLE_FLAGS[variable] ?? variable;
}

/** The Terraform variables the flags set (only those given, plus the region), each checked. */
export function terraformVariables(flags: DeployFlags, region: string): Record<string, string | number> {
  const count = (value: number | undefined, flag: string, min: number) =>
    value === undefined ? undefined : parseWholeNumber(value, flag, min, MAX_TASKS);
  const variables: Record<string, string | number | undefined> = {
    region,
    allowed_cidr: flags.allowedCidr === undefined ? undefined : parseCidr(flags.allowedCidr, "--allowed-cidr"),
    ssh_cidr: flags.sshCidr === undefined || flags.sshCidr === "" ? flags.sshCidr : parseCidr(flags.sshCidr, "--ssh-cidr"),
    instance_type: flags.instanceType === undefined ? undefined : parseInstanceType(flags.instanceType),
    desired_count: count(flags.desired, "--desired", 0),
    min_count: count(flags.min, "--min", 1),
    max_count: count(flags.max, "--max", 1),
    cpu: flags.cpu === undefined ? undefined : parseWholeNumber(flags.cpu, "--cpu", 256, 16384),
    memory: flags.memory === undefined ? undefined : parseWholeNumber(flags.memory, "--memory", 512, 122880),
    certificate_arn: flags.certificateArn === undefined ? undefined : parseCertificateArn(flags.certificateArn).arn,
    waf_rate_limit:
      flags.wafRateLimit === undefined ? undefined : parseWholeNumber(flags.wafRateLimit, "--waf-rate-limit", 10, 2_000_000_000),
  };
  if (flags.min !== undefined && flags.max !== undefined && flags.min > flags.max) {
    throw new InputError(`--min (${flags.min}) is larger than --max (${flags.max})`);
  }
  return Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined)) as Record<string, string | number>;
}
