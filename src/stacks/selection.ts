import { findApp } from "../discovery";
import { ARCHITECTURES, type AppSpec, type Architecture, type DiscoveryResult } from "../types";
import { parseStackName } from "../deployment-names";
import { parseArchitecture, UnknownArchitectureError } from "./factory";

/** One stack to synthesize: an app on an architecture. */
export interface StackTarget {
  /** The architecture. */
  arch: Architecture;
  /** The app. */
  app: AppSpec;
}

/** Comma- or space-separated list from an environment variable; empty when unset. */
function list(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/).filter((item) => item !== "");
}

/**
 * The stacks to synthesize, from DDS_STACKS ("ecs_alb_flask-cnn-app-py39,ec2_flask-xgboost-app") or
 * DDS_APPS / DDS_ARCHS (names or menu positions; each defaults to all). Unknown names throw the
 * discovery / architecture errors, whose messages list the valid ones.
 */
export function selectStacks(discovery: DiscoveryResult, env: NodeJS.ProcessEnv): StackTarget[] {
  const stacks = list(env.DDS_STACKS);
  if (stacks.length > 0) {
    return stacks.map((name) => {
      const parsed = parseStackName(name);
      if (parsed === undefined) throw new UnknownArchitectureError(name.split("_")[0]);
      return { arch: parsed.target, app: findApp(discovery, parsed.app) };
    });
  }
  const archs = list(env.DDS_ARCHS).map(parseArchitecture);
  const apps = list(env.DDS_APPS).map((name) => findApp(discovery, name));
  return (archs.length > 0 ? archs : [...ARCHITECTURES]).flatMap((arch) =>
    (apps.length > 0 ? apps : discovery.apps).map((app) => ({ arch, app })),
  );
}
