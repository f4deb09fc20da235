/**
 * What one architecture is, in one object: its names, its defaults, its Terraform variables, the construct it
 * builds, how it is priced and how the CLI finds its URL and logs. Every member is required, so the registry
 * (src/architectures/index.ts) cannot hold an architecture that is missing a part.
 */
import type { Construct } from "constructs";
import type { AuthFrontKind } from "../constructs/auth-front";
import type { CostRequest, CostSheet } from "../cost";
import type { FoundationProps, OutputSpec } from "../constructs/foundation";
import type { Workload } from "../constructs/workload";
import type { VariableSpec } from "../stacks/variable-spec";
import type { AppSpec } from "../types";
import type { Architecture } from "./ids";

/** The declared Terraform variables of a stack, by name (tokens for the constructs). */
export type StackVariables = Record<string, { numberValue: number; stringValue: string }>;

/** What an architecture's construct gives the stack: its outputs and the compute the operations features watch. */
export interface BuiltArchitecture {
  /** Terraform outputs (log_group_name, app_url, ...). */
  outputs: Record<string, OutputSpec>;
  /** The compute, for alarms, the dashboard and the schedule. */
  workload: Workload;
}

/** What the builder gets besides the foundation and the variables. */
export interface BuildOptions {
  /** --waf: a web ACL on the load balancer (only architectures with loadBalancer: true get it). */
  waf?: boolean;
  /** --auth-front: an authenticating front before an internal load balancer (only architectures that accept it). */
  authFront?: AuthFrontKind;
}

/** The size flags the cost estimate reads (a subset of the deploy flags). */
export interface SizeFlags {
  /** --instance-type. */
  instanceType?: string;
  /** --cpu. */
  cpu?: number;
  /** --memory. */
  memory?: number;
  /** --desired. */
  desired?: number;
  /** --min. */
  min?: number;
}

/** The sizes an estimate prices. */
export type CostSizes = Pick<CostRequest, "instanceType" | "cpu" | "memory" | "tasks">;

/** Alarm thresholds only some architectures have (cpu, period and evaluation periods are everyone's). */
export type ArchitectureAlarmVariable = "alarm_memory_percent" | "alarm_5xx_percent" | "alarm_p99_seconds";

/** One architecture, complete. */
export interface ArchitectureDefinition {
  /** Stack and folder spelling (deployment_<id>_<app>). */
  readonly id: Architecture;
  /** The --arch spelling users type. */
  readonly flag: string;
  /** How menus and messages name it. */
  readonly label: string;
  /** Short name in flag help, e.g. "ECS + Load Balancer". */
  readonly shortLabel: string;
  /** What runs the container: one EC2 instance, or an ECS Fargate service (sizes checked, failures diagnosed from its events). */
  readonly compute: "instance" | "fargate";
  /** Where the app's URL comes from: the app_url output, or the public IP of a running task (no load balancer). */
  readonly url: "output" | "task-public-ip";
  /** A load balancer in front: AWS WAF can attach, and an in-process store would split the state between tasks. */
  readonly loadBalancer: boolean;
  /** The state store when --state-store is not given. */
  readonly defaultStateStore: "memory" | "elasticache";
  /** The alarm thresholds beyond the shared ones, in main.tf order. */
  readonly alarmVariables: readonly ArchitectureAlarmVariable[];
  /** Its own Terraform variables (after the shared region, network, logs and image ones), in main.tf order. */
  variables(app: AppSpec): Record<string, VariableSpec>;
  /** Builds its construct on the stack from the shared foundation and the declared variables. */
  build(scope: Construct, foundation: FoundationProps, vars: StackVariables, options: BuildOptions): BuiltArchitecture;
  /** The sizes to price from the flags (unset: the app's, then the architecture's defaults). */
  costSizes(flags: SizeFlags, app: AppSpec | undefined): CostSizes;
  /** Adds its compute (and load balancer) lines to the estimate; the shared lines are added by estimateCost. */
  cost(request: CostRequest, sheet: CostSheet): void;
}
