/**
 * The deployer's side of the authenticating front (--auth-front iam): the flag, its checks against the API key
 * flags, its summary lines and what deploy tells the person afterwards (URL, policies, a signed curl).
 */
import type { Argv } from "yargs";
import { checkAuthFrontTarget } from "../architectures";
import { AUTH_FRONTS, type AuthFrontKind } from "../constructs/auth-front";
import { InputError } from "../validation/errors";
import type { ApiKeyFlags } from "./api-keys";
import type { CliContext } from "./context";
import type { Target } from "./deployments";

/** The flag of the front on deploy, plan and cost. */
export interface AuthFrontFlags {
  /** "iam": API Gateway HTTP API with IAM (SigV4) authorization before an internal load balancer. */
  authFront?: string;
}

/** Adds --auth-front. */
export function withAuthFrontFlag<T>(yargs: Argv<T>): Argv<T & AuthFrontFlags> {
  return yargs.option("auth-front", {
    type: "string",
    describe: "iam: API Gateway with IAM (SigV4) authorization before an internal load balancer, no API keys (ECS + Load Balancer)",
  });
}

/**
 * The front the flags ask for on `target`. The front replaces the app's keys: a SigV4 signature travels in the
 * Authorization header the Bearer key would use, so both cannot be sent; asking for keys too is a usage error.
 */
export function authFrontFromFlags(flags: AuthFrontFlags & ApiKeyFlags, target: Target): { authFront?: AuthFrontKind } {
  if (flags.authFront === undefined) return {};
  const front = flags.authFront.trim().toLowerCase();
  if (!(AUTH_FRONTS as readonly string[]).includes(front)) {
    throw new InputError(`--auth-front ${JSON.stringify(flags.authFront)} must be one of: ${AUTH_FRONTS.join(", ")}`);
  }
  checkAuthFrontTarget(target, front as AuthFrontKind);
  if (flags.apiKeys === true || flags.apiKeyParameter !== undefined || flags.apiKeyKmsKey !== undefined) {
    throw new InputError(
      "--auth-front iam replaces the API keys (the SigV4 signature takes the Authorization header): drop --api-keys, --api-key-parameter and --api-key-kms-key",
    );
  }
  return { authFront: front as AuthFrontKind };
}

/** The key flags as they apply behind a front: keys off (the front authenticates), otherwise unchanged. */
export function keyFlagsBehindFront<T extends ApiKeyFlags & AuthFrontFlags>(flags: T): T {
  return flags.authFront === undefined ? flags : { ...flags, apiKeys: false };
}

/** Summary lines of the front; empty without one. */
export function authFrontSummary(flags: AuthFrontFlags): string[] {
  if (flags.authFront === undefined) return [];
  return [
    "Auth front:     API Gateway HTTP API, IAM (SigV4) on every route but the health check; load balancer internal",
    "API keys:       none (the front authenticates every call; the two scopes are two IAM policies)",
  ];
}

/** A signed call with curl (>= 7.75) and the caller's AWS credentials from the environment. */
export function signedCurlExample(region: string, url: string): string {
  return (
    `curl --aws-sigv4 "aws:amz:${region}:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" ` +
    `-H "x-amz-security-token: $AWS_SESSION_TOKEN" -H 'content-type: application/json' -d @transaction.json ${url}/predict`
  );
}

/** Tells how clients call the API behind the front and which policies their roles need. */
export function printFrontInstructions(ctx: CliContext, region: string, url: string | undefined, folder: string): void {
  ctx.out.out("Auth front: clients sign each request with AWS credentials (SigV4, service execute-api); no API key.");
  ctx.out.out(`  Policies for client roles: terraform -chdir=${folder} output -raw iam_policy_scoring (or iam_policy_labelling)`);
  if (url) ctx.out.out(`  Call: ${signedCurlExample(region, url)}`);
}
