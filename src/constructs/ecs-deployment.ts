import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { type FargateLoadBalancing, FargateService } from "./fargate-service";
import { ArchitectureConstruct, type Foundation, type FoundationProps, type OutputSpec } from "./foundation";
import type { EcsWorkload } from "./workload";
import { AppSecurityGroup, HTTPS_EGRESS } from "./security-group";

/** Settings of the task size and count, shared by both ECS architectures. */
export interface EcsTaskSettings {
  /** Fargate CPU units (Terraform variable cpu). */
  cpu: number;
  /** Memory in MiB (Terraform variable memory). */
  memory: number;
  /** Initial number of tasks (Terraform variable desired_count). */
  desiredCount: number;
  /** Seconds a new task gets to load its model (Terraform variable health_check_grace_period). */
  gracePeriodSeconds: number;
}

/** Settings of the ECS Fargate architecture without a load balancer. */
export interface EcsDeploymentProps extends FoundationProps, EcsTaskSettings {}

/** ECS caps a container health check's start period at 300 seconds. */
export const MAX_CONTAINER_START_PERIOD = 300;

/** The container health check's start period: the grace period, capped at what ECS accepts. */
export function containerStartPeriod(gracePeriodSeconds: number): number {
  return Token.asNumber(Fn.min([gracePeriodSeconds, MAX_CONTAINER_START_PERIOD]));
}

/** The handles alarms and schedules need of a Fargate service. */
export function fargateWorkload(service: FargateService, desiredCount: number): EcsWorkload {
  const { clusterName, clusterArn, serviceName, serviceArn } = service;
  return { kind: "ecs", clusterName, clusterArn, serviceName, serviceArn, desiredCount };
}

/** The state store and the Fargate service an ECS architecture runs, and their outputs (cluster, service, store). */
export interface FargateApp {
  /** The ECS cluster, task definition and service. */
  service: FargateService;
  /** cluster_name, service_name and the store's outputs. */
  outputs: Record<string, OutputSpec>;
  /** The service's handles for alarms and schedules. */
  workload: EcsWorkload;
}

/**
 * The part both ECS architectures share: the state store the tasks reach and the Fargate service (construct ids
 * state_store and fargate), for tasks in `tasksGroup`, registered in a target group when `loadBalancing` is given,
 * with `environment` added to the container's.
 */
export function fargateApp(
  scope: Construct,
  base: Foundation,
  props: EcsDeploymentProps,
  tasksGroup: AppSecurityGroup,
  loadBalancing?: FargateLoadBalancing,
  environment?: Readonly<Record<string, string>>,
): FargateApp {
  const store = base.stateStore(tasksGroup);
  const service = new FargateService(scope, "fargate", {
    namePrefix: props.namePrefix,
    app: props.app,
    imageReference: base.image.imageReference,
    pullRepositoryArns: base.image.pullRepositoryArns,
    logGroup: base.logs,
    region: props.region,
    subnetIds: base.network.publicSubnetIds,
    securityGroupId: tasksGroup.id,
    cpu: props.cpu,
    memory: props.memory,
    desiredCount: props.desiredCount,
    secrets: props.secrets,
    apiKeys: props.apiKeys,
    stateStore: store.container,
    environment,
    containerStartPeriodSeconds: containerStartPeriod(props.gracePeriodSeconds),
    loadBalancing,
  });
  return {
    service,
    workload: fargateWorkload(service, props.desiredCount),
    outputs: {
      cluster_name: { value: service.clusterName, description: "ECS cluster name" },
      service_name: { value: service.serviceName, description: "ECS service name" },
      ...store.outputs,
    },
  };
}

/** ECS Fargate tasks with public IPs in public subnets, reachable on the app port from allowed_cidr. */
export class EcsDeployment extends ArchitectureConstruct<EcsWorkload> {
  constructor(scope: Construct, id: string, props: EcsDeploymentProps) {
    super(scope, id, props);
    const { base } = this;
    const tasks = new AppSecurityGroup(this, "tasks_security_group", {
      name: `${props.namePrefix}-tasks`,
      description: `${props.app.name} tasks: app port from allowed_cidr`,
      vpcId: base.network.vpcId,
      ingress: [{ id: "app_port", description: "App port from allowed_cidr", port: props.app.port, cidr: props.allowedCidr }],
      egress: [HTTPS_EGRESS],
    });
    const fargate = fargateApp(this, base, props, tasks);
    this.workload = fargate.workload;
    this.outputs = {
      ...base.commonOutputs(),
      // A task's public IP exists only once it runs and changes with every task: Terraform cannot know it.
      app_url: {
        value: "",
        description: "Empty on ecs: the URL is http://<public IP of a running task>:<app_port>, found with ecs describe-tasks",
      },
      ...fargate.outputs,
    };
  }
}
