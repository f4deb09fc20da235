/**
 * Follows terraform's machine-readable events (`plan -json`, `apply -json`) to tell how far a plan, apply or
 * destroy is. Human-readable lines (init, OpenTofu without -json) are still understood as a fallback.
 * Pure: fed one line at a time, it never prints.
 */

/** One resource change a plan announced. */
export interface PlannedChange {
  /** "aws_lb.alb", "module.x.aws_iam_role.task[0]". */
  address: string;
  /** "aws_lb". */
  type: string;
  /** "alb". */
  name: string;
  /** "create", "update", "delete", "replace" (terraform's planned_change actions). */
  action: string;
}

/** A resource terraform is working on right now. */
export interface InFlight {
  /** "create", "update", "delete", "read". */
  action: string;
  /** When its apply_start (or first progress event) was seen, on the caller's clock. */
  sinceMs: number;
  /** The latest elapsed_seconds terraform reported for it. */
  elapsedSeconds: number;
}

/** Counts of a change_summary event. */
export interface ChangeCounts {
  add: number;
  change: number;
  remove: number;
}

/** What the lines seen so far say. */
export interface ProgressState {
  /** Resource actions planned (add + change + destroy), when the plan summary was seen. */
  total?: number;
  /** Resource actions finished. */
  done: number;
  /** The resource last reported, e.g. "aws_ecs_service.app". */
  current?: string;
  /** What happened to it ("created", "destroyed", ...). */
  lastEvent?: string;
  /** True once an error was reported (diagnostic of severity error, apply_errored or an "Error:" line). */
  failed: boolean;
  /** Resources started and not yet finished, by address. */
  inFlight: Record<string, InFlight>;
  /** The changes the plan announced, in terraform's order. */
  planned: PlannedChange[];
  /** The plan's counts (operation "plan"). */
  plannedCounts?: ChangeCounts;
  /** The apply's or destroy's counts once it finished. */
  appliedCounts?: ChangeCounts;
  /** Output values terraform reported (sensitive ones as "(sensitive)"). */
  outputs: Record<string, unknown>;
  /** Error diagnostics as printable lines ("Error: ...", detail, "  with <address>"). */
  errors: string[];
}

/** The state before any line. */
export function initialProgress(total?: number): ProgressState {
  return { total, done: 0, failed: false, inFlight: {}, planned: [], outputs: {}, errors: [] };
}

/** The subset of terraform's JSON UI event fields this module reads (see terraform's "Machine-Readable UI" docs). */
interface TerraformEvent {
  type?: string;
  "@message"?: string;
  change?: { resource?: ResourceAddr; action?: string };
  hook?: { resource?: ResourceAddr; action?: string; elapsed_seconds?: number };
  changes?: { add?: number; change?: number; remove?: number; operation?: string };
  outputs?: Record<string, { sensitive?: boolean; value?: unknown }>;
  diagnostic?: { severity?: string; summary?: string; detail?: string; address?: string };
}

interface ResourceAddr {
  addr?: string;
  resource_type?: string;
  resource_name?: string;
}

/** Parses one line of `terraform ... -json` output; undefined for anything else. */
export function parseEvent(line: string): TerraformEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as TerraformEvent;
    return typeof parsed === "object" && parsed !== null && typeof parsed.type === "string" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The line a person reads for an event: terraform's own @message, or the line itself when it is not an event. */
export function humanLine(line: string): string {
  return parseEvent(line)?.["@message"] ?? line;
}

const PAST: Record<string, string> = { create: "created", update: "modified", delete: "destroyed", read: "read", replace: "replaced" };
const ING: Record<string, string> = { create: "creating", update: "modifying", delete: "destroying", read: "reading" };

/** "creating", "destroying", ... for an apply hook action. */
export function actionIng(action: string): string {
  return ING[action] ?? action;
}

/** What one more line changes. `event` is a finished (or failed) resource, worth a line of its own. */
export interface Advance {
  state: ProgressState;
  event?: string;
}

/** The progress after one more line, seen at `nowMs` on the caller's clock. */
export function advance(state: ProgressState, rawLine: string, nowMs = 0): Advance {
  const event = parseEvent(rawLine);
  return event ? advanceEvent(state, event, nowMs) : advanceHuman(state, rawLine);
}

