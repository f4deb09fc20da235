import { Construct, Node } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack, type TerraformElement } from "cdktf";
import { apiKeyOutputs } from "../constructs/api-keys";
import { wafVariableSpecs } from "../constructs/waf";
import { imageRepositoryArn } from "../constructs/iam";
import type { FoundationProps } from "../constructs/foundation";
import type { ImageSource } from "../constructs/image";
import { deploymentName, deploymentTags } from "../constructs/naming";
import type { DeploymentRequest } from "../deployment-request";
import type { AppSpec } from "../types";
import { Operations } from "./operations";
import { operationsVariableSpecs } from "./operations-variables";
import { stateStoreSecrets } from "../operations/state-store";
import { architecture as architectureDefinition, checkAuthFrontTarget, checkWafTarget, effectiveStateStore } from "../architectures";
import { DEFAULT_REGION, declareVariables, stateStoreVariableSpecs, variableSpecs, type ImageMode, type VariableSpec } from "./variables";

/** Pinned provider versions (the aws one matches the local mirror and @cdktf/provider-aws 20.1.0's bindings). */
export const PROVIDERS = {
  aws: { source: "hashicorp/aws", version: "5.100.0" },
  docker: { source: "kreuzwerker/docker", version: "3.6.2" },
} as const;

/** Where apps/ is seen from cdktf.out/stacks/<stack>/, the folder `cdktf synth` writes to. */
export const CDKTF_OUT_BUILD_CONTEXT = "../../../apps";

/** Settings of one stack: the deployment request without its variable values (those go to terraform.tfvars). */
export interface DeploymentStackProps extends Omit<DeploymentRequest, "variables"> {
  /** Docker build context (the apps/ folder) relative to the folder holding the Terraform; default for cdktf.out. */
  buildContextFromModule?: string;
}

/** What every stack of an App shares: the props without the app and architecture. */
export type DeploymentStackOptions = Omit<DeploymentStackProps, "app" | "arch">;

/** The image mode a request selects: an image URI, a remote build, or a local docker build. */
export function imageMode(props: Pick<DeploymentRequest, "imageUri" | "build">): ImageMode {
  if (props.imageUri !== undefined) return { kind: "uri", defaultUri: props.imageUri };
  return { kind: props.build === "remote" ? "remote" : "docker" };
}

export type { S3BackendOptions } from "../deployment-request";

/** Every Terraform variable a stack with these options declares: the architecture's, then the operations features'. */
export function stackVariableSpecs(props: Omit<DeploymentStackProps, "buildContextFromModule">): Record<string, VariableSpec> {
  const { app, arch, operations } = props;
  checkWafTarget(arch, operations?.waf);
  return {
    ...variableSpecs(app, arch, imageMode(props), props.region ?? DEFAULT_REGION),
    ...operationsVariableSpecs(arch, operations),
    ...wafVariableSpecs(operations?.waf),
    ...stateStoreVariableSpecs(effectiveStateStore(arch, operations?.stateStore)),
  };
}

/**
 * One deployable stack: one app on one architecture, with its own provider, state, variables and outputs.
 * Terraform names follow the construct path (e.g. fargate_service) rather than CDKTF's hashed ids,
 * so the emitted Terraform reads like hand-written Terraform.
 */
export class DeploymentStack extends TerraformStack {
  private readonly usedLogicalIds = new Set<string>();

