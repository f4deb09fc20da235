import type { Target } from "./deployments";

/** How each target is named in menus and messages. */
export const TARGET_LABELS: Record<Target, string> = {
  ec2: "EC2 (single instance)",
  ecs: "ECS Fargate (single environment)",
  ecs_alb: "ECS Fargate + Load Balancer (high availability)",
  local: "Local (run on this machine, no AWS account needed)",
};

/** The --arch spelling users type for a target (ecs-alb reads better on a command line than ecs_alb). */
export function archFlag(target: Target): string {
  return target === "ecs_alb" ? "ecs-alb" : target;
}

/** The command line that repeats an action for one target and app, as printed in hints. */
export function commandHint(command: string, target: Target, app: string, extra = ""): string {
  return `./dynamic_deployment_system.sh ${command} --arch ${archFlag(target)} --app ${app}${extra ? ` ${extra}` : ""}`;
}
