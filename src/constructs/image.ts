import { Construct } from "constructs";
import { DataAwsEcrAuthorizationToken } from "@cdktf/provider-aws/lib/data-aws-ecr-authorization-token";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Image } from "@cdktf/provider-docker/lib/image";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RegistryImage } from "@cdktf/provider-docker/lib/registry-image";
import { Fn, TerraformLocal } from "cdktf";
import { accountContext } from "./account";
import { skipCheck } from "./checkov";
import { RemoteBuild } from "./remote-build";

/** Use an image that already exists (CI pipelines, tests, a CLI that pushed it itself). */
export interface ImageUriSource {
  /** Discriminant. */
  kind: "uri";
  /** Full image reference (Terraform variable image_uri). */
  imageUri: string;
}

/** Build the app's Dockerfile with the docker provider and push it to the deployment's ECR repository. */
export interface DockerBuildSource {
  /** Discriminant. */
  kind: "docker";
  /** Tag to push (Terraform variable image_tag). */
  imageTag: string;
  /** Build context relative to the Terraform module folder (the whole apps/ tree), e.g. "../apps". */
  contextFromModule: string;
  /** Dockerfile relative to the build context: the shared "Dockerfile", or "<app>/Dockerfile" for an override. */
  dockerfile: string;
  /** --build-arg values (the template's APP and PYTHON_VERSION). */
  buildArgs?: Record<string, string>;
  /** Folders (relative to the build context) whose content triggers a rebuild, e.g. the app and fraudkit. */
  sourceFolders: string[];
  /** How many images the repository keeps (Terraform variable image_keep_count); older ones expire. */
  keepImages: number | string;
}

/** `--build remote`: a CodeBuild project in the deployment builds and pushes; the CLI hands back the digest. */
export interface RemoteBuildSource {
  /** Discriminant. */
  kind: "remote";
  /** "sha256:..." (Terraform variable image_digest, written by the CLI after the build). */
  digest: string;
  /** How many images the repository keeps (Terraform variable image_keep_count). */
  keepImages: number | string;
  /** Dockerfile relative to the build context. */
  dockerfile: string;
  /** --build-arg values. */
  buildArgs: Record<string, string>;
  /** Prefix of the build resources' names. */
  namePrefix: string;
  /** Days CloudWatch keeps the build logs. */
  logRetentionDays: number;
}

/** Where the container image comes from: the forms are separate so only the docker form needs the docker provider. */
export type ImageSource = ImageUriSource | DockerBuildSource | RemoteBuildSource;

/**
 * The build context as a Terraform expression, absolute. The dockerfile is then written below it: the pinned
 * 3.x resolves a relative dockerfile from terraform's working directory, 4.x from the context, so only an
 * absolute path means the same file on both.
 */
export function dockerBuildContext(contextFromModule: string): string {
  return `\${abspath("\${path.module}/${contextFromModule}")}`;
}

/** Settings of the app's container image. */
export interface ContainerImageProps {
  /** ECR repository name. */
  repositoryName: string;
  /** Existing image or docker build. */
  source: ImageSource;
  /** Repositories an existing image may come from besides the deployment's own (URI form only). */
  extraPullRepositoryArns?: string[];
}

/** Platform every image is built for: Fargate and the EC2 instance types run x86_64, laptops may not. */
export const IMAGE_PLATFORM = "linux/amd64";

/** The deployment's ECR repository and the image the containers run. */
export class ContainerImage extends Construct {
  /** The image reference containers run (by digest in the docker form, so each build redeploys). */
  readonly imageReference: string;
  /** The ECR repository URL (push target). */
  readonly repositoryUrl: string;
  /** ARNs of the repositories the runtime may pull from. */
  readonly pullRepositoryArns: string[];
  /** The deployment's repository name (a remote build pushes there). */
  readonly repositoryName: string;
  /** The deployment's repository ARN. */
  readonly repositoryArn: string;
  /** The CodeBuild project and its bucket (remote form only). */
  readonly remoteBuild?: RemoteBuild;

