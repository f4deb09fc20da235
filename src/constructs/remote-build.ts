import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { TerraformOutput } from "cdktf";
import { skipCheck } from "./checkov";
import { privateTlsOnlyBucket } from "./private-bucket";
import { ServiceRole } from "./iam";

/** The object key the CLI uploads the zipped build context to. */
export const REMOTE_BUILD_SOURCE_KEY = "source/context.zip";
/** Name of the build's exported variable that carries the pushed digest back to the CLI. */
export const REMOTE_BUILD_DIGEST_VARIABLE = "IMAGE_DIGEST";
/** The CodeBuild image: x86_64 Amazon Linux with Docker, so the image matches Fargate and the EC2 types. */
export const REMOTE_BUILD_IMAGE = "aws/codebuild/amazonlinux2-x86_64-standard:5.0";
/** The Terraform outputs the CLI reads between the two applies (see src/cli/remote-build.ts). */
export const REMOTE_BUILD_OUTPUTS = { project: "remote_build_project", bucket: "remote_build_bucket", logGroup: "remote_build_log_group" };

/** What the build needs to know about the image. */
export interface RemoteBuildProps {
  /** Prefix of the resource names, e.g. "ecs-flask-xgboost-app". */
  namePrefix: string;
  /** The deployment's ECR repository: URL to push to, ARN for the role. */
  repositoryUrl: string;
  /** ARN of that repository. */
  repositoryArn: string;
  /** Dockerfile relative to the build context (the template or the app's override). */
  dockerfile: string;
  /** --build-arg values. */
  buildArgs: Record<string, string>;
  /** Days CloudWatch keeps the build logs. */
  logRetentionDays: number;
  /** docker build --platform, e.g. "linux/amd64". */
  platform: string;
}

/**
 * The buildspec: log in to the repository's registry, build the zipped apps/ context for linux/amd64, push,
 * and export the pushed digest. The tag is the build id, so each build's digest is its own.
 */
export function remoteBuildspec(props: Pick<RemoteBuildProps, "dockerfile" | "buildArgs" | "platform">): string {
  const args = Object.entries(props.buildArgs)
    .map(([key, value]) => `--build-arg ${key}=${shellQuote(value)}`)
    .join(" ");
  const lines = [
    "version: 0.2",
    "env:",
    `  exported-variables: [${REMOTE_BUILD_DIGEST_VARIABLE}]`,
    "phases:",
    "  pre_build:",
    "    commands:",
    '      - REGISTRY="${REPOSITORY_URI%%/*}"',
    '      - TAG="build-${CODEBUILD_BUILD_NUMBER}"',
    '      - aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
    "  build:",
    "    commands:",
    `      - docker build --platform ${props.platform} -f ${shellQuote(props.dockerfile)} ${args} -t "$REPOSITORY_URI:$TAG" .`,
    "  post_build:",
    "    commands:",
    '      - test "$CODEBUILD_BUILD_SUCCEEDING" = 1',
    '      - docker push "$REPOSITORY_URI:$TAG"',
    `      - ${REMOTE_BUILD_DIGEST_VARIABLE}="$(docker inspect --format '{{index .RepoDigests 0}}' "$REPOSITORY_URI:$TAG" | cut -d@ -f2)"`,
    `      - echo "pushed $REPOSITORY_URI@$${REMOTE_BUILD_DIGEST_VARIABLE}"`,
    "",
  ];
  return lines.join("\n");
}

/** A value as one single-quoted shell word. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `--build remote`: an AWS CodeBuild project that builds the app's image from the zipped apps/ context the CLI
 * uploads to a private source bucket, and pushes it to the deployment's repository. Part of the deployment
 * folder, so `destroy` removes it. Composed once by the shared foundation, whatever the architecture.
 */
export class RemoteBuild extends Construct {
  /** CodeBuild project name. */
  readonly projectName: string;
  /** Source bucket name. */
  readonly bucketName: string;

