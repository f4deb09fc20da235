/**
 * rotate-keys on EC2: the app reads its keys from a file it re-reads when the file changes, so a rotation needs no
 * restart, only a new file. The instance's boot script installed the script that re-fetches both parameters from
 * SSM and replaces the file in one rename; this runs it through the instance's SSM agent (Run Command) and waits.
 */
import { EC2_REFRESH_KEYS_SCRIPT } from "../constructs/ec2-api-keys";
import type { CliContext } from "./context";
import { CliError, describeError, EXIT } from "./errors";
import { waitUntilDone } from "./wait";

/** Run Command states after which nothing changes any more. */
const FINAL = new Set(["Success", "Cancelled", "TimedOut", "Failed"]);

/** Seconds between two looks at the command. */
const POLL_MS = 5_000;

/**
 * Re-reads the keys on the instance and waits until the command has finished there: from then on the app answers
 * with the keys now in SSM (it looks at the file on each request). A failure (agent unreachable, a parameter the
 * instance cannot read) leaves the old file, so the app keeps serving with the keys it had.
 */
export async function refreshInstanceKeys(
  ctx: CliContext,
  region: string,
  instanceId: string,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const aws = ctx.adapters.aws;
  if (!aws.sendShellCommand || !aws.commandInvocation) throw new CliError("this AWS adapter cannot run commands on instances", EXIT.failed);
  const commandInvocation = aws.commandInvocation.bind(aws);
  const started = ctx.clock.now();
  let commandId: string;
  try {
    commandId = await aws.sendShellCommand(region, instanceId, [EC2_REFRESH_KEYS_SCRIPT], "dds rotate-keys: re-read the API keys");
  } catch (error) {
    throw new CliError(`could not send the key refresh to ${instanceId}: ${describeError(error)}`, EXIT.failed, [
      "The instance's SSM agent must be online (instances deployed before rotation on EC2 existed need a re-deploy).",
    ]);
  }
  ctx.out.out(`Refreshing the key file on ${instanceId} (${what}) through SSM Run Command ${commandId}...`);
  await waitUntilDone(ctx, {
    label: "refresh",
    started,
    intervalMs: POLL_MS,
    timeoutMs,
    timeoutMessage: `the key refresh on ${instanceId} did not finish within ${Math.round(timeoutMs / 1000)}s`,
    look: async () => {
      const invocation = await commandInvocation(region, commandId, instanceId);
      if (invocation.status !== "Success" && FINAL.has(invocation.status)) {
        const why = [invocation.detail, invocation.error].filter(Boolean).join(": ");
        throw new CliError(`the key refresh on ${instanceId} ended ${invocation.status}${why ? ` (${why})` : ""}`, EXIT.failed, [
          `The app keeps the keys it had; SSM already holds the new list: once fixed, run ${EC2_REFRESH_KEYS_SCRIPT} on the instance.`,
        ]);
      }
      return { done: invocation.status === "Success", status: invocation.status };
    },
  });
}
