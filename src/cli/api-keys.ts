/**
 * The deployer's side of API keys: generated at deploy time into SSM SecureStrings (never into Terraform, a log or
 * the deployment folder), checked when brought by the user, deleted with the deployment when generated, and
 * generated per run for a local `serve --require-keys`.
 */
import { randomBytes } from "crypto";
import {
  API_KEY_ENV,
  API_KEY_SCOPES,
  apiKeyParameters,
  generatedKeyPrefix,
  REQUIRE_KEYS_ENV,
  type ApiKeyScope,
  type ApiKeysConfig,
} from "../constructs/api-keys";
import { deploymentName, MANAGED_BY } from "../constructs/naming";
import { checkWafTarget } from "../architectures";
import type { Argv } from "yargs";
import type { CliContext } from "./context";
import type { DeploymentInfo, Target } from "./deployments";
import { outputString } from "./deployments";
import { CliError, describeError, EXIT } from "./errors";
import { InputError } from "../validation/errors";

/** Flags of the API keys and the WAF on deploy, plan, cost and the menu. */
export interface ApiKeyFlags {
  /** --no-api-keys turns authentication off (e.g. behind an authenticating front); default on. */
  apiKeys?: boolean;
  /** SSM prefix holding your own "scoring" and "labelling" SecureStrings. */
  apiKeyParameter?: string;
  /** Customer managed KMS key ARN the parameters are (or are to be) encrypted with. */
  apiKeyKmsKey?: string;
  /** AWS WAF per-IP rate limit on the load balancer (ECS + ALB). */
  waf?: boolean;
}

/** The tag that marks parameters the deployer generated: only those are deleted by destroy. */
export const GENERATED_TAG = { Key: "dds:api-keys", Value: "generated" } as const;

/** A new key: 32 random bytes as hex behind a recognisable prefix (URL- and header-safe, no comma). */
export function generateApiKey(): string {
  return `ddsk_${randomBytes(32).toString("hex")}`;
}

// SSM names: letters, digits and . - _ /; "aws" and "ssm" prefixes are AWS's own.
const PREFIX = /^\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** The keys and WAF the flags ask for on `target`; a malformed or inapplicable value is a one-line usage error. */
export function apiKeysFromFlags(
  flags: ApiKeyFlags & { wafRateLimit?: number },
  target: Target,
  appName: string,
  environment?: string,
): { apiKeys?: ApiKeysConfig; waf?: boolean } {
  checkWafTarget(target, flags.waf);
  if (flags.wafRateLimit !== undefined && !flags.waf) throw new InputError("--waf-rate-limit needs --waf");
  if (flags.apiKeys === false && (flags.apiKeyParameter || flags.apiKeyKmsKey)) {
    throw new InputError("--api-key-parameter and --api-key-kms-key need API keys: drop --no-api-keys");
  }
  if (flags.apiKeyKmsKey !== undefined && !KMS_KEY_ARN.test(flags.apiKeyKmsKey)) {
    throw new InputError(
      `--api-key-kms-key ${JSON.stringify(flags.apiKeyKmsKey)} must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)`,
    );
  }
  const byo = flags.apiKeyParameter?.replace(/\/+$/, "");
  if (byo !== undefined && (!PREFIX.test(byo) || /^\/(aws|ssm)/i.test(byo))) {
    throw new InputError(`--api-key-parameter ${JSON.stringify(flags.apiKeyParameter)} must be an SSM path such as /fraud/api-keys`);
  }
  const waf = flags.waf ? { waf: true } : {};
  if (target === "local" || flags.apiKeys === false) return waf;
  const prefix = byo ?? generatedKeyPrefix(deploymentName(target, appName, environment));
  return { ...waf, apiKeys: { prefix, generated: byo === undefined, kmsKeyArn: flags.apiKeyKmsKey } };
}

/**
 * Makes sure both parameters exist before apply (tasks read them at start): generated ones are created when missing
 * and kept on a re-deploy; brought ones must already be SecureStrings. Only names are ever printed.
 */
export async function ensureApiKeys(ctx: CliContext, region: string, keys: ApiKeysConfig): Promise<void> {
  const parameters = apiKeyParameters(keys.prefix);
  for (const scope of API_KEY_SCOPES) {
    const name = parameters[scope];
    let found;
    try {
      found = await ctx.adapters.aws.describeParameter(region, name);
    } catch (error) {
      throw new CliError(`could not look up the API key parameter ${name}: ${describeError(error)}`, EXIT.failed);
    }
    if (found && found.type !== "SecureString") {
      throw new InputError(`${name} is a ${found.type}, not a SecureString: API keys must be encrypted`);
    }
    if (found) {
      ctx.out.out(`API key (${scope}): ${name} exists, kept`);
      continue;
    }
    if (!keys.generated) {
      throw new CliError(`--api-key-parameter: ${name} does not exist in SSM (${region})`, EXIT.usage, [
        `Create it: aws ssm put-parameter --region ${region} --type SecureString --name ${name} --value <key>`,
      ]);
    }
    try {
      await ctx.adapters.aws.putSecureParameter(region, {
        name,
        value: generateApiKey(),
        overwrite: false,
        kmsKeyId: keys.kmsKeyArn,
        tags: { [GENERATED_TAG.Key]: GENERATED_TAG.Value, "managed-by": MANAGED_BY },
      });
    } catch (error) {
      throw new CliError(`could not store the generated API key in ${name}: ${describeError(error)}`, EXIT.failed);
    }
    ctx.out.out(`API key (${scope}): generated and stored in ${name} (SSM SecureString)`);
  }
}

