import type { App, TerraformStack } from "cdktf";
import { ARCHITECTURES, type AppSpec, type Architecture } from "../types";
import { DeploymentStack, type DeploymentStackOptions } from "./deployment-stack";
import { InputError } from "../validation/errors";

/** Thrown by parseArchitecture; the message lists the valid spellings. */
export class UnknownArchitectureError extends InputError {
  constructor(readonly requested: string) {
    super(`unknown architecture "${requested}"; valid architectures: ${ARCHITECTURES.join(", ")} (ecs-alb is accepted for ecs_alb)`);
    this.name = "UnknownArchitectureError";
  }
}

/** Options every stack of an App shares (image form, region, state backend, build-context location). */
export type StackOptions = DeploymentStackOptions;

/** The stack name of an app on an architecture: "<arch>_<app>", e.g. "ecs_alb_flask-cnn-app-py39". */
export function stackName(arch: Architecture, app: AppSpec | string): string {
  return `${arch}_${typeof app === "string" ? app : app.name}`;
}

/** Parses "ec2", "ecs", "ecs_alb" or "ecs-alb" (any case, surrounding spaces ignored). */
export function parseArchitecture(text: string): Architecture {
  const normalized = text.trim().toLowerCase().replace(/-/g, "_");
  const found = ARCHITECTURES.find((arch) => arch === normalized);
  if (found === undefined) throw new UnknownArchitectureError(text);
  return found;
}

/** Adds one DeploymentStack per (architecture, app) to `app`, architectures outermost; returns them in that order. */
export function addStacks(app: App, apps: AppSpec[], archs: readonly Architecture[], options: StackOptions): TerraformStack[] {
  return archs.flatMap((arch) =>
    apps.map((spec) => new DeploymentStack(app, stackName(arch, spec), { app: spec, architecture: arch, options })),
  );
}
