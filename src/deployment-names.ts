/**
 * The names of a deployment, computed and parsed in one place: the stack name "<arch>_<app>[_<env>]" (also the
 * default S3 state key) and the folder name "deployment_<target>_<app>[_<env>]". Parsing is the inverse of
 * naming: architecture ids may prefix one another (ecs, ecs_alb) and app names may hold underscores
 * (flask-lgbm-app_py39), so the longest target wins and, given the discovered apps, the longest app that fits.
 */
import { ARCHITECTURE_IDS, type Architecture } from "./architectures/ids";

/** Where an app runs: one of the AWS architectures, or this machine. */
export type Target = Architecture | "local";

/** What a deployment's name says. */
export interface DeploymentName<T extends Target = Target> {
  /** Where it runs. */
  target: T;
  /** The app's name. */
  app: string;
  /** The --env it was made for; absent without one. */
  environment?: string;
}

/** Every deployment folder name starts with this. */
export const DEPLOYMENT_DIR_PREFIX = "deployment_";

/** "<target>_<app>[_<env>]". */
function joined(target: Target, app: string, environment?: string): string {
  return `${target}_${app}${environment ? `_${environment}` : ""}`;
}

/** The stack name of an app on an architecture: "<arch>_<app>", with "_<env>" for an environment. */
export function stackName(arch: Architecture, app: string, environment?: string): string {
  return joined(arch, app, environment);
}

/** The folder name of a deployment: "deployment_<target>_<app>", with "_<env>" for an environment. */
export function deploymentDirName(target: Target, app: string, environment?: string): string {
  return `${DEPLOYMENT_DIR_PREFIX}${joined(target, app, environment)}`;
}

/** Folder name of a local run: "deployment_local_<app>". */
export function localDirName(app: string): string {
  return deploymentDirName("local", app);
}

/** Splits "<target>_<rest>" (longest target first) and the rest into app and environment. */
function split<T extends Target>(text: string, targets: readonly T[], appNames: readonly string[]): DeploymentName<T> | undefined {
  const target = [...targets].sort((a, b) => b.length - a.length).find((t) => text.startsWith(`${t}_`) && text.length > t.length + 1);
  if (target === undefined) return undefined;
  const rest = text.slice(target.length + 1);
  if (appNames.includes(rest)) return { target, app: rest };
  // An environment never holds "_", so the suffix after the longest known app is one.
  const known = [...appNames].sort((a, b) => b.length - a.length).find((app) => rest.startsWith(`${app}_`));
  return known ? { target, app: known, environment: rest.slice(known.length + 1) } : { target, app: rest };
}

/**
 * Parses a folder name back into target, app and environment; undefined when it is not a deployment folder.
 * Without the discovered app names, everything after the target is the app.
 */
export function parseDeploymentDirName(name: string, appNames: readonly string[] = []): DeploymentName | undefined {
  if (!name.startsWith(DEPLOYMENT_DIR_PREFIX)) return undefined;
  return split<Target>(name.slice(DEPLOYMENT_DIR_PREFIX.length), [...ARCHITECTURE_IDS, "local"], appNames);
}

/** Parses a stack name back into architecture, app and environment; undefined when no architecture prefixes it. */
export function parseStackName(name: string, appNames: readonly string[] = []): DeploymentName<Architecture> | undefined {
  return split<Architecture>(name, ARCHITECTURE_IDS, appNames);
}

/**
 * The other app whose folder an environment's folder would be mistaken for ("flask-lgbm-app" with --env py39 is
 * "flask-lgbm-app_py39"); undefined when the name reads back unambiguously.
 */
export function clashingApp(app: string, environment: string | undefined, appNames: readonly string[]): string | undefined {
  if (!environment) return undefined;
  // An environment holds no "_", so only an app named exactly "<app>_<env>" is read instead.
  return appNames.find((other) => other === `${app}_${environment}`);
}