  constructor(scope: Construct, id: string, props: RemoteBuildProps) {
    super(scope, id);
    const bucket = new S3Bucket(this, "source", { bucketPrefix: `${props.namePrefix.slice(0, 30)}-src-`, forceDestroy: true });
    skipCheck(bucket, "CKV_AWS_18", "access logging needs a second bucket; it holds only build inputs, expired after a day");
    skipCheck(bucket, "CKV_AWS_144", "cross-region replication of throw-away build inputs has nothing to protect");
    skipCheck(bucket, "CKV2_AWS_62", "nothing listens to uploads: the CLI starts the build itself");
    skipCheck(bucket, "CKV_AWS_145", "SSE-S3 (AES256) at rest; a customer KMS key adds cost and outlives destroy");
    skipCheck(bucket, "CKV_AWS_21", "versioning would keep every uploaded context; each upload replaces the last and expires");
    privateTlsOnlyBucket(this, "source", bucket);
    new S3BucketLifecycleConfiguration(this, "source_expiry", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-build-inputs",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ days: 1 }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });

    const logs = new CloudwatchLogGroup(this, "logs", { name: `/dds/build/${props.namePrefix}`, retentionInDays: props.logRetentionDays });
    skipCheck(logs, "CKV_AWS_158", "encrypted at rest by CloudWatch; a customer KMS key per deployment adds cost and outlives destroy");
    skipCheck(logs, "CKV_AWS_338", "build logs follow the app logs' retention variable (default 14 days)");

    const role = new ServiceRole(this, "role", {
      name: `${props.namePrefix}-build`.slice(0, 64),
      principal: "codebuild.amazonaws.com",
      onlyFromOwnAccount: true,
      // Pull too: docker build reuses the layers of the previous push.
      pullRepositoryArns: [props.repositoryArn],
      logGroupArn: logs.arn,
      statements: [
        {
          sid: "EcrPush",
          effect: "Allow",
          actions: ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
          resources: [props.repositoryArn],
        },
        {
          sid: "ReadSource",
          effect: "Allow",
          actions: ["s3:GetObject", "s3:GetObjectVersion"],
          resources: [`${bucket.arn}/${REMOTE_BUILD_SOURCE_KEY}`],
        },
        { sid: "SourceBucket", effect: "Allow", actions: ["s3:GetBucketAcl", "s3:GetBucketLocation"], resources: [bucket.arn] },
      ],
    });

    const project = new CodebuildProject(this, "project", {
      name: `${props.namePrefix}-build`.slice(0, 150),
      description: "Builds the app's image from the zipped apps/ folder and pushes it to the deployment's ECR repository",
      serviceRole: role.arn,
      buildTimeout: 30,
      // $${ and %%{ keep the shell's ${VAR} literal in Terraform's string.
      source: {
        type: "S3",
        location: `${bucket.bucket}/${REMOTE_BUILD_SOURCE_KEY}`,
        buildspec: remoteBuildspec(props).replace(/([$%])\{/g, "$1$1{"),
      },
      artifacts: { type: "NO_ARTIFACTS" },
      environment: {
        type: "LINUX_CONTAINER",
        computeType: "BUILD_GENERAL1_MEDIUM",
        image: REMOTE_BUILD_IMAGE,
        privilegedMode: true,
        environmentVariable: [{ name: "REPOSITORY_URI", value: props.repositoryUrl }],
      },
      logsConfig: { cloudwatchLogs: { groupName: logs.name, status: "ENABLED" }, s3Logs: { status: "DISABLED" } },
    });
    skipCheck(project, "CKV_AWS_316", "privileged mode is how CodeBuild runs docker build; the project builds only this app's context");
    skipCheck(project, "CKV_AWS_147", "CodeBuild's AWS-managed key encrypts the (empty) artifacts; a customer key outlives destroy");
    skipCheck(project, "CKV_AWS_314", "the build logs go to CloudWatch (logs_config), S3 logs are off on purpose");
    this.projectName = project.name;
    this.bucketName = bucket.bucket;

    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description }).overrideLogicalId(name);
    output(REMOTE_BUILD_OUTPUTS.project, project.name, "CodeBuild project that builds the image (--build remote)");
    output(REMOTE_BUILD_OUTPUTS.bucket, bucket.bucket, "Bucket the CLI uploads the build context to");
    output(REMOTE_BUILD_OUTPUTS.logGroup, logs.name, "CloudWatch log group of the image builds");
  }
}
