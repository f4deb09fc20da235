import type { Argv } from "yargs";
import type { CliContext } from "./context";
import { CliError, describeError, EXIT } from "./errors";
import type { Output } from "./io";
import type { ChangeCounts, PlannedChange, ProgressState } from "./progress";

/** What one terraform step reported, for `--json`. */
export interface StepOutcome {
  /** "init", "plan", "apply", "destroy". */
  step: string;
  /** terraform's exit code. */
  exitCode: number;
  /** Seconds it took. */
  seconds: number;
  /** Resource actions finished. */
  done: number;
  /** The plan's counts, when a plan ran. */
  planned?: ChangeCounts;
  /** The apply's or destroy's counts, when it finished. */
  applied?: ChangeCounts;
}

/** The outcome of one command, collected while it runs and printed as one JSON object by `--json`. */
export class RunReport {
  readonly steps: StepOutcome[] = [];
  /** The changes of the last plan (type, name, action). */
  changes: PlannedChange[] = [];
  /** Output values terraform reported (sensitive ones masked). */
  outputs: Record<string, unknown> = {};
  /** Facts a command adds: url, folder, app, arch, checks... */
  readonly fields: Record<string, unknown> = {};

  /** Records a finished terraform step. */
  recordStep(step: string, state: ProgressState, exitCode: number, elapsedMs: number): void {
    this.steps.push({
      step,
      exitCode,
      seconds: Math.round(elapsedMs / 1000),
      done: state.done,
      planned: state.plannedCounts,
      applied: state.appliedCounts,
    });
    if (state.planned.length > 0) this.changes = state.planned;
    this.outputs = { ...this.outputs, ...state.outputs };
  }

  /** Sets a field of the JSON outcome. */
  set(name: string, value: unknown): void {
    if (value !== undefined) this.fields[name] = value;
  }

  /** The counts a person asks about first: what the last plan planned and what the apply/destroy did. */
  counts(): { planned?: ChangeCounts; applied?: ChangeCounts } {
    const planned = [...this.steps].reverse().find((step) => step.planned)?.planned;
    const applied = [...this.steps].reverse().find((step) => step.applied)?.applied;
    return { planned, applied };
  }
}

/** Output whose normal lines go to stderr, so stdout carries nothing but the JSON outcome. */
class HumanToStderr implements Output {
  constructor(private readonly inner: Output) {}
  get isTTY(): boolean {
    return this.inner.isTTY;
  }
  out(line: string): void {
    this.inner.err(line);
  }
  err(line: string): void {
    this.inner.err(line);
  }
  status(line: string): void {
    this.inner.status(line);
  }
  logOnly(line: string): void {
    this.inner.logOnly(line);
  }
  tee(file: string): () => void {
    return this.inner.tee(file);
  }
}

/**
 * Runs `body` and, with `json`, prints its outcome as one JSON object on stdout (human text on stderr):
 * {command, ok, exitCode, reason, details, url, outputs, counts, changes, steps, ...fields}. A failure is
 * still thrown afterwards, so the exit code and the one-line error on stderr stay the same.
 */
export async function withOutcome(
  ctx: CliContext,
  command: string,
  json: boolean | undefined,
  body: (ctx: CliContext) => Promise<void>,
): Promise<void> {
  if (!json) {
    await body(ctx);
    return;
  }
  const report = new RunReport();
  const quiet: CliContext = { ...ctx, out: new HumanToStderr(ctx.out), report };
  let failure: unknown;
  try {
    await body(quiet);
  } catch (error) {
    failure = error;
  }
  const exitCode = failure === undefined ? EXIT.ok : failure instanceof CliError ? failure.exitCode : EXIT.failed;
  const outcome = {
    command,
    ok: failure === undefined,
    exitCode,
    reason: failure === undefined ? null : describeError(failure),
    details: failure instanceof CliError ? failure.details : [],
    ...report.fields,
    url: report.fields.url ?? stringOutput(report.outputs.app_url) ?? null,
    outputs: report.outputs,
    counts: report.counts(),
    changes: report.changes.map((change) => ({ action: change.action, type: change.type, name: change.name, address: change.address })),
    steps: report.steps,
  };
  ctx.out.out(JSON.stringify(outcome, null, 2));
  if (failure !== undefined) throw failure;
}

function stringOutput(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Adds `--json` (the outcome as one JSON object on stdout) to a command with `jsonOutcome: true`. */
export function withJsonFlag<T>(yargs: Argv<T>): Argv<T & { json?: boolean }> {
  return yargs.option("json", {
    type: "boolean",
    describe: "print the outcome (URL, outputs, counts, exit reason) as one JSON object on stdout; progress goes to stderr",
  });
}
