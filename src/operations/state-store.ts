/**
 * `--state-store memory|elasticache|redis://HOST:PORT/DB|rediss://...` and `--state-store-secret /ssm/name`: where the
 * apps keep their online feature state (customer and terminal windows, labels). Which store an architecture gets
 * when the flag is absent is its definition's (src/architectures/).
 */
import { InputError } from "../validation/errors";
import { parseSecret, SecretSpecError, type SecretRef } from "./secrets";

/** The store a deployment's containers use. */
export type StateStoreChoice =
  /** In-process: each task or process has its own state (local serving, the single EC2 instance). */
  | { kind: "memory" }
  /** An ElastiCache (Valkey) replication group the deployment creates, reached with IAM authentication. */
  | { kind: "elasticache" }
  /** An existing Redis-protocol server; its password, if any, is read from SSM at container start. */
  | { kind: "url"; url: string; host: string; port: number; passwordParameter?: string };

/** Raised for a `--state-store` value that does not parse; the message is one line. */
export class StateStoreSpecError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "StateStoreSpecError";
  }
}

/** The container variable the password of an existing store is handed in as (the apps' contract). */
export const STATE_STORE_PASSWORD_VARIABLE = "FRAUDKIT_STATE_STORE_PASSWORD";

/** Nodes of the ElastiCache replication group: a primary and a replica in the other zone, so a zone or node loss fails over. */
export const CACHE_NODES = 2;

/** Default cache node type (Terraform variable cache_node_type): 1.37 GiB each, the smallest burstable size past the micro. */
export const DEFAULT_CACHE_NODE_TYPE = "cache.t4g.small";

/** Port of a Redis-protocol server when the URL names none. */
export const DEFAULT_REDIS_PORT = 6379;

/** A DNS name (letters, digits, hyphens, dots) or an IPv4 address. */
const HOST_NAME = /^(?=.*[A-Za-z0-9]$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

function parseUrl(text: string): { url: string; host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new StateStoreSpecError(`--state-store ${JSON.stringify(text)} is not a URL such as redis://10.0.0.5:6379/0`);
  }
  if (parsed.username || parsed.password) {
    throw new StateStoreSpecError(
      `--state-store "${parsed.protocol}//...@${parsed.host}": no credentials in the URL; put the password in SSM and pass --state-store-secret /ssm/name`,
    );
  }
  if (!parsed.hostname) throw new StateStoreSpecError(`--state-store ${JSON.stringify(text)} names no host`);
  // The host reaches the container's environment and the EC2 boot script: a DNS name or an IPv4 address only.
  if (!HOST_NAME.test(parsed.hostname) || parsed.hostname.length > 253) {
    throw new StateStoreSpecError(`--state-store ${JSON.stringify(text)}: the host must be a DNS name or an IPv4 address`);
  }
  if (parsed.search || parsed.hash) throw new StateStoreSpecError(`--state-store "${text}": no query or fragment, only /DB`);
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,2}$/.test(db))
    throw new StateStoreSpecError(`--state-store ${JSON.stringify(text)}: the path must be a database number, e.g. /0`);
  const port = parsed.port === "" ? DEFAULT_REDIS_PORT : Number(parsed.port);
  const url = `${parsed.protocol}//${parsed.host}/${db === "" ? "0" : db}`;
  return { url, host: parsed.hostname, port };
}

/**
 * Parses `--state-store` (and `--state-store-secret`, which only goes with a URL); undefined when neither is given,
 * so the architecture's default applies.
 */
export function parseStateStore(text: string | undefined, secret: string | undefined): StateStoreChoice | undefined {
  const value = text?.trim() ?? "";
  const parameter = secret?.trim() || undefined;
  if (value === "") {
    if (parameter) throw new StateStoreSpecError("--state-store-secret needs --state-store redis://HOST:PORT/DB (or rediss://)");
    return undefined;
  }
  const lower = value.toLowerCase();
  if (lower === "memory" || lower === "elasticache") {
    if (parameter) throw new StateStoreSpecError(`--state-store-secret goes with a redis:// URL, not with --state-store ${lower}`);
    return { kind: lower === "memory" ? "memory" : "elasticache" };
  }
  if (!/^rediss?:\/\//i.test(value)) {
    throw new StateStoreSpecError(`--state-store "${value}" must be memory, elasticache, or a redis:// or rediss:// URL`);
  }
  if (parameter) {
    try {
      parseSecret(`${STATE_STORE_PASSWORD_VARIABLE}=${parameter}`);
    } catch (error) {
      if (error instanceof SecretSpecError) {
        throw new StateStoreSpecError(`--state-store-secret "${parameter}" is not an SSM parameter name such as /fraud/redis-password`);
      }
      throw error;
    }
  }
  return { kind: "url", ...parseUrl(value), ...(parameter ? { passwordParameter: parameter } : {}) };
}

/** True when the containers share one store (gunicorn then runs one worker per vCPU). */
export function isShared(choice: StateStoreChoice): boolean {
  return choice.kind !== "memory";
}

/** The SSM parameter the containers read the store's password from, as a secret (none without --state-store-secret). */
export function stateStoreSecrets(choice: StateStoreChoice): SecretRef[] {
  return choice.kind === "url" && choice.passwordParameter
    ? [{ name: STATE_STORE_PASSWORD_VARIABLE, parameter: choice.passwordParameter }]
    : [];
}

/** One line for summaries and `status`: "elasticache (Valkey, 2 nodes, IAM auth)", "redis://host:6379/0", "memory". */
export function describeStateStore(choice: StateStoreChoice): string {
  if (choice.kind === "elasticache") return "ElastiCache Valkey, 2 nodes in 2 AZs, TLS + IAM auth";
  if (choice.kind === "url") return `${choice.url}${choice.passwordParameter ? ` (password from ssm:${choice.passwordParameter})` : ""}`;
  return "in-process (memory)";
}
