/** ECS: Fargate tasks with public IPs, no load balancer; plus the Fargate parts ECS + ALB shares. */
import { EcsDeployment, type EcsTaskSettings } from "../constructs/ecs-deployment";
import { DEFAULT_GRACE_PERIOD_SECONDS } from "../constructs/health-check";
import { MACHINE_LEARNING_RESOURCES } from "../discovery/resources";
import type { CostRequest, CostSheet } from "../cost";
import { atLeast, type VariableSpec } from "../stacks/variable-spec";
import type { AppSpec } from "../types";
import type { ArchitectureDefinition, StackVariables } from "./definition";

/** Plain ECS's defaults: one task. */
export const ECS_DEFAULTS = { desiredCount: 1 } as const;

/** The task size priced when no app is named: the seed's 1 vCPU / 2 GB (a tree ensemble's size). */
export const DEFAULT_TASK_SIZE = MACHINE_LEARNING_RESOURCES;

/** The Fargate task variables both ECS architectures declare: size (from the app) and count. */
export function fargateVariables(app: AppSpec, desiredCount: number): Record<string, VariableSpec> {
  return {
    cpu: { type: "number", description: `Fargate CPU units per task (sized for a ${app.modelFamily} model)`, default: app.resources.cpu },
    memory: { type: "number", description: "Memory per task in MiB, valid for the CPU size", default: app.resources.memory },
    desired_count: {
      type: "number",
      description: "Tasks to start with; ignored after creation so auto-scaling and manual changes stick",
      default: desiredCount,
      validation: atLeast("desired_count", 0),
    },
    health_check_grace_period: {
      type: "number",
      description: "Seconds a new task gets to load its model before failed health checks count",
      default: DEFAULT_GRACE_PERIOD_SECONDS,
      validation: atLeast("health_check_grace_period", 0),
    },
  };
}

/** The task settings from the variables fargateVariables declared. */
export function fargateTaskSettings(vars: StackVariables): EcsTaskSettings {
  return {
    cpu: vars.cpu.numberValue,
    memory: vars.memory.numberValue,
    desiredCount: vars.desired_count.numberValue,
    gracePeriodSeconds: vars.health_check_grace_period.numberValue,
  };
}

/** The task size to price: the flags, then the app's, then the default size. */
export function fargateCostSize(flags: { cpu?: number; memory?: number }, app: AppSpec | undefined): { cpu?: number; memory?: number } {
  return { cpu: flags.cpu ?? app?.resources.cpu, memory: flags.memory ?? app?.resources.memory };
}

/** Prices `tasks` Fargate tasks (each with a public IP, stopped by a schedule). */
export function fargateCost(request: CostRequest, sheet: CostSheet, tasks: number): void {
  const vcpu = (request.cpu ?? DEFAULT_TASK_SIZE.cpu) / 1024;
  const gb = (request.memory ?? DEFAULT_TASK_SIZE.memory) / 1024;
  sheet.hourly(
    "Fargate tasks",
    `${tasks} task${tasks === 1 ? "" : "s"} x ${vcpu} vCPU, ${gb} GB${sheet.scheduled}`,
    tasks * (vcpu * sheet.prices.fargate_vcpu_hourly + gb * sheet.prices.fargate_gb_hourly) * sheet.running,
  );
  sheet.scheduledIps += tasks;
  if (sheet.running < 1)
    sheet.assumptions.push(`Tasks run only ${request.scheduleText ?? "on their schedule"} and are scaled to zero outside it.`);
  sheet.assumptions.push("Tasks run in public subnets with a public IP each (no NAT gateway).");
}

/** The plain ECS architecture. */
export const ecs: ArchitectureDefinition = {
  id: "ecs",
  flag: "ecs",
  label: "ECS Fargate (single environment)",
  shortLabel: "ECS",
  compute: "fargate",
  url: "task-public-ip",
  loadBalancer: false,
  defaultStateStore: "memory",
  alarmVariables: ["alarm_memory_percent"],
  variables: (app) => fargateVariables(app, ECS_DEFAULTS.desiredCount),
  build: (scope, foundation, vars) => new EcsDeployment(scope, "ecs", { ...foundation, ...fargateTaskSettings(vars) }),
  costSizes: (flags, app) => ({ ...fargateCostSize(flags, app), tasks: flags.desired ?? ECS_DEFAULTS.desiredCount }),
  cost: (request, sheet) => fargateCost(request, sheet, request.tasks ?? ECS_DEFAULTS.desiredCount),
};
