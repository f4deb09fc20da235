import * as fs from "fs";
import * as path from "path";
import type { CliContext } from "./context";
import { BinaryMissingError, CliError, EXIT } from "./errors";
import { maskSecrets, secretsFromEnv } from "./mask";
import { advance, describeProgress, errorExcerpt, formatElapsed, initialProgress, ProgressState } from "./progress";

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

/**
 * Runs one terraform command with live progress. Every output line goes (masked) to terraform.log in
 * the folder and to the deployment transcript; the screen gets progress only. Non-zero exit, a missing
 * binary and Ctrl-C become CliErrors carrying the lines a person needs.
 */
export async function runTerraformStep(ctx: CliContext, step: TerraformStep): Promise<ProgressState> {
  const { out, adapters, clock } = ctx;
  const secrets = secretsFromEnv(ctx.env);
  const logFile = path.join(step.dir, "terraform.log");
  const log = fs.openSync(logFile, "a", 0o600);
  fs.writeSync(log, `\n### ${new Date(clock.now()).toISOString()} ${adapters.terraform.binary} ${step.args.join(" ")}\n`);
  const started = clock.now();
  const recent: string[] = [];
  let state = initialProgress(step.total);
  const show = (): void => out.status(`[${step.label}] ${describeProgress(state, clock.now() - started)}`);
  const ticker = out.isTTY ? setInterval(show, 1000) : undefined;

  const run = adapters.terraform.run(step.args, step.dir, step.env, (raw) => {
    const line = maskSecrets(raw, secrets);
    fs.writeSync(log, `${line}\n`);
    out.logOnly(line);
    recent.push(line);
    if (recent.length > RECENT_LINES) recent.shift();
    const next = advance(state, line);
    state = next.state;
    if (next.event && !out.isTTY) {
      const count = state.total === undefined ? `${state.done}` : `${state.done}/${state.total}`;
      out.out(`  [${count}] ${next.event} (${formatElapsed(clock.now() - started)})`);
    }
    if (out.isTTY) show();
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
    if (ticker) clearInterval(ticker);
    fs.closeSync(log);
  }

  const elapsed = formatElapsed(clock.now() - started);
  if (interrupts > 0) {
    throw new CliError(
      `${step.label} interrupted after ${elapsed}; ${adapters.terraform.binary} exited with code ${code} and the state in ${path.basename(step.dir)}/terraform.tfstate is kept`,
      EXIT.interrupted,
      step.interruptHints,
    );
  }
  if (code !== 0) {
    throw new CliError(`${adapters.terraform.binary} ${step.label} failed (exit code ${code}) after ${elapsed}`, EXIT.failed, [
      ...errorExcerpt(recent),
      `Full output: ${logFile}`,
    ]);
  }
  if (step.args[0] === "plan") out.out(`plan done: ${state.total ?? 0} resource changes planned, ${elapsed}`);
  else if (state.done > 0 || state.total !== undefined)
    out.out(`${step.label} done: ${describeProgress({ ...state, current: undefined }, clock.now() - started)}`);
  else out.out(`${step.label} done: ${elapsed}`);
  return state;
}