  constructor(scope: Construct, id: string, props: DeploymentStackProps) {
    super(scope, id);
    const { app, arch: architecture } = props;
    const mode = imageMode(props);
    const vars = declareVariables(this, stackVariableSpecs(props));
    const ops = props.operations ?? {};
    const region = vars.region.stringValue;
    const stateStore = effectiveStateStore(architecture, ops.stateStore);
    checkAuthFrontTarget(architecture, ops.authFront);

    if (props.s3Backend) {
      const s3 = props.s3Backend;
      new S3Backend(this, {
        bucket: s3.bucket,
        key: s3.key ?? `${id}/terraform.tfstate`,
        region: s3.region ?? props.region ?? DEFAULT_REGION,
        encrypt: true,
        dynamodbTable: s3.dynamodbTable,
      });
    } else {
      // A relative path keeps the state inside the deployment folder (CDKTF's default is an absolute path).
      new LocalBackend(this, { path: "terraform.tfstate" });
    }
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: deploymentTags(app.name, architecture, ops.environment) }] });
    this.addOverride("terraform.required_providers.aws", PROVIDERS.aws);
    if (mode.kind === "docker") this.addOverride("terraform.required_providers.docker", PROVIDERS.docker);

    const namePrefix = deploymentName(architecture, app.name, ops.environment);
    const imageSource: ImageSource =
      mode.kind === "uri"
        ? { kind: "uri", imageUri: vars.image_uri.stringValue }
        : {
            kind: "docker",
            // Absent in the remote form, whose source replaces this one below.
            imageTag: vars.image_tag?.stringValue,
            contextFromModule: props.buildContextFromModule ?? CDKTF_OUT_BUILD_CONTEXT,
            dockerfile: app.dockerfile,
            buildArgs: app.buildArgs,
            sourceFolders: [app.name, "fraudkit"],
            keepImages: vars.image_keep_count.numberValue,
          };
    const foundation: FoundationProps = {
      app,
      architecture,
      namePrefix,
      region,
      vpcCidr: vars.vpc_cidr.stringValue,
      allowedCidr: vars.allowed_cidr.stringValue,
      logRetentionDays: vars.log_retention_days.numberValue,
      imageSource: mode.kind === "remote" ? remoteImageSource(app, vars, namePrefix) : imageSource,
      extraPullRepositoryArns: mode.kind === "uri" ? [imageRepositoryArn(this, vars.image_uri.stringValue)] : undefined,
      environment: ops.environment,
      secrets: [...(ops.secrets ?? []), ...stateStoreSecrets(stateStore)],
      apiKeys: ops.apiKeys,
      stateStore: { choice: stateStore, nodeType: vars.cache_node_type?.stringValue, accessString: vars.cache_access_string?.stringValue },
    };
    const built = architectureDefinition(architecture).build(this, foundation, vars, { waf: ops.waf, authFront: ops.authFront });
    const logGroupName = String(built.outputs.log_group_name.value);
    const operations = new Operations(this, "operations", {
      namePrefix: foundation.namePrefix,
      workload: built.workload,
      options: ops,
      vars,
      logGroupName,
    });
    for (const [name, spec] of Object.entries({ ...built.outputs, ...apiKeyOutputs(ops.apiKeys), ...operations.outputs })) {
      new TerraformOutput(this, name, { value: spec.value, description: spec.description });
    }
  }

  /** Terraform name from the construct path below the architecture construct, e.g. "fargate_service". */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const parts: string[] = [];
    for (const scope of node.scopes.slice(node.scopes.indexOf(this) + 1)) {
      const id = scope.node.id;
      const depth = node.scopes.indexOf(scope) - node.scopes.indexOf(this);
      // The architecture construct and the shared foundation add nothing to a name.
      if ((depth === 1 && node.scopes.length - node.scopes.indexOf(this) > 2) || id === "base") continue;
      // "execution_role" + "role" -> "execution_role"; "security_group" + "group" -> "security_group".
      if (parts.length > 0 && parts[parts.length - 1].split("_").at(-1) === id) continue;
      parts.push(id);
    }
    let name = parts.join("_").replace(/[^A-Za-z0-9_-]/g, "_");
    for (let n = 2; this.usedLogicalIds.has(name); n++) name = `${parts.join("_")}_${n}`;
    this.usedLogicalIds.add(name);
    return name;
  }
}

/** `--build remote`: the repository's digest written by the CLI after the CodeBuild build, and what the build needs. */
function remoteImageSource(
  app: AppSpec,
  vars: Record<string, { numberValue: number; stringValue: string }>,
  namePrefix: string,
): ImageSource {
  return {
    kind: "remote",
    digest: vars.image_digest.stringValue,
    keepImages: vars.image_keep_count.numberValue,
    dockerfile: app.dockerfile,
    buildArgs: app.buildArgs,
    namePrefix,
    logRetentionDays: vars.log_retention_days.numberValue,
  };
}