/** The command that prints one parameter's keys, for the person (the value itself is never printed by the CLI). */
export function readKeyCommand(region: string, parameter: string): string {
  return `aws ssm get-parameter --region ${region} --name ${parameter} --with-decryption --query Parameter.Value --output text`;
}

/** The parameters a deployment folder's outputs name, when it was deployed with keys. */
export function deployedKeyParameters(info: DeploymentInfo): Record<ApiKeyScope, string> | undefined {
  const scoring = outputString(info, "api_key_parameter_scoring");
  const labelling = outputString(info, "api_key_parameter_labelling");
  return scoring && labelling ? { scoring, labelling } : undefined;
}

/** Tells how clients authenticate and how to read each scope's keys. */
export function printKeyInstructions(ctx: CliContext, region: string, parameters: Record<ApiKeyScope, string>): void {
  ctx.out.out("API keys: clients send `Authorization: Bearer <key>` (scoring: /predict; labelling: /feedback). Read them with:");
  for (const scope of API_KEY_SCOPES) ctx.out.out(`  ${scope.padEnd(9)} ${readKeyCommand(region, parameters[scope])}`);
}

/**
 * After a successful destroy: deletes the keys the deployer generated for it (tagged so), never brought ones.
 * A failure is a warning: the infrastructure is gone, and the parameters cost nothing.
 */
export async function deleteGeneratedKeys(
  ctx: CliContext,
  region: string,
  parameters: Record<ApiKeyScope, string> | undefined,
): Promise<void> {
  if (!parameters) return;
  try {
    const generated: string[] = [];
    for (const name of Object.values(parameters)) {
      if (!(await ctx.adapters.aws.describeParameter(region, name))) continue;
      const tags = await ctx.adapters.aws.parameterTags(region, name);
      if (tags[GENERATED_TAG.Key] === GENERATED_TAG.Value) generated.push(name);
    }
    if (generated.length === 0) return;
    await ctx.adapters.aws.deleteParameters(region, generated);
    ctx.out.out(`Deleted the generated API keys: ${generated.join(", ")}`);
  } catch (error) {
    ctx.out.err(`warning: could not delete the generated API keys (${describeError(error)}); delete them with aws ssm delete-parameters`);
  }
}

/**
 * The environment of a local `serve --require-keys`: keys already in the environment are used as they are;
 * otherwise a fresh pair is generated for this run and returned so the caller prints it once.
 */
export function localApiKeys(env: NodeJS.ProcessEnv): { env: Record<string, string>; generated?: Record<ApiKeyScope, string> } {
  const given = API_KEY_SCOPES.every((scope) => Boolean(env[API_KEY_ENV[scope]]));
  const values = Object.fromEntries(
    API_KEY_SCOPES.map((scope) => [scope, given ? String(env[API_KEY_ENV[scope]]) : generateApiKey()]),
  ) as Record<ApiKeyScope, string>;
  return {
    env: { ...Object.fromEntries(API_KEY_SCOPES.map((scope) => [API_KEY_ENV[scope], values[scope]])), [REQUIRE_KEYS_ENV]: "1" },
    generated: given ? undefined : values,
  };
}

/** Adds --api-keys/--no-api-keys, --api-key-parameter, --api-key-kms-key, --waf and --waf-rate-limit. */
export function withApiKeyFlags<T>(yargs: Argv<T>): Argv<T & ApiKeyFlags & { wafRateLimit?: number }> {
  return yargs
    .option("api-keys", {
      type: "boolean",
      describe: "require API keys (default on AWS: generated into SSM at deploy; --no-api-keys: no authentication)",
    })
    .option("api-key-parameter", {
      type: "string",
      describe: "bring your own keys: SSM prefix holding the SecureStrings <prefix>/scoring and <prefix>/labelling",
    })
    .option("api-key-kms-key", { type: "string", describe: "KMS key ARN the key parameters are encrypted with (default: aws/ssm)" })
    .option("waf", { type: "boolean", describe: "AWS WAF web ACL with a per-IP rate limit on the load balancer (ECS + Load Balancer)" })
    .option("waf-rate-limit", { type: "number", describe: "requests per client IP per 5 minutes before WAF blocks (default 3000)" });
}