  constructor(scope: Construct, id: string, props: ContainerImageProps) {
    super(scope, id);
    const repository = new EcrRepository(this, "repository", {
      name: props.repositoryName,
      forceDelete: true, // destroy must not fail on pushed images
      imageTagMutability: "MUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: "AES256" }],
    });
    skipCheck(repository, "CKV_AWS_51", "tags are mutable so redeploying the same tag works; the docker form runs images by digest");
    skipCheck(repository, "CKV_AWS_136", "AES256 encryption at rest; a customer KMS key per deployment adds cost and outlives destroy");
    this.repositoryUrl = repository.repositoryUrl;
    this.repositoryName = repository.name;
    this.repositoryArn = repository.arn;
    if (props.source.kind === "uri") {
      this.imageReference = props.source.imageUri;
      this.pullRepositoryArns = [repository.arn, ...(props.extraPullRepositoryArns ?? [])];
      return;
    }
    this.keepLastImages(repository, props.source.keepImages);
    this.pullRepositoryArns = [repository.arn];
    if (props.source.kind === "docker") {
      this.imageReference = this.buildAndPush(repository, props.source);
      return;
    }
    this.remoteBuild = new RemoteBuild(this, "remote_build", {
      ...props.source,
      repositoryUrl: repository.repositoryUrl,
      repositoryArn: repository.arn,
      platform: IMAGE_PLATFORM,
    });
    this.imageReference = `${repository.repositoryUrl}@${props.source.digest}`;
  }

  /**
   * Expires all but the newest pushed images. Rebuilds keep the previous digests (keep_remotely), because the
   * running tasks, a circuit-breaker rollback and a scale-out during a swap all pull by digest.
   */
  private keepLastImages(repository: EcrRepository, count: number | string): void {
    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: repository.name,
      // jsonencode, so the count stays a number when it is a Terraform variable.
      policy: Fn.jsonencode({
        rules: [
          {
            rulePriority: 1,
            description: "keep the newest images only",
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: count },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }

  /** Declares the docker provider, the build and the push; returns the pushed image by digest. */
  private buildAndPush(repository: EcrRepository, source: DockerBuildSource): string {
    // The account id is known at plan time, the new repository's registry_id is not: a provider configured
    // from unknown values cannot log in to the registry during the first plan.
    const token = new DataAwsEcrAuthorizationToken(this, "ecr_token", { registryId: accountContext(this).accountId });
    new DockerProvider(this, "docker", {
      registryAuth: [{ address: token.proxyEndpoint, username: token.userName, password: token.password }],
    });
    const context = new TerraformLocal(this, "docker_build_context", dockerBuildContext(source.contextFromModule));
    const patterns = [...source.sourceFolders.map((folder) => `${folder}/**`), source.dockerfile, "constraints/**"];
    const folders = patterns.map((pattern) => JSON.stringify(pattern)).join(", ");
    // Rebuild when any file of the app, the shared package, the constraints or the Dockerfile changes.
    const sourceHash =
      `\${sha1(join("", [for f in sort(flatten([for pattern in [${folders}] : fileset(${context.fqn}, pattern)])) :` +
      ` filesha1(join("/", [${context.fqn}, f]))]))}`;
    const image = new Image(this, "build", {
      name: `${repository.repositoryUrl}:${source.imageTag}`,
      platform: IMAGE_PLATFORM,
      buildAttribute: {
        context: context.asString,
        dockerfile: `${context.asString}/${source.dockerfile}`,
        buildArgs: source.buildArgs,
        platform: IMAGE_PLATFORM,
      },
      triggers: { source_sha1: sourceHash },
      keepLocally: true,
    });
    const pushed = new RegistryImage(this, "push", {
      name: image.name,
      keepRemotely: true,
      triggers: { image_id: image.imageId },
    });
    return `${repository.repositoryUrl}@${pushed.sha256Digest}`;
  }
}
