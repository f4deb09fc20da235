import { shellCommand } from "../validation/shell";
import type { DeployRequest } from "./aws-deploy";
import { commandHint } from "./labels";
import { DEFAULT_HEALTH_TIMEOUT, flagOfVariable } from "./options";

/**
 * Every flag that shaped a deployment folder, derived from the checked request, so a hint that repeats the
 * command rewrites the folder exactly as this run did (image, region, variables, operations, state, env).
 */
export function deploymentFlags(request: DeployRequest): string[] {
  const ops = request.operations ?? {};
  const words: string[] = [];
  if (request.imageUri !== undefined) words.push("--image-uri", request.imageUri);
  if (request.build === "remote") words.push("--build", "remote");
  words.push("--region", request.region);
  for (const [name, value] of Object.entries(request.variables)) if (name !== "region") words.push(flagOfVariable(name), String(value));
  if (ops.environment) words.push("--env", ops.environment);
  if (ops.alarms) words.push("--alarms");
  if (ops.alertEmail) words.push("--alert-email", ops.alertEmail);
  if (ops.schedule) words.push("--schedule", ops.schedule.text);
  for (const secret of ops.secrets ?? []) words.push("--secret", `${secret.name}=${secret.parameter}`);
  if (!ops.apiKeys) words.push("--no-api-keys");
  else if (!ops.apiKeys.generated) words.push("--api-key-parameter", ops.apiKeys.prefix);
  if (ops.apiKeys?.kmsKeyArn) words.push("--api-key-kms-key", ops.apiKeys.kmsKeyArn);
  if (ops.waf) words.push("--waf");
  if (ops.authFront) words.push("--auth-front", ops.authFront);
  if (ops.stateStore) {
    const store = ops.stateStore;
    words.push("--state-store", store.kind === "url" ? store.url : store.kind);
    if (store.kind === "url" && store.passwordParameter) words.push("--state-store-secret", store.passwordParameter);
  }
  const s3 = request.s3Backend;
  if (s3) {
    words.push("--state-bucket", s3.bucket);
    if (s3.dynamodbTable) words.push("--state-lock-table", s3.dynamodbTable);
    if (s3.region) words.push("--state-region", s3.region);
  }
  const healthTimeout = Math.round(request.healthTimeoutMs / 1000);
  if (healthTimeout !== DEFAULT_HEALTH_TIMEOUT) words.push("--health-timeout", String(healthTimeout));
  return words;
}

/** The command line that runs `command` again on the same folder with the same flags, shell-quoted. */
export function repeatCommand(command: string, request: DeployRequest): string {
  return commandHint(command, request.arch, request.app.name, shellCommand(deploymentFlags(request)));
}