function advanceEvent(state: ProgressState, event: TerraformEvent, nowMs: number): Advance {
  switch (event.type) {
    case "planned_change": {
      const resource = event.change?.resource;
      const action = event.change?.action ?? "";
      if (!resource?.addr || action === "noop" || action === "read" || action === "move") return { state };
      const change = { address: resource.addr, type: resource.resource_type ?? "", name: resource.resource_name ?? "", action };
      return { state: { ...state, planned: [...state.planned, change] } };
    }
    case "change_summary": {
      const counts = { add: event.changes?.add ?? 0, change: event.changes?.change ?? 0, remove: event.changes?.remove ?? 0 };
      if (event.changes?.operation === "plan") {
        return { state: { ...state, plannedCounts: counts, total: counts.add + counts.change + counts.remove } };
      }
      return { state: { ...state, appliedCounts: counts } };
    }
    case "apply_start":
    case "apply_progress": {
      const address = event.hook?.resource?.addr;
      if (!address) return { state };
      const action = event.hook?.action ?? "create";
      const known = state.inFlight[address];
      const entry = { action, sinceMs: known?.sinceMs ?? nowMs, elapsedSeconds: event.hook?.elapsed_seconds ?? 0 };
      return { state: { ...state, inFlight: { ...state.inFlight, [address]: entry }, current: address, lastEvent: actionIng(action) } };
    }
    case "apply_complete": {
      const address = event.hook?.resource?.addr;
      if (!address) return { state };
      const action = event.hook?.action ?? "create";
      const inFlight = withoutKey(state.inFlight, address);
      const verb = PAST[action] ?? "done";
      if (action === "read") return { state: { ...state, inFlight, current: address, lastEvent: verb } };
      const after = { ...state, inFlight, done: state.done + 1, current: address, lastEvent: verb };
      return { state: after, event: `${address} ${verb}${elapsedSuffix(event.hook?.elapsed_seconds)}` };
    }
    case "apply_errored": {
      const address = event.hook?.resource?.addr;
      if (!address) return { state: { ...state, failed: true } };
      const action = event.hook?.action ?? "create";
      const after = { ...state, inFlight: withoutKey(state.inFlight, address), failed: true, current: address, lastEvent: "failed" };
      return { state: after, event: `${address} failed while ${actionIng(action)}${elapsedSuffix(event.hook?.elapsed_seconds)}` };
    }
    case "outputs": {
      const outputs: Record<string, unknown> = {};
      for (const [name, output] of Object.entries(event.outputs ?? {})) {
        if (output.sensitive) outputs[name] = "(sensitive)";
        else if ("value" in output) outputs[name] = output.value;
      }
      return { state: { ...state, outputs: { ...state.outputs, ...outputs } } };
    }
    case "diagnostic": {
      const diagnostic = event.diagnostic;
      if (diagnostic?.severity !== "error") return { state };
      const lines = [`Error: ${diagnostic.summary ?? event["@message"] ?? "unknown error"}`];
      for (const line of (diagnostic.detail ?? "").split("\n")) if (line.trim() !== "") lines.push(`  ${line.trimEnd()}`);
      if (diagnostic.address) lines.push(`  with ${diagnostic.address}`);
      return { state: { ...state, failed: true, errors: [...state.errors, ...lines] } };
    }
    default:
      return { state };
  }
}

function withoutKey<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

function elapsedSuffix(seconds: number | undefined): string {
  return seconds === undefined ? "" : ` after ${formatElapsed(seconds * 1000)}`;
}

const PLAN_LINE = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/;
const COMPLETE_LINE = /^(\S+): (Creation|Modifications|Destruction|Read) complete after/;
const STARTED_LINE = /^(\S+): (Creating|Modifying|Destroying|Reading)\.\.\./;
const VERBS: Record<string, string> = { Creation: "created", Modifications: "modified", Destruction: "destroyed", Read: "read" };

function advanceHuman(state: ProgressState, rawLine: string): Advance {
  const line = stripDecorations(rawLine);
  const plan = PLAN_LINE.exec(line);
  if (plan) {
    const counts = { add: Number(plan[1]), change: Number(plan[2]), remove: Number(plan[3]) };
    return { state: { ...state, plannedCounts: counts, total: counts.add + counts.change + counts.remove } };
  }
  const complete = COMPLETE_LINE.exec(line);
  if (complete) {
    const resource = complete[1] as string;
    const verb = VERBS[complete[2] as string] ?? "done";
    if (verb === "read") return { state: { ...state, current: resource, lastEvent: verb } };
    return { state: { ...state, done: state.done + 1, current: resource, lastEvent: verb }, event: `${resource} ${verb}` };
  }
  const started = STARTED_LINE.exec(line);
  if (started) return { state: { ...state, current: started[1], lastEvent: started[2]?.toLowerCase() } };
  if (/^Error: /.test(line)) return { state: { ...state, failed: true } };
  return { state };
}

/** Seconds a resource has been in flight: terraform's own count, or the caller's clock when that is further. */
export function inFlightSeconds(entry: InFlight, nowMs: number): number {
  return Math.max(entry.elapsedSeconds, Math.floor((nowMs - entry.sinceMs) / 1000));
}

