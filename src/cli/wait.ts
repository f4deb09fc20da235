/** Waiting for something AWS carries out on its own (a rollout, a Run Command): one loop for every such wait. */
import type { CliContext } from "./context";
import { CliError, EXIT } from "./errors";
import { formatElapsed } from "./progress";

/** One look at the thing waited for: finished, or its state for the status line (throw to fail the wait). */
export interface WaitLook {
  done: boolean;
  status: string;
}

/**
 * Looks every `intervalMs` until `look` says done, showing `[label] status, elapsed` meanwhile, then prints
 * "done in ..." (elapsed since `started`); fails with `timeoutMessage` once `timeoutMs` have passed.
 */
export async function waitUntilDone(
  ctx: CliContext,
  options: { label: string; started: number; intervalMs: number; timeoutMs: number; timeoutMessage: string; look: () => Promise<WaitLook> },
): Promise<void> {
  const { started } = options;
  for (;;) {
    const { done, status } = await options.look();
    if (done) break;
    ctx.out.status(`[${options.label}] ${status}, ${formatElapsed(ctx.clock.now() - started)}`);
    if (ctx.clock.now() - started >= options.timeoutMs) throw new CliError(options.timeoutMessage, EXIT.failed);
    await ctx.clock.sleep(options.intervalMs);
  }
  ctx.out.out(`  done in ${formatElapsed(ctx.clock.now() - started)}`);
}
