import * as fs from "fs";
import * as path from "path";
import type { CliContext } from "./context";
import { BinaryMissingError, CliError, EXIT } from "./errors";
import { maskSecrets, secretsFromEnv } from "./mask";
import {
  advance,
  countText,
  describePlan,
  describeProgress,
  dueReminders,
  errorExcerpt,
  formatElapsed,
  humanLine,
  initialProgress,
  ProgressState,
} from "./progress";

/** One terraform command to run in a deployment folder. */
export interface TerraformStep {
  /** Shown in progress lines, e.g. "apply". */
  label: string;
  /** Arguments after the binary. */
  args: string[];
  /** The deployment folder. */
  dir: string;
  /** Environment of the child (TF_CLI_CONFIG_FILE set, TF_LOG passed through). */
  env: NodeJS.ProcessEnv;
  /** Resource actions expected, when a plan told us. */
  total?: number;
  /** Lines printed when the user interrupts (how to resume or clean up). */
  interruptHints: string[];
}

const RECENT_LINES = 60;
/** On a log or CI console, a resource still in flight gets a line this often. */
export const REMINDER_MS = 15_000;

/**
 * The arguments actually run: plan, apply and destroy report machine-readable events (-json instead of
 * -no-color), and destroy runs as `apply -destroy` (the documented way to get destroy's events as JSON).
 */
export function machineReadableArgs(args: string[]): string[] {
  const [sub, ...rest] = args;
  if (sub !== "plan" && sub !== "apply" && sub !== "destroy") return args;
  const flags = rest.filter((arg) => arg !== "-no-color" && arg !== "-json");
  const positional = flags.filter((arg) => !arg.startsWith("-"));
  const options = flags.filter((arg) => arg.startsWith("-"));
  if (sub === "destroy") return ["apply", "-destroy", ...options, "-json", ...positional];
  return [sub, ...options, "-json", ...positional];
}

/**
 * Runs one terraform command with live progress. Every output line goes (masked) to terraform.log in the
 * folder; the deployment transcript gets terraform's human message of each event; the screen gets progress:
 * on a terminal one status line cut to its width plus a line per finished resource, on a pipe or in CI
 * plain lines, with "still creating" reminders at least every 15 s while a resource is in flight.
 * Non-zero exit, a missing binary and Ctrl-C become CliErrors carrying the lines a person needs.
 */
export async function runTerraformStep(ctx: CliContext, step: TerraformStep): Promise<ProgressState> {
  const { out, adapters, clock } = ctx;
  const args = machineReadableArgs(step.args);
  const secrets = secretsFromEnv(ctx.env);
  const logFile = path.join(step.dir, "terraform.log");
  const log = fs.openSync(logFile, "a", 0o600);
  fs.writeSync(log, `\n### ${new Date(clock.now()).toISOString()} ${adapters.terraform.binary} ${args.join(" ")}\n`);
  const started = clock.now();
  const recent: string[] = [];
  const lastSaid = new Map<string, number>();
  let state = initialProgress(step.total);
  const show = (): void => out.status(`[${step.label}] ${describeProgress(state, clock.now() - started, clock.now())}`);
  const remind = (): void => {
    for (const line of dueReminders(state, clock.now(), lastSaid, REMINDER_MS)) out.out(`  ${line}`);
  };
  const tick = (): void => (out.isTTY ? show() : remind());
  const ticker = setInterval(tick, 1000);
  ticker.unref?.();

  const run = adapters.terraform.run(args, step.dir, step.env, (raw) => {
    const line = maskSecrets(raw, secrets);
    fs.writeSync(log, `${line}\n`);
    out.logOnly(humanLine(line));
    recent.push(line);
    if (recent.length > RECENT_LINES) recent.shift();
    const next = advance(state, line, clock.now());
    state = next.state;
    if (next.event) out.out(`  [${countText(state)}] ${next.event}`);
    tick();
  });

  let interrupts = 0;
  const stopListening = ctx.signals.onInterrupt(() => {
    interrupts += 1;
    run.interrupt();
    out.err(
      interrupts === 1
        ? `Interrupted: asking ${adapters.terraform.binary} to stop gracefully and save its state...`
        : `Interrupted again: ${adapters.terraform.binary} was asked to stop now.`,
    );
  });

  let code: number;
  try {
    code = await run.done;
  } catch (error) {
    if (error instanceof BinaryMissingError) {
      throw new CliError(`${error.binary} not found: install Terraform >= 1.0 or OpenTofu (or set DDS_TERRAFORM_BIN)`, EXIT.prepared);
    }
    throw error;
  } finally {
    stopListening();
    clearInterval(ticker);
    out.status("");
    fs.closeSync(log);
  }

  const elapsed = formatElapsed(clock.now() - started);
  ctx.report?.recordStep(step.label, state, code, clock.now() - started);
  if (interrupts > 0) {
    throw new CliError(
      `${step.label} interrupted after ${elapsed}; ${adapters.terraform.binary} exited with code ${code} and the state in ${path.basename(step.dir)}/terraform.tfstate is kept`,
      EXIT.interrupted,
      step.interruptHints,
    );
  }
  if (code !== 0) {
    const cause = state.errors.length > 0 ? state.errors.slice(0, 20) : errorExcerpt(recent);
    throw new CliError(`${adapters.terraform.binary} ${step.label} failed (exit code ${code}) after ${elapsed}`, EXIT.failed, [
      ...cause,
      `Full output: ${logFile}`,
    ]);
  }
  if (args[0] === "plan") {
    const counts = state.plannedCounts;
    out.out(
      counts
        ? `plan done: ${counts.add} to create, ${counts.change} to change, ${counts.remove} to destroy, ${elapsed}`
        : `plan done: ${state.total ?? 0} resource changes planned, ${elapsed}`,
    );
    for (const line of describePlan(state.planned)) out.out(line);
  } else if (state.done > 0 || state.total !== undefined) out.out(`${step.label} done: ${describeProgress(state, clock.now() - started)}`);
  else out.out(`${step.label} done: ${elapsed}`);
  return state;
}
