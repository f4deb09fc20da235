import { createHash } from "crypto";

/** The tag every resource carries to say which tool manages it. */
export const MANAGED_BY = "dynamic-aws-deployment-system";

/**
 * A name AWS accepts for a resource that allows only letters, digits and hyphens and at most `max`
 * characters (ALB and target group names stop at 32): too-long names keep their start and gain a short
 * hash of the full name, so two long names never collide.
 */
export function awsName(parts: string[], max = 64): string {
  const full = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (full.length <= max) return full;
  const hash = createHash("sha1").update(full).digest("hex").slice(0, 6);
  return `${full.slice(0, max - hash.length - 1).replace(/-$/, "")}-${hash}`;
}

/** The tags that mark a resource as part of one deployment (provider default_tags and explicit tags); environment only when set. */
export function deploymentTags(app: string, architecture: string, environment?: string): Record<string, string> {
  return { app, architecture, ...(environment ? { environment } : {}), "managed-by": MANAGED_BY };
}

/** A deployment's name: the prefix of its resource names and of its API-key parameters (/dds/<name>/api-keys/...). */
export function deploymentName(architecture: string, app: string, environment?: string): string {
  return awsName([architecture, app, ...(environment ? [environment] : [])]);
}
