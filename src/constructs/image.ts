import { Construct } from "constructs";
import { DataAwsEcrAuthorizationToken } from "@cdktf/provider-aws/lib/data-aws-ecr-authorization-token";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Image } from "@cdktf/provider-docker/lib/image";
import { DockerProvider } from "@cdktf/provider-docker/lib/provider";
import { RegistryImage } from "@cdktf/provider-docker/lib/registry-image";
import { TerraformLocal } from "cdktf";
import { skipCheck } from "./checkov";

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
  /** Dockerfile relative to the build context, e.g. "flask-cnn-app-py39/Dockerfile". */
  dockerfile: string;
  /** Folders (relative to the build context) whose content triggers a rebuild, e.g. the app and fraudkit. */
  sourceFolders: string[];
}

/** Where the container image comes from: the two forms are separate so the URI form needs no docker provider. */
export type ImageSource = ImageUriSource | DockerBuildSource;

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
    if (props.source.kind === "uri") {
      this.imageReference = props.source.imageUri;
      this.pullRepositoryArns = [repository.arn, ...(props.extraPullRepositoryArns ?? [])];
    } else {
      this.imageReference = this.buildAndPush(repository, props.source);
      this.pullRepositoryArns = [repository.arn];
    }
  }

  /** Declares the docker provider, the build and the push; returns the pushed image by digest. */
  private buildAndPush(repository: EcrRepository, source: DockerBuildSource): string {
    const token = new DataAwsEcrAuthorizationToken(this, "ecr_token", { registryId: repository.registryId });
    new DockerProvider(this, "docker", {
      registryAuth: [{ address: token.proxyEndpoint, username: token.userName, password: token.password }],
    });
    const context = new TerraformLocal(this, "docker_build_context", `\${path.module}/${source.contextFromModule}`);
    const folders = source.sourceFolders.map((folder) => JSON.stringify(`${folder}/**`)).join(", ");
    // Rebuild when any file of the app or of the shared package changes.
    const sourceHash =
      `\${sha1(join("", [for f in sort(flatten([for pattern in [${folders}] : fileset(${context.fqn}, pattern)])) :` +
      ` filesha1(join("/", [${context.fqn}, f]))]))}`;
    const image = new Image(this, "build", {
      name: `${repository.repositoryUrl}:${source.imageTag}`,
      platform: IMAGE_PLATFORM,
      buildAttribute: { context: context.asString, dockerfile: source.dockerfile, platform: IMAGE_PLATFORM },
      triggers: { source_sha1: sourceHash },
      keepLocally: true,
    });
    const pushed = new RegistryImage(this, "push", {
      name: image.name,
      keepRemotely: false,
      triggers: { image_id: image.imageId },
    });
    return `${repository.repositoryUrl}@${pushed.sha256Digest}`;
  }
}
