import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Fn, type ITerraformDependable } from "cdktf";
import type { AppSpec } from "../types";
import { skipCheck } from "./checkov";
import { HEALTH_CHECK, containerHealthCommand } from "./health-check";
import { ServiceRole } from "./iam";
import { ecsContainerSecrets, resolveSecrets, secretReadStatements } from "./secrets";
import type { SecretRef } from "../operations/secrets";
import { apiKeyEnvironment, apiKeyKmsStatements, apiKeySecrets, type ApiKeysConfig } from "./api-keys";
import { type ContainerStateStore, fargateWorkers } from "./state-store";

/** Where an ALB sends traffic to the service. */
export interface FargateLoadBalancing {
  /** Target group (type ip) the service registers its tasks in. */
  targetGroupArn: string;
  /** Listeners that must exist before the service registers (ECS rejects a target group without a load balancer). */
  dependsOn: ITerraformDependable[];
  /** Seconds failed ALB health checks are ignored after a task starts (Terraform variable health_check_grace_period). */
  gracePeriodSeconds: number;
}

/** Settings of the ECS cluster, task definition and service. */
export interface FargateServiceProps {
  /** Prefix of every name, e.g. "ecs-flask-cnn-app-py39". */
  namePrefix: string;
  /** The app the service runs. */
  app: AppSpec;
  /** Image reference the container runs. */
  imageReference: string;
  /** Repositories the execution role may pull from. */
  pullRepositoryArns: string[];
  /** Log group name and ARN. */
  logGroup: { name: string; arn: string };
  /** AWS region (for the awslogs driver). */
  region: string;
  /** Subnets the tasks run in (public: tasks get public IPs, no NAT). */
  subnetIds: string[];
  /** Security group of the tasks. */
  securityGroupId: string;
  /** Fargate CPU units (Terraform variable cpu). */
  cpu: number;
  /** Memory in MiB (Terraform variable memory). */
  memory: number;
  /** Initial task count; ignored after creation so auto-scaling is never undone (Terraform variable desired_count). */
  desiredCount: number;
  /** Seconds the container health check waits for the model to load (capped at ECS's maximum of 300). */
  containerStartPeriodSeconds: number;
  /** Present for the ALB architecture. */
  loadBalancing?: FargateLoadBalancing;
  /** SSM parameters the container gets as environment variables; the execution role may read exactly these. */
  secrets?: SecretRef[];
  /** API keys injected by ARN like the secrets, with FRAUDKIT_REQUIRE_KEYS=1; the execution role may read exactly them. */
  apiKeys?: ApiKeysConfig;
  /** The online-state store's variables and the task role's permissions for it; absent: in-process. */
  stateStore?: ContainerStateStore;
  /** Further plain environment variables of the container (settings, never secrets). */
  environment?: Readonly<Record<string, string>>;
}

/** Name of the only container in the task definition. */
export const CONTAINER_NAME = "app";

/** An ECS Fargate cluster running the app as one service, with least-privilege roles and a health-checked container. */
export class FargateService extends Construct {
  /** The cluster's name. */
  readonly clusterName: string;
  /** The cluster's ARN. */
  readonly clusterArn: string;
  /** The service's ARN. */
  readonly serviceArn: string;
  /** The service's name. */
  readonly serviceName: string;
  /** "service/<cluster>/<service>", the auto-scaling resource id. */
  readonly scalingResourceId: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const { app } = props;
    const secrets = resolveSecrets(this, [...(props.secrets ?? []), ...apiKeySecrets(props.apiKeys)]);
    const cluster = new EcsCluster(this, "cluster", {
      name: props.namePrefix,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    const executionRole = new ServiceRole(this, "execution_role", {
      name: `${props.namePrefix}-execution`,
      principal: "ecs-tasks.amazonaws.com",
      pullRepositoryArns: props.pullRepositoryArns,
      logGroupArn: props.logGroup.arn,
      statements: [...secretReadStatements(this, secrets), ...apiKeyKmsStatements(this, props.apiKeys)],
    });
    // The app calls no AWS API: its task role has no permissions beyond connecting to its state store.
    const taskRole = new ServiceRole(this, "task_role", {
      name: `${props.namePrefix}-task`,
      principal: "ecs-tasks.amazonaws.com",
      statements: props.stateStore?.roleStatements,
    });
    const store = props.stateStore;
    const storeEnvironment = store
      ? { ...store.environment, ...(store.shared ? { FRAUDKIT_WORKERS: fargateWorkers(props.cpu) } : {}) }
      : {};

    const container = {
      name: CONTAINER_NAME,
      image: props.imageReference,
      essential: true,
      portMappings: [{ containerPort: app.port, hostPort: app.port, protocol: "tcp" }],
      environment: [
        { name: "PORT", value: String(app.port) },
        ...apiKeyEnvironment(props.apiKeys),
        ...Object.entries({ ...storeEnvironment, ...props.environment }).map(([name, value]) => ({ name, value })),
      ],
      // By ARN: the agent reads the values at task start, so Terraform and its state only ever hold the ARNs.
      secrets: secrets.length > 0 ? ecsContainerSecrets(secrets) : undefined,
      healthCheck: {
        command: ["CMD", ...containerHealthCommand(app.port, app.healthPath)],
        interval: HEALTH_CHECK.intervalSeconds,
        timeout: HEALTH_CHECK.timeoutSeconds,
        retries: 3,
        startPeriod: props.containerStartPeriodSeconds,
      },
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": props.logGroup.name, "awslogs-region": props.region, "awslogs-stream-prefix": app.name },
      },
    };
    const taskDefinition = new EcsTaskDefinition(this, "task", {
      family: props.namePrefix,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: executionRole.arn,
      taskRoleArn: taskRole.arn,
      containerDefinitions: Fn.jsonencode([container]),
    });
    skipCheck(taskDefinition, "CKV_AWS_336", "gunicorn needs a writable /tmp for worker heartbeats; the image runs as a non-root user");

    const lb = props.loadBalancing;
    const service = new EcsService(this, "service", {
      name: props.namePrefix,
      cluster: cluster.id,
      taskDefinition: taskDefinition.arn,
      launchType: "FARGATE",
      desiredCount: props.desiredCount,
      // Keep two thirds of the tasks serving while a deploy starts the new ones (terraform-aws-modules).
      deploymentMinimumHealthyPercent: 66,
      deploymentMaximumPercent: 200,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      networkConfiguration: { subnets: props.subnetIds, securityGroups: [props.securityGroupId], assignPublicIp: true },
      healthCheckGracePeriodSeconds: lb?.gracePeriodSeconds,
      loadBalancer: lb ? [{ targetGroupArn: lb.targetGroupArn, containerName: CONTAINER_NAME, containerPort: app.port }] : undefined,
      dependsOn: lb?.dependsOn,
      // Tasks inherit the service's tags (default_tags do not reach tasks ECS starts).
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      lifecycle: { ignoreChanges: ["desired_count"] },
    });
    skipCheck(service, "CKV_AWS_333", "tasks need a public IP to pull images and to be reached without a NAT gateway or load balancer");
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    // An ECS service's id is its ARN.
    this.serviceArn = service.id;
    this.serviceName = service.name;
    this.scalingResourceId = `service/${cluster.name}/${service.name}`;
  }
}
