import { Construct } from "constructs";
import type { SecretRef } from "../operations/secrets";
import type { ApiKeysConfig } from "./api-keys";
import type { AppSpec, Architecture } from "../types";
import { ContainerImage, type ImageSource } from "./image";
import { AppLogs } from "./logs";
import { Network } from "./network";
import type { AppSecurityGroup } from "./security-group";
import { StateStore, type StateStoreSettings } from "./state-store";
import type { Workload } from "./workload";

/** Settings every architecture shares. */
export interface FoundationProps {
  /** The app to deploy. */
  app: AppSpec;
  /** The architecture (for names). */
  architecture: Architecture;
  /** Prefix of every resource name, e.g. "ecs-alb-flask-cnn-app-py39". */
  namePrefix: string;
  /** AWS region (Terraform variable region). */
  region: string;
  /** CIDR of the deployment's VPC (Terraform variable vpc_cidr). */
  vpcCidr: string;
  /** CIDR allowed to reach the app (Terraform variable allowed_cidr). */
  allowedCidr: string;
  /** Days to keep logs (Terraform variable log_retention_days). */
  logRetentionDays: number;
  /** Existing image or docker build. */
  imageSource: ImageSource;
  /** Other repositories an existing image may come from (URI form). */
  extraPullRepositoryArns?: string[];
  /** Environment name (--env): part of the repository and log group names so environments never share them. */
  environment?: string;
  /** SSM parameters the container gets as environment variables (--secret). */
  secrets?: SecretRef[];
  /** API keys in SSM the container gets (FRAUDKIT_SCORING_KEYS / FRAUDKIT_LABELLING_KEYS); none: auth off. */
  apiKeys?: ApiKeysConfig;
  /** Where the apps keep their online state (--state-store, or the architecture's default); absent: in-process. */
  stateStore?: StateStoreSettings;
}

/** A Terraform output the stack emits: value and description. */
export interface OutputSpec {
  /** The output's value. */
  value: string | number;
  /** What it is, for `terraform output`. */
  description: string;
}

/** The parts every architecture builds on: network, image and logs, plus the outputs they share. */
export class Foundation extends Construct {
  /** The deployment's VPC and public subnets. */
  readonly network: Network;
  /** The ECR repository and the image reference. */
  readonly image: ContainerImage;
  /** The log group. */
  readonly logs: AppLogs;

  constructor(
    scope: Construct,
    id: string,
    readonly props: FoundationProps,
  ) {
    super(scope, id);
    this.network = new Network(this, "network", { namePrefix: props.namePrefix, vpcCidr: props.vpcCidr });
    this.image = new ContainerImage(this, "image", {
      repositoryName: [props.app.name, props.architecture, props.environment].filter(Boolean).join("/").toLowerCase(),
      source: props.imageSource,
      extraPullRepositoryArns: props.extraPullRepositoryArns,
    });
    const logGroup = ["/dds", props.architecture, props.app.name, props.environment].filter(Boolean).join("/");
    this.logs = new AppLogs(this, "logs", { name: logGroup, retentionDays: props.logRetentionDays });
  }

  /** The deployment's state store (construct id state_store), used by the compute behind `clients`. */
  stateStore(clients: AppSecurityGroup): StateStore {
    return new StateStore(this, "state_store", {
      choice: { kind: "memory" },
      ...this.props.stateStore,
      namePrefix: this.props.namePrefix,
      network: this.network,
      clients,
      region: this.props.region,
    });
  }

  /** Outputs with the same name and meaning on every architecture. */
  commonOutputs(): Record<string, OutputSpec> {
    return {
      log_group_name: { value: this.logs.name, description: "CloudWatch log group of the app's container" },
      ecr_repository_url: { value: this.image.repositoryUrl, description: "ECR repository images are pushed to" },
      image: { value: this.image.imageReference, description: "Image reference the containers run" },
      health_path: { value: this.props.app.healthPath, description: "Path that answers 200 once the model is loaded" },
      app_port: { value: this.props.app.port, description: "Port the container listens on" },
    };
  }
}

/**
 * An architecture's construct: the foundation first (construct id "base", which adds nothing to Terraform
 * names), then what the architecture builds on it; it ends with the outputs and the compute it runs.
 */
export abstract class ArchitectureConstruct<W extends Workload> extends Construct {
  /** Outputs the stack emits (set once, at the end of the architecture's constructor). */
  outputs: Record<string, OutputSpec> = {};
  /** The compute, for alarms, the dashboard and the schedule (set once, at the end of the architecture's constructor). */
  workload!: W;
  /** Network, image and logs. */
  protected readonly base: Foundation;

  constructor(scope: Construct, id: string, props: FoundationProps) {
    super(scope, id);
    this.base = new Foundation(this, "base", props);
  }
}
