/**
 * The architecture registry: one complete definition per id. Lists, labels, the menu, --arch parsing, the
 * variables, the builders and the cost estimate all read it, so adding an architecture means adding its id to
 * ARCHITECTURE_IDS and its definition here; a missing definition or member is a compile error.
 */
import type { StateStoreChoice } from "../operations/state-store";
import { AuthFrontArchitectureError, type AuthFrontKind } from "../constructs/auth-front";
import { WafArchitectureError } from "../constructs/waf";
import { InputError } from "../validation/errors";
import type { ArchitectureDefinition } from "./definition";
import { ec2 } from "./ec2";
import { ecs } from "./ecs";
import { ecsAlb } from "./ecs-alb";
import { ARCHITECTURE_IDS, type Architecture } from "./ids";

export { ARCHITECTURE_IDS, type Architecture } from "./ids";
export type { ArchitectureDefinition } from "./definition";

/** Every architecture's definition, by id. */
export const ARCHITECTURE_DEFINITIONS = {
  ec2,
  ecs,
  ecs_alb: ecsAlb,
} satisfies Record<Architecture, ArchitectureDefinition>;

/** The definition of one architecture. */
export function architecture(id: Architecture): ArchitectureDefinition {
  return ARCHITECTURE_DEFINITIONS[id];
}

/** The definitions in menu order. */
export function architectureDefinitions(): ArchitectureDefinition[] {
  return ARCHITECTURE_IDS.map(architecture);
}

/** Thrown by parseArchitecture; the message lists the valid spellings. */
export class UnknownArchitectureError extends InputError {
  constructor(readonly requested: string) {
    const aliases = architectureDefinitions()
      .filter((def) => def.flag !== def.id)
      .map((def) => `${def.flag} is accepted for ${def.id}`);
    super(
      `unknown architecture "${requested}"; valid architectures: ${ARCHITECTURE_IDS.join(", ")}${aliases.length > 0 ? ` (${aliases.join(", ")})` : ""}`,
    );
    this.name = "UnknownArchitectureError";
  }
}

/** Parses an id or a --arch spelling ("ec2", "ecs", "ecs_alb", "ecs-alb"; any case, surrounding spaces ignored). */
export function parseArchitecture(text: string): Architecture {
  const normalized = text.trim().toLowerCase();
  const found = architectureDefinitions().find(
    (def) => def.id === normalized || def.flag === normalized || def.id === normalized.replace(/-/g, "_"),
  );
  if (found === undefined) throw new UnknownArchitectureError(text);
  return found.id;
}

/** The store an architecture gets: its default unless --state-store chose one. */
export function effectiveStateStore(arch: Architecture, choice: StateStoreChoice | undefined): StateStoreChoice {
  return choice ?? { kind: architecture(arch).defaultStateStore };
}

/** Warnings a choice deserves on an architecture: an in-process store behind a load balancer splits the state. */
export function stateStoreWarnings(arch: Architecture, choice: StateStoreChoice | undefined): string[] {
  if (architecture(arch).loadBalancer && choice?.kind === "memory") {
    return [
      "--state-store memory behind the load balancer: each task sees only its share of the transactions and labels, so scores degrade as tasks are added",
    ];
  }
  return [];
}

/** Throws `error(target, flags of the architectures with a load balancer)` when `asked` and `target` has none. */
function requireLoadBalancer(
  target: Architecture | "local",
  asked: boolean,
  error: new (arch: string, needs: readonly string[]) => Error,
): void {
  if (!asked || (target !== "local" && architecture(target).loadBalancer)) return;
  const needs = architectureDefinitions()
    .filter((def) => def.loadBalancer)
    .map((def) => def.flag);
  throw new error(target, needs);
}

/** Throws the one-line WafArchitectureError when --waf is asked for an architecture (or local run) without a load balancer. */
export function checkWafTarget(target: Architecture | "local", waf: boolean | undefined): void {
  requireLoadBalancer(target, Boolean(waf), WafArchitectureError);
}

/** Throws the one-line AuthFrontArchitectureError when --auth-front is asked for a target without a load balancer. */
export function checkAuthFrontTarget(target: Architecture | "local", front: AuthFrontKind | undefined): void {
  requireLoadBalancer(target, front !== undefined, AuthFrontArchitectureError);
}
