import type { App, TerraformStack } from "cdktf";
import type { AppSpec, Architecture } from "../types";
import { stackName as namedStack } from "../deployment-names";
import { DeploymentStack, type DeploymentStackOptions } from "./deployment-stack";

export { parseArchitecture, UnknownArchitectureError } from "../architectures";

/** Options every stack of an App shares (image form, region, state backend, build-context location). */
export type StackOptions = DeploymentStackOptions;

/** The stack name of an app on an architecture: "<arch>_<app>", e.g. "ecs_alb_flask-cnn-app-py39" (see deployment-names). */
export function stackName(arch: Architecture, app: AppSpec | string, environment?: string): string {
  return namedStack(arch, typeof app === "string" ? app : app.name, environment);
}

/** Adds one DeploymentStack per (architecture, app) to `app`, architectures outermost; returns them in that order. */
export function addStacks(app: App, apps: AppSpec[], archs: readonly Architecture[], options: StackOptions): TerraformStack[] {
  return archs.flatMap((arch) => apps.map((spec) => new DeploymentStack(app, stackName(arch, spec), { ...options, app: spec, arch })));
}
