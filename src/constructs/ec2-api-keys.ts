import type { Construct } from "constructs";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { accountArn } from "./account";
import { API_KEY_ENV, API_KEY_SCOPES, apiKeyParameters, REQUIRE_KEYS_ENV, type ApiKeysConfig } from "./api-keys";
import { APP_UID } from "./state-store";
import { shellQuote } from "../validation/shell";

/** Host folder of the key file (root-owned, readable by the app's group only). */
export const EC2_KEYS_DIR = "/etc/fraudkit";

/** The key file on the host: NAME=value lines the app reads through FRAUDKIT_API_KEYS_FILE. */
export const EC2_KEYS_FILE = `${EC2_KEYS_DIR}/api-keys.env`;

/** The script that re-reads both parameters from SSM and replaces the key file; boot and rotate-keys run it. */
export const EC2_REFRESH_KEYS_SCRIPT = "/usr/local/sbin/fraudkit-refresh-keys";

/** Where the host folder appears in the container (read-only). */
const CONTAINER_KEYS_DIR = "/run/fraudkit-keys";

/** The app's variable naming its key file (apps/fraudkit/serving/auth.py). */
export const KEYS_FILE_ENV = "FRAUDKIT_API_KEYS_FILE";

/**
 * The refresh script's body (after its REGION= line). It writes a new file next to the old one and renames it over
 * it, so the app never reads half a file, and sees the change at its next request (a new inode). The values pass
 * only through shell variables and the file: never a command line, a log or the command's output. Written without
 * "$" + "{" so Terraform leaves it alone inside user_data.
 */
function refreshScriptBody(keys: ApiKeysConfig): string[] {
  const parameters = apiKeyParameters(keys.prefix);
  const body = API_KEY_SCOPES.map((scope) => `${API_KEY_ENV[scope]}=%s\\n`).join("");
  return [
    "set -euo pipefail",
    "umask 077",
    'read_key() { aws ssm get-parameter --region "$REGION" --name "$1" --with-decryption --query Parameter.Value --output text; }',
    ...API_KEY_SCOPES.map((scope) => `${scope}_keys="$(read_key ${shellQuote(parameters[scope])})"`),
    'staged=""',
    `trap 'rm -f "$staged"' EXIT`,
    `staged="$(mktemp ${EC2_KEYS_DIR}/.api-keys.XXXXXX)"`,
    `printf '${body}${REQUIRE_KEYS_ENV}=1\\n' ${API_KEY_SCOPES.map((s) => `"$${s}_keys"`).join(" ")} > "$staged"`,
    `chgrp ${APP_UID} "$staged"`,
    'chmod 0640 "$staged"',
    `mv -f "$staged" ${EC2_KEYS_FILE}`,
    `echo "API keys refreshed from SSM into ${EC2_KEYS_FILE}"`,
  ];
}

/**
 * Boot-script lines that install the refresh script and run it once, and the docker flags that mount the key
 * folder (a folder, not the file: a bind-mounted file would keep pointing at the replaced inode) and name the file.
 * A parameter that cannot be read fails the boot (set -e), so the container never starts keyless.
 * `region` is a shell word (e.g. `"$REGION"`), already quoted.
 */
export function ec2ApiKeyFile(keys: ApiKeysConfig | undefined, region: string): { lines: string[]; dockerFlags: string[] } {
  if (!keys) return { lines: [], dockerFlags: [] };
  return {
    lines: [
      `install -d -m 0750 -o root -g ${APP_UID} ${EC2_KEYS_DIR}`,
      `{ echo '#!/bin/bash'; printf 'REGION=%q\\n' ${region}; cat <<'REFRESH_KEYS'`,
      ...refreshScriptBody(keys),
      "REFRESH_KEYS",
      `} > ${EC2_REFRESH_KEYS_SCRIPT}`,
      `chmod 0700 ${EC2_REFRESH_KEYS_SCRIPT}`,
      EC2_REFRESH_KEYS_SCRIPT,
    ],
    dockerFlags: [`-v ${EC2_KEYS_DIR}:${CONTAINER_KEYS_DIR}:ro -e ${KEYS_FILE_ENV}=${CONTAINER_KEYS_DIR}/api-keys.env`],
  };
}

/**
 * What the instance's SSM agent needs to receive a Run Command (rotate-keys runs the refresh script through it):
 * the agent-messaging part of AmazonSSMManagedInstanceCore only. The managed policy itself is not attached because
 * it also grants ssm:GetParameter(s) on every parameter of the account (other deployments' keys included).
 */
export function ssmAgentStatements(scope: Construct, keys: ApiKeysConfig | undefined): DataAwsIamPolicyDocumentStatement[] {
  if (!keys) return [];
  return [
    {
      sid: "SsmAgentRegisters",
      effect: "Allow",
      actions: ["ssm:UpdateInstanceInformation"],
      resources: [accountArn(scope, "ec2", "instance/*")],
    },
    {
      sid: "SsmAgentReceivesCommands",
      effect: "Allow",
      // These actions have no resource-level permissions: "*" is the only valid resource.
      actions: [
        "ec2messages:AcknowledgeMessage",
        "ec2messages:DeleteMessage",
        "ec2messages:FailMessage",
        "ec2messages:GetEndpoint",
        "ec2messages:GetMessages",
        "ec2messages:SendReply",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ],
      resources: ["*"],
    },
  ];
}
