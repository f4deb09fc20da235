import type { Construct } from "constructs";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { SecretRef } from "../operations/secrets";
import { accountContext } from "./account";
import type { OutputSpec } from "./foundation";

/** The two credential scopes: scoring for /predict (and /model-info, /openapi.json), labelling for /feedback. */
export const API_KEY_SCOPES = ["scoring", "labelling"] as const;

/** One credential scope. */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The container variable each scope's comma-separated accepted keys go to (the fraudkit contract). */
export const API_KEY_ENV: Record<ApiKeyScope, string> = {
  scoring: "FRAUDKIT_SCORING_KEYS",
  labelling: "FRAUDKIT_LABELLING_KEYS",
};

/** Set to 1 in the container: the app refuses to serve (503 /health) when either key variable is missing. */
export const REQUIRE_KEYS_ENV = "FRAUDKIT_REQUIRE_KEYS";

/** Where the API keys of a deployment are and who owns them. */
export interface ApiKeysConfig {
  /** SSM prefix holding the parameters "<prefix>/scoring" and "<prefix>/labelling" (SecureString). */
  prefix: string;
  /** True when the deployer generated them (and destroy deletes them); false for --api-key-parameter. */
  generated: boolean;
  /** ARN of the customer managed KMS key the parameters are encrypted with; absent: SSM's default key (alias/aws/ssm). */
  kmsKeyArn?: string;
}

/** The prefix of generated keys: /dds/<deployment-name>/api-keys (deployment-name as in deploymentName). */
export function generatedKeyPrefix(deploymentName: string): string {
  return `/dds/${deploymentName}/api-keys`;
}

/** The parameter name of each scope under a prefix. */
export function apiKeyParameters(prefix: string): Record<ApiKeyScope, string> {
  const base = prefix.replace(/\/+$/, "");
  return { scoring: `${base}/scoring`, labelling: `${base}/labelling` };
}

/** The keys as secrets (environment variable <- parameter), the form `--secret` uses; none without keys. */
export function apiKeySecrets(keys: ApiKeysConfig | undefined): SecretRef[] {
  if (!keys) return [];
  const parameters = apiKeyParameters(keys.prefix);
  return API_KEY_SCOPES.map((scope) => ({ name: API_KEY_ENV[scope], parameter: parameters[scope] }));
}

/** Plain container environment that goes with the keys: FRAUDKIT_REQUIRE_KEYS=1, so a missing key fails closed. */
export function apiKeyEnvironment(keys: ApiKeysConfig | undefined): Array<{ name: string; value: string }> {
  return keys ? [{ name: REQUIRE_KEYS_ENV, value: "1" }] : [];
}

/**
 * Decrypting with a customer managed key: only that key, and only when SSM asks on the role's behalf. (The
 * default key is covered by secretReadStatements.)
 */
export function apiKeyKmsStatements(scope: Construct, keys: ApiKeysConfig | undefined): DataAwsIamPolicyDocumentStatement[] {
  if (!keys?.kmsKeyArn) return [];
  const { region } = accountContext(scope);
  return [
    {
      sid: "DecryptApiKeysWithTheirKey",
      effect: "Allow",
      actions: ["kms:Decrypt"],
      resources: [keys.kmsKeyArn],
      condition: [{ test: "StringEquals", variable: "kms:ViaService", values: [`ssm.${region}.amazonaws.com`] }],
    },
  ];
}

/** Outputs naming the parameters (names only, never values), read by deploy and rotate-keys. */
export function apiKeyOutputs(keys: ApiKeysConfig | undefined): Record<string, OutputSpec> {
  if (!keys) return {};
  const parameters = apiKeyParameters(keys.prefix);
  return {
    api_key_parameter_scoring: { value: parameters.scoring, description: "SSM SecureString holding the scoring API key(s)" },
    api_key_parameter_labelling: { value: parameters.labelling, description: "SSM SecureString holding the labelling API key(s)" },
  };
}
