/**
 * One deployment as every layer sees it: the CLI checks the flags into it, the deployment folder is rendered from
 * it, and the stack is built from it (each layer takes the part it needs, with Pick/Omit, never a re-shaped copy).
 */
import { deploymentDirName, stackName } from "./deployment-names";
import type { OperationsOptions } from "./operations/types";
import type { AppSpec, Architecture } from "./types";

/** An S3 bucket to keep the state in instead of the deployment folder. */
export interface S3BackendOptions {
  /** Bucket name. */
  bucket: string;
  /** Object key of the state; default "<stack>/terraform.tfstate". */
  key?: string;
  /** Bucket region; default the deployment's region. */
  region?: string;
  /** DynamoDB table (hash key LockID) that locks the state while terraform runs; none: no locking. */
  dynamodbTable?: string;
}

/** Terraform variable values of a deployment (terraform.tfvars). */
export type VariableValues = Record<string, string | number | boolean>;

/** Which app on which architecture, with which image, variables, operations features and state location. */
export interface DeploymentRequest {
  /** The app. */
  app: AppSpec;
  /** The architecture. */
  arch: Architecture;
  /** Default of the region variable (terraform.tfvars can still override it); default us-east-1. */
  region?: string;
  /** An already pushed image to run (the image-URI form, image_uri's default); omitted: the image is built. */
  imageUri?: string;
  /** Where the image is built: "local" (the docker provider during apply, the default) or "remote" (AWS CodeBuild); ignored with imageUri. */
  build?: "local" | "remote";
  /** Terraform variable values written to terraform.tfvars (e.g. allowed_cidr, instance_type, min_count). */
  variables?: VariableValues;
  /** Alarms, schedule, secrets, environment, API keys, WAF, state store (each off unless set). */
  operations?: OperationsOptions;
  /** Keep the state in S3 (backend.tf) instead of terraform.tfstate in the folder. */
  s3Backend?: S3BackendOptions;
}

/** The stack name and folder name of a request (both carry its --env). */
export function requestNames(request: Pick<DeploymentRequest, "app" | "arch" | "operations">): { stack: string; dir: string } {
  const environment = request.operations?.environment;
  return {
    stack: stackName(request.arch, request.app.name, environment),
    dir: deploymentDirName(request.arch, request.app.name, environment),
  };
}
