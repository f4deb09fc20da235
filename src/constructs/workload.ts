/**
 * What an architecture construct exposes to the operations constructs (alarms, dashboard, schedule): the
 * identifiers of the compute it runs, so those constructs never reach into the architecture's internals.
 */

/** The single EC2 instance. */
export interface Ec2Workload {
  /** Discriminant. */
  kind: "ec2";
  /** Instance id (CloudWatch dimension, StartInstances input). */
  instanceId: string;
  /** Instance ARN (what the scheduler role may start and stop). */
  instanceArn: string;
}

/** The load balancer in front of an ECS service. */
export interface LoadBalancerHandles {
  /** "app/<name>/<id>", the LoadBalancer dimension. */
  loadBalancerArnSuffix: string;
  /** "targetgroup/<name>/<id>", the TargetGroup dimension. */
  targetGroupArnSuffix: string;
}

/** The auto-scaling target of an ECS service. */
export interface ScalingHandles {
  /** "service/<cluster>/<service>". */
  resourceId: string;
  /** The scalable target's ARN (what the scheduler role may re-register). */
  targetArn: string;
  /** Fewest tasks while running (Terraform variable min_count). */
  minCount: number;
  /** Most tasks while running (Terraform variable max_count). */
  maxCount: number;
}

/** An ECS Fargate service, with its load balancer and scaling when the architecture has them. */
export interface EcsWorkload {
  /** Discriminant. */
  kind: "ecs";
  /** Cluster name (dimension). */
  clusterName: string;
  /** Cluster ARN. */
  clusterArn: string;
  /** Service name (dimension). */
  serviceName: string;
  /** Service ARN (what the scheduler role may update). */
  serviceArn: string;
  /** Tasks while running (Terraform variable desired_count). */
  desiredCount: number;
  /** ECS + ALB only. */
  loadBalancer?: LoadBalancerHandles;
  /** ECS + ALB only: the schedule must move the scaler's bounds, or it starts the tasks again. */
  scaling?: ScalingHandles;
}

/** The compute of one deployment. */
export type Workload = Ec2Workload | EcsWorkload;