/** "12/31" or "12" before the total is known. */
export function countText(state: ProgressState): string {
  return state.total === undefined ? `${state.done}` : `${state.done}/${state.total}`;
}

/**
 * "12/31 resources, 1m05s elapsed (creating: aws_lb.alb 45s, +2 more)". Without `nowMs` the resources in
 * flight are left out (used for the closing line).
 */
export function describeProgress(state: ProgressState, elapsedMs: number, nowMs?: number): string {
  const head = `${countText(state)} resources, ${formatElapsed(elapsedMs)} elapsed`;
  const busy = Object.entries(state.inFlight);
  if (nowMs !== undefined && busy.length > 0) {
    busy.sort((a, b) => a[1].sinceMs - b[1].sinceMs);
    const [address, entry] = busy[0] as [string, InFlight];
    const more = busy.length > 1 ? `, +${busy.length - 1} more` : "";
    return `${head} (${actionIng(entry.action)}: ${address} ${formatElapsed(inFlightSeconds(entry, nowMs) * 1000)}${more})`;
  }
  const current = state.current ? ` (${state.lastEvent ?? "working"}: ${state.current})` : "";
  return nowMs === undefined ? head : `${head}${current}`;
}

/**
 * Reminder lines for a log or CI console: each resource still in flight gets "aws_lb.alb: still creating, 45s"
 * once it has been going for `everyMs`, and again every `everyMs` after. `lastSaid` (address -> time of the
 * last line about it) is updated in place.
 */
export function dueReminders(state: ProgressState, nowMs: number, lastSaid: Map<string, number>, everyMs = 15_000): string[] {
  const lines: string[] = [];
  for (const address of [...lastSaid.keys()]) if (!(address in state.inFlight)) lastSaid.delete(address);
  for (const [address, entry] of Object.entries(state.inFlight)) {
    const since = lastSaid.get(address) ?? entry.sinceMs;
    if (nowMs - since < everyMs) continue;
    lastSaid.set(address, nowMs);
    lines.push(`${address}: still ${actionIng(entry.action)}, ${formatElapsed(inFlightSeconds(entry, nowMs) * 1000)}`);
  }
  return lines;
}

const SYMBOL: Record<string, string> = { create: "+", update: "~", delete: "-", replace: "-/+" };
const ORDER = ["create", "replace", "update", "delete"];

/** The plan as a person reads it: one line per resource, grouped create / replace / change / destroy, by type then name. */
export function describePlan(planned: PlannedChange[]): string[] {
  const lines: string[] = [];
  const actions = [...ORDER, ...new Set(planned.map((change) => change.action).filter((action) => !ORDER.includes(action)))];
  for (const action of actions) {
    // Plain code-point order: by type, then name (localeCompare would put aws_iam_role_policy before aws_iam_role).
    const key = (change: PlannedChange): string => `${change.type}\u0000${change.name}\u0000${change.address}`;
    const group = planned.filter((change) => change.action === action).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    if (group.length === 0) continue;
    const title = { create: "create", replace: "replace", update: "change", delete: "destroy" }[action] ?? action;
    lines.push(`  ${title} (${group.length}):`);
    for (const change of group) lines.push(`    ${SYMBOL[action] ?? "?"} ${change.type} ${change.name}${keyOf(change)}`);
  }
  return lines;
}

/** The instance key ("[0]") and module path of an address, so two instances of one resource stay apart. */
function keyOf(change: PlannedChange): string {
  const local = `${change.type}.${change.name}`;
  const at = change.address.lastIndexOf(local);
  if (at < 0) return "";
  const module = at > 0 ? ` (${change.address.slice(0, at - 1)})` : "";
  return `${change.address.slice(at + local.length)}${module}`;
}

/** "45s", "3m07s", "1h02m". */
export function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

// Terraform's colour codes start with ESC, a control character, which is the point of this pattern.
// eslint-disable-next-line no-control-regex
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

/** Removes terraform's box-drawing margin and colour codes. */
export function stripDecorations(line: string): string {
  return line
    .replace(ANSI_COLOUR, "")
    .replace(/^[│╷╵]\s?/, "")
    .trimEnd();
}

/**
 * The lines worth showing when a command failed: from the first "Error:" among the recent lines
 * (terraform puts the cause there), otherwise the last `fallback` lines. JSON events are read as their message.
 */
export function errorExcerpt(recent: string[], fallback = 10, max = 20): string[] {
  const clean = recent.map((line) => stripDecorations(humanLine(line))).filter((line) => line.trim() !== "");
  const first = clean.findIndex((line) => /^Error: /.test(line.trim()));
  const excerpt = first >= 0 ? clean.slice(first) : clean.slice(-fallback);
  return excerpt.slice(0, max);
}
