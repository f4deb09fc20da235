import * as fs from "fs";
import * as path from "path";
import type { Argv } from "yargs";
import { architectureDefinitions } from "../architectures";
import { parseEnvironment } from "../operations/environment";
import { parseSchedule } from "../operations/schedule";
import { parseSecrets } from "../operations/secrets";
import { parseStateStore, STATE_STORE_PASSWORD_VARIABLE } from "../operations/state-store";
import type { OperationsOptions } from "../operations/types";
import type { S3BackendOptions } from "../deployment-request";
import { InputError } from "../validation/errors";
import { parseRegion } from "../validation/regions";
import { parseBucketName, parseEmail, parseTableName } from "../validation/values";

/** Flags of the operations features on deploy, plan, cost and the menu. */
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

/** The --arch spellings whose default state store is `kind`, e.g. "ec2, ecs". */
function storeDefaultFlags(kind: "memory" | "elasticache"): string {
  return architectureDefinitions()
    .filter((def) => def.defaultStateStore === kind)
    .map((def) => def.flag)
    .join(", ");
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
      describe: `apps' online state: ${(["elasticache", "memory"] as const).map((kind) => `${kind} (default on ${storeDefaultFlags(kind)})`).join(" | ")} | redis://HOST:PORT/DB | rediss://...`,
    })
    .option("state-store-secret", { type: "string", describe: "SSM parameter with the password of a --state-store URL" }) as Argv<
    T & OperationsFlags
  >;
}

/** The operations options the flags ask for; a malformed value throws an InputError (one line). */
export function operationsFromFlags(flags: OperationsFlags & { env?: string }): OperationsOptions {
  if (flags.alarms === false && flags.alertEmail) throw new InputError("--alert-email needs alarms: drop --no-alarms");
  const secrets = parseSecrets((flags.secret ?? []).map(String));
  const stateStore = parseStateStore(flags.stateStore, flags.stateStoreSecret);
  if (stateStore?.kind === "url" && stateStore.passwordParameter && secrets.some((s) => s.name === STATE_STORE_PASSWORD_VARIABLE)) {
    throw new InputError(`--secret ${STATE_STORE_PASSWORD_VARIABLE} and --state-store-secret set the same variable: keep one`);
  }
  return {
    alarms: flags.alarms ?? Boolean(flags.alertEmail),
    alertEmail: flags.alertEmail === undefined ? undefined : parseEmail(flags.alertEmail, "--alert-email"),
    schedule: flags.schedule !== undefined ? parseSchedule(flags.schedule) : undefined,
    secrets,
    environment: parseEnvironment(flags.env),
    ...(stateStore ? { stateStore } : {}),
  };
}

/** The S3 backend the flags ask for, or undefined for state in the deployment folder. */
export function s3BackendFromFlags(flags: OperationsFlags): S3BackendOptions | undefined {
  if (!flags.stateBucket) {
    if (flags.stateLockTable || flags.stateRegion) throw new InputError("--state-lock-table and --state-region need --state-bucket");
    return undefined;
  }
  return {
    bucket: parseBucketName(flags.stateBucket, "--state-bucket"),
    dynamodbTable: flags.stateLockTable === undefined ? undefined : parseTableName(flags.stateLockTable, "--state-lock-table"),
    region: flags.stateRegion === undefined ? undefined : parseRegion(flags.stateRegion, "--state-region"),
  };
}

/** The --env of a command that finds an existing deployment (destroy, logs). */
export function environmentFromFlags(flags: { env?: string }): string | undefined {
  return parseEnvironment(flags.env);
}

/** True when a deployment folder keeps its state in S3: its local terraform.tfstate says nothing then. */
export function hasRemoteState(dir: string): boolean {
  return fs.existsSync(path.join(dir, "backend.tf"));
}
