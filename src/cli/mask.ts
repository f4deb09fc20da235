/**
 * Masks anything that looks like an AWS credential so it never reaches the terminal or a log file.
 * Patterns are deliberately broad: a false positive costs a few stars, a false negative leaks a key.
 */
const PATTERNS: RegExp[] = [
  /\b(?:AKIA|ASIA|AIDA|AROA|ANPA|AGPA)[A-Z0-9]{16}\b/g,
  /((?:aws_secret_access_key|aws_session_token|secret_access_key|session_token|SecretAccessKey|SessionToken|password|authorizationToken)["']?\s*[:=]\s*["']?)[^\s"',]+/gi,
  /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
  /[A-Za-z0-9/+=]{200,}/g,
];

/** Returns `text` with credentials replaced by "****"; `secrets` are exact values (e.g. from the environment) to hide too. */
export function maskSecrets(text: string, secrets: string[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret.length >= 8) masked = masked.split(secret).join("****");
  }
  for (const pattern of PATTERNS) {
    masked = masked.replace(pattern, (match: string, prefix?: string) =>
      typeof prefix === "string" && match.startsWith(prefix) ? `${prefix}****` : "****",
    );
  }
  return masked;
}

/** The credential values present in an environment, to be masked verbatim wherever they appear. */
export function secretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
    .map((key) => env[key])
    .filter((value): value is string => typeof value === "string" && value.length > 0);
}
