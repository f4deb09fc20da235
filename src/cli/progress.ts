/**
 * Follows terraform's human-readable output to tell how far an apply or destroy is.
 * Pure: fed one line at a time, it never prints.
 */

/** What the lines seen so far say. */
export interface ProgressState {
  /** Resource actions planned (add + change + destroy), when the plan line was seen. */
  total?: number;
  /** Resource actions finished. */
  done: number;
  /** The resource last reported, e.g. "aws_ecs_service.app". */
  current?: string;
  /** What happened to it ("created", "destroyed", ...). */
  lastEvent?: string;
  /** True once an "Error:" line was seen. */
  failed: boolean;
}

/** The state before any line. */
export function initialProgress(total?: number): ProgressState {
  return { total, done: 0, failed: false };
}

const PLAN_LINE = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/;
const COMPLETE_LINE = /^(\S+): (Creation|Modifications|Destruction|Read) complete after/;
const STARTED_LINE = /^(\S+): (Creating|Modifying|Destroying|Reading)\.\.\./;
const VERBS: Record<string, string> = { Creation: "created", Modifications: "modified", Destruction: "destroyed", Read: "read" };

/** The progress after one more line; `event` is set when a resource finished (worth a line on a pipe). */
export function advance(state: ProgressState, rawLine: string): { state: ProgressState; event?: string } {
  const line = stripDecorations(rawLine);
  const plan = PLAN_LINE.exec(line);
  if (plan) {
    return { state: { ...state, total: Number(plan[1]) + Number(plan[2]) + Number(plan[3]) } };
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

/** "12/31 resources, 1m05s elapsed" (or "12 resources" before the total is known). */
export function describeProgress(state: ProgressState, elapsedMs: number): string {
  const count = state.total === undefined ? `${state.done}` : `${state.done}/${state.total}`;
  const current = state.current ? ` (${state.lastEvent ?? "working"}: ${state.current})` : "";
  return `${count} resources, ${formatElapsed(elapsedMs)} elapsed${current}`;
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
 * (terraform puts the cause there), otherwise the last `fallback` lines.
 */
export function errorExcerpt(recent: string[], fallback = 10, max = 20): string[] {
  const clean = recent.map(stripDecorations).filter((line) => line.trim() !== "");
  const first = clean.findIndex((line) => /^Error: /.test(line.trim()));
  const excerpt = first >= 0 ? clean.slice(first) : clean.slice(-fallback);
  return excerpt.slice(0, max);
}
