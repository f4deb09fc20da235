import * as fs from "fs";
import * as path from "path";
import type { Argv } from "yargs";
import { EnvironmentNameError, parseEnvironment } from "../operations/environment";
import { parseSchedule, ScheduleError } from "../operations/schedule";
import { parseSecrets, SecretSpecError } from "../operations/secrets";
import { parseStateStore, STATE_STORE_PASSWORD_VARIABLE, StateStoreSpecError } from "../operations/state-store";
import type { OperationsOptions } from "../operations/types";
import type { S3BackendOptions } from "../stacks/deployment-stack";
import { CliError, EXIT } from "./errors";

/** Flags of the operations features (issue 7) on deploy, plan, cost and the menu. */
export interface OperationsFlags {
  /** CloudWatch alarms, SNS topic and dashboard (--alarms / --no-alarms). */
  alarms?: boolean;
  /** E-mail subscribed to the alarm topic (implies --alarms). */
  alertEmail?: string;
  /** Running window, e.g. "mon-fri 08:00-19:00 Europe/Paris". */
  schedule?: string;
  /** NAME=/ssm/path, repeatable. */
  secret?: string[];
  /** S3 bucket for the Terraform state. */
  stateBucket?: string;
  /** DynamoDB table that locks the state. */
  stateLockTable?: string;
  /** Region of the state bucket (default: the deployment's). */
  stateRegion?: string;
  /** Where the apps keep their online state: memory | elasticache | redis://HOST:PORT/DB | rediss://... */
  stateStore?: string;
  /** SSM parameter holding the password of a --state-store URL. */
  stateStoreSecret?: string;
}

/** Adds the operations flags. */
export function withOperationsFlags<T>(yargs: Argv<T>): Argv<T & OperationsFlags> {
  return yargs
    .option("alarms", { type: "boolean", describe: "CloudWatch alarms, an encrypted SNS topic and a dashboard (--no-alarms: none)" })
    .option("alert-email", { type: "string", describe: "e-mail the alarms notify (SNS asks it to confirm first); implies --alarms" })
    .option("schedule", {
      type: "string",
      describe: 'run only in this window, e.g. "mon-fri 08:00-19:00 Europe/Paris" (stopped or scaled to 0 outside)',
    })
    .option("secret", {
      type: "string",
      array: true,
      describe: "NAME=/ssm/parameter: the parameter as env var NAME in the container (repeatable)",
    })
    .option("state-bucket", { type: "string", describe: "keep the Terraform state in this S3 bucket (see bootstrap-state)" })
    .option("state-lock-table", { type: "string", describe: "DynamoDB table that locks the S3 state (hash key LockID)" })
    .option("state-region", { type: "string", describe: "region of the state bucket and table (default: the deployment's)" })
    .option("state-store", {
      type: "string",
      describe: "apps' online state: elasticache (default on ecs-alb) | memory (default on ec2, ecs) | redis://HOST:PORT/DB | rediss://...",
    })
    .option("state-store-secret", { type: "string", describe: "SSM parameter with the password of a --state-store URL" }) as Argv<
    T & OperationsFlags
  >;
}

/** The operations options the flags ask for; a malformed value is a one-line usage error. */
export function operationsFromFlags(flags: OperationsFlags & { env?: string }): OperationsOptions {
  try {
    if (flags.alarms === false && flags.alertEmail) throw new CliError("--alert-email needs alarms: drop --no-alarms", EXIT.usage);
    if (flags.alertEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(flags.alertEmail)) {
      throw new CliError(`--alert-email "${flags.alertEmail}" is not an e-mail address`, EXIT.usage);
    }
    const secrets = parseSecrets((flags.secret ?? []).map(String));
    const stateStore = parseStateStore(flags.stateStore, flags.stateStoreSecret);
    if (stateStore?.kind === "url" && stateStore.passwordParameter && secrets.some((s) => s.name === STATE_STORE_PASSWORD_VARIABLE)) {
      throw new CliError(`--secret ${STATE_STORE_PASSWORD_VARIABLE} and --state-store-secret set the same variable: keep one`, EXIT.usage);
    }
    return {
      alarms: flags.alarms ?? Boolean(flags.alertEmail),
      alertEmail: flags.alertEmail,
      schedule: flags.schedule !== undefined ? parseSchedule(flags.schedule) : undefined,
      secrets,
      environment: parseEnvironment(flags.env),
      ...(stateStore ? { stateStore } : {}),
    };
  } catch (error) {
    if (
      error instanceof ScheduleError ||
      error instanceof SecretSpecError ||
      error instanceof EnvironmentNameError ||
      error instanceof StateStoreSpecError
    ) {
      throw new CliError(error.message, EXIT.usage);
    }
    throw error;
  }
}

/** The S3 backend the flags ask for, or undefined for state in the deployment folder. */
export function s3BackendFromFlags(flags: OperationsFlags): S3BackendOptions | undefined {
  if (!flags.stateBucket) {
    if (flags.stateLockTable || flags.stateRegion)
      throw new CliError("--state-lock-table and --state-region need --state-bucket", EXIT.usage);
    return undefined;
  }
  return { bucket: flags.stateBucket, dynamodbTable: flags.stateLockTable, region: flags.stateRegion };
}

/** The --env of a command that finds an existing deployment (destroy, logs); a malformed one is a usage error. */
export function environmentFromFlags(flags: { env?: string }): string | undefined {
  try {
    return parseEnvironment(flags.env);
  } catch (error) {
    if (error instanceof EnvironmentNameError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/** True when a deployment folder keeps its state in S3: its local terraform.tfstate says nothing then. */
export function hasRemoteState(dir: string): boolean {
  return fs.existsSync(path.join(dir, "backend.tf"));
}
