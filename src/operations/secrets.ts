/** `--secret NAME=/ssm/path`: an SSM parameter handed to the container as an environment variable (only its name is ever written). */

import { InputError } from "../validation/errors";

/** One SSM parameter injected as one environment variable. */
export interface SecretRef {
  /** Environment variable the container sees, e.g. "API_KEY". */
  name: string;
  /** SSM parameter name, e.g. "/fraud/api-key" (a leading slash is the usual hierarchy form). */
  parameter: string;
}

/** Raised for a `--secret` value that does not parse; the message is one line. */
export class SecretSpecError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "SecretSpecError";
  }
}

/** Variables the deployment sets itself (PORT) or the EC2 boot script uses (IMAGE, REGISTRY): a secret may not take them. */
export const RESERVED_SECRET_NAMES = ["PORT", "IMAGE", "REGISTRY", "PATH", "HOME"] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// SSM names: letters, digits and . - _ /, at most 2048 characters; "aws" and "ssm" prefixes are AWS's own.
const PARAMETER = /^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;

/** Parses one "NAME=/ssm/path". */
export function parseSecret(text: string): SecretRef {
  const at = text.indexOf("=");
  const name = at < 0 ? "" : text.slice(0, at).trim();
  const parameter = at < 0 ? "" : text.slice(at + 1).trim();
  if (!name || !parameter) throw new SecretSpecError(`--secret "${text}" must look like NAME=/ssm/parameter/path`);
  if (!ENV_NAME.test(name))
    throw new SecretSpecError(`--secret "${text}": ${name} is not an environment variable name (letters, digits, _)`);
  if ((RESERVED_SECRET_NAMES as readonly string[]).includes(name.toUpperCase())) {
    throw new SecretSpecError(`--secret "${text}": ${name} is reserved (${RESERVED_SECRET_NAMES.join(", ")})`);
  }
  if (parameter.length > 2048 || !PARAMETER.test(parameter) || /^\/?(aws|ssm)/i.test(parameter)) {
    throw new SecretSpecError(`--secret "${text}": ${parameter} is not an SSM parameter name such as /fraud/api-key`);
  }
  return { name, parameter };
}

/** Parses every `--secret`; a variable named twice is an error. */
export function parseSecrets(texts: readonly string[]): SecretRef[] {
  const secrets = texts.map(parseSecret);
  const seen = new Set<string>();
  for (const { name } of secrets) {
    if (seen.has(name)) throw new SecretSpecError(`--secret ${name} is given twice`);
    seen.add(name);
  }
  return secrets;
}

/** The parameter's path in an ARN: "parameter/fraud/api-key" for both "/fraud/api-key" and "fraud/api-key". */
export function parameterArnPath(parameter: string): string {
  return `parameter/${parameter.replace(/^\//, "")}`;
}
