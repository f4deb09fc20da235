import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { architecture } from "../architectures";
import { DEFAULT_CACHE_ACCESS_STRING } from "../constructs/state-store";
import { DEFAULT_CACHE_NODE_TYPE, type StateStoreChoice } from "../operations/state-store";
import type { AppSpec, Architecture } from "../types";
import { AWS_REGIONS } from "../validation/regions";
import { IMAGE_REFERENCE_PATTERN } from "../validation/values";
import { cidrValidation, type VariableSpec } from "./variable-spec";

/** Region used when neither the options nor terraform.tfvars name one. */
export const DEFAULT_REGION = "us-east-1";
/** CloudWatch's allowed retention values (days). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export type { VariableSpec } from "./variable-spec";

/** How the stack gets its image: which image variable it declares. */
export type ImageMode = { kind: "uri"; defaultUri?: string } | { kind: "docker" } | { kind: "remote" };

/** The Terraform variables of one architecture: the shared ones, then its definition's (the order is the order in main.tf). */
export function variableSpecs(app: AppSpec, arch: Architecture, image: ImageMode, region: string): Record<string, VariableSpec> {
  const specs: Record<string, VariableSpec> = {
    region: {
      type: "string",
      description: "AWS region to deploy to",
      default: region,
      validation: {
        condition: `contains([${AWS_REGIONS.map((name) => JSON.stringify(name)).join(", ")}], var.region)`,
        errorMessage: `region must be an AWS region the aws provider knows, such as ${DEFAULT_REGION}.`,
      },
    },
    vpc_cidr: {
      type: "string",
      description: "CIDR of the deployment's own VPC",
      default: "10.0.0.0/16",
      validation: cidrValidation("vpc_cidr", false),
    },
    allowed_cidr: {
      type: "string",
      description: "CIDR allowed to reach the app (0.0.0.0/0: everyone)",
      default: "0.0.0.0/0",
      validation: cidrValidation("allowed_cidr", false),
    },
    log_retention_days: {
      type: "number",
      description: "Days CloudWatch keeps the app's logs",
      default: 14,
      validation: {
        condition: `contains([${LOG_RETENTION_DAYS.join(", ")}], var.log_retention_days)`,
        errorMessage: "log_retention_days must be a CloudWatch retention value (1, 3, 5, 7, 14, 30, ...).",
      },
    },
  };
  if (image.kind === "uri") {
    specs.image_uri = {
      type: "string",
      description: "Image the containers run (e.g. <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>)",
      default: image.defaultUri,
      // The boot script quotes it anyway; this keeps anything but an image reference out of the deployment.
      validation: {
        condition: `can(regex(${JSON.stringify(IMAGE_REFERENCE_PATTERN)}, var.image_uri))`,
        errorMessage: "image_uri must be an image reference such as <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>.",
      },
    };
  } else {
    if (image.kind === "docker") {
      specs.image_tag = { type: "string", description: "Tag the built image is pushed with", default: "latest" };
    } else {
      specs.image_digest = {
        type: "string",
        description: "Digest the remote build pushed (written by the CLI after the CodeBuild build; empty before the first)",
        default: "",
        validation: {
          condition: `var.image_digest == "" || can(regex("^sha256:[0-9a-f]{64}$", var.image_digest))`,
          errorMessage: "image_digest must be sha256:<64 hex digits>.",
        },
      };
    }
    specs.image_keep_count = {
      type: "number",
      description: "Images the ECR repository keeps (older ones expire; rollbacks need the previous ones)",
      default: 10,
      validation: {
        condition: "var.image_keep_count >= 2",
        errorMessage: "image_keep_count must be at least 2 (the running image and the one before).",
      },
    };
  }
  return { ...specs, ...architecture(arch).variables(app) };
}

/** The variables of the state store: the cache's node type and its user's ACL, only when the deployment creates a cache. */
export function stateStoreVariableSpecs(store: StateStoreChoice): Record<string, VariableSpec> {
  if (store.kind !== "elasticache") return {};
  return {
    cache_node_type: {
      type: "string",
      description: "ElastiCache node type of the state store's two nodes (cache.t4g.small: 1.37 GiB each)",
      default: DEFAULT_CACHE_NODE_TYPE,
      validation: {
        condition: `can(regex("^cache\\\\.[a-z0-9]+\\\\.[a-z0-9]+$", var.cache_node_type))`,
        errorMessage: "cache_node_type must be an ElastiCache node type such as cache.t4g.small.",
      },
    },
    cache_access_string: {
      type: "string",
      description: "ACL of the ElastiCache user the app connects as (Valkey ACL syntax)",
      default: DEFAULT_CACHE_ACCESS_STRING,
      validation: {
        condition: `startswith(var.cache_access_string, "on ")`,
        errorMessage: "cache_access_string must start with on (an enabled user).",
      },
    },
  };
}

/** Declares the variables on `scope` and returns each one's reference (tokens for the constructs). */
export function declareVariables(scope: Construct, specs: Record<string, VariableSpec>): Record<string, TerraformVariable> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      new TerraformVariable(scope, name, {
        type: spec.type,
        description: spec.description,
        default: spec.default,
        nullable: false,
        // A bare string would be a constant: the condition must be an interpolation to be an expression.
        validation: spec.validation
          ? [{ condition: `\${${spec.validation.condition}}`, errorMessage: spec.validation.errorMessage }]
          : undefined,
      }),
    ]),
  );
}
