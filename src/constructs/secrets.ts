import type { Construct } from "constructs";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { parameterArnPath, type SecretRef } from "../operations/secrets";
import { accountArn, accountContext } from "./account";
import { shellQuote } from "../validation/shell";

/** A secret with the ARN of its parameter: what roles are allowed to read and what ECS's valueFrom names. */
export interface ResolvedSecret extends SecretRef {
  /** arn:<partition>:ssm:<region>:<account>:parameter/<path>. */
  arn: string;
}

/** Adds the parameter ARN to each secret (in the provider's account and region). */
export function resolveSecrets(scope: Construct, secrets: readonly SecretRef[]): ResolvedSecret[] {
  return secrets.map((secret) => ({ ...secret, arn: accountArn(scope, "ssm", parameterArnPath(secret.parameter)) }));
}

/**
 * Read exactly these parameters, and decrypt SecureStrings with the account's default SSM key only when SSM
 * asks on the role's behalf (kms:ViaService), so the role can decrypt nothing else.
 */
export function secretReadStatements(scope: Construct, secrets: readonly ResolvedSecret[]): DataAwsIamPolicyDocumentStatement[] {
  if (secrets.length === 0) return [];
  const { region } = accountContext(scope);
  return [
    {
      sid: "ReadSecretParameters",
      effect: "Allow",
      actions: ["ssm:GetParameters", "ssm:GetParameter"],
      resources: secrets.map((s) => s.arn),
    },
    {
      sid: "DecryptSecureStringsViaSsm",
      effect: "Allow",
      actions: ["kms:Decrypt"],
      resources: [accountArn(scope, "kms", "key/*")],
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`ssm.${region}.amazonaws.com`] },
        { test: "ForAnyValue:StringEquals", variable: "kms:ResourceAliases", values: ["alias/aws/ssm"] },
      ],
    },
  ];
}

/** The container definition's `secrets`: ECS's agent reads each parameter by ARN at task start; values never reach Terraform. */
export function ecsContainerSecrets(secrets: readonly ResolvedSecret[]): Array<{ name: string; valueFrom: string }> {
  return secrets.map((secret) => ({ name: secret.name, valueFrom: secret.arn }));
}

/**
 * Boot-script lines that read each parameter into an exported shell variable through the instance role, and the
 * `-e NAME` flags that hand them to docker by name: the values live only in the script's memory and the container's
 * environment, never on disk, in user data or in the log (command substitution keeps them out of cloud-init's output).
 * `regionWord` is a shell word (e.g. "$REGION").
 */
export function ec2SecretFetch(secrets: readonly SecretRef[], regionWord: string): { lines: string[]; dockerFlags: string[] } {
  return {
    lines: secrets.map(
      (secret) =>
        `export ${secret.name}="$(aws ssm get-parameter --region ${regionWord} --name ${shellQuote(secret.parameter)} --with-decryption --query Parameter.Value --output text)"`,
    ),
    dockerFlags: secrets.map((secret) => `-e ${secret.name}`),
  };
}
