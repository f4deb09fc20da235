import { architecture, ARCHITECTURE_IDS, architectureDefinitions } from "../architectures";
import type { Target } from "./deployments";

/** Every target in menu order: the architectures (their registry order), then this machine last. */
export const TARGETS: readonly Target[] = [...ARCHITECTURE_IDS, "local"];

/** How each target is named in menus and messages (the architectures' labels come from their definitions). */
export const TARGET_LABELS: Readonly<Record<Target, string>> = {
  ...(Object.fromEntries(architectureDefinitions().map((def) => [def.id, def.label])) as Record<Exclude<Target, "local">, string>),
  local: "Local (run on this machine, no AWS account needed)",
};

/** The --arch spelling users type for a target (ecs-alb reads better on a command line than ecs_alb). */
export function archFlag(target: Target): string {
  return target === "local" ? target : architecture(target).flag;
}

/** The --arch spellings, for help and messages: "ec2 | ecs | ecs-alb | local". */
export function archFlagList(separator = " | "): string {
  return TARGETS.map(archFlag).join(separator);
}

/** The command line that repeats an action for one target and app, as printed in hints. */
export function commandHint(command: string, target: Target, app: string, extra = ""): string {
  return `./dynamic_deployment_system.sh ${command} --arch ${archFlag(target)} --app ${app}${extra ? ` ${extra}` : ""}`;
}
