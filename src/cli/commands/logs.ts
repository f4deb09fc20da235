import * as fs from "fs";
import * as path from "path";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { localDirName, outputString, readDeployment } from "../deployments";
import { deploymentDirName } from "../../deployment-folder";
import { architecture } from "../../architectures";
import { CliError, describeError, EXIT } from "../errors";
import { commandHint } from "../labels";
import { latestLocalLog } from "../local-serve";
import { requireTarget, resolveRegion, TargetFlags, withTarget } from "../options";
import { environmentFromFlags } from "../operations-flags";

/** Flags of `logs`. */
interface LogsFlags extends TargetFlags {
  /** How far back, e.g. 30m, 2h, 1d. */
  since: string;
  /** At most this many lines. */
  lines: number;
  /** Keep printing new lines until Ctrl-C. */
  follow?: boolean;
}

/** "30m" -> milliseconds; s, m, h, d units. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new CliError(`--since must look like 30s, 15m, 2h or 1d, not "${text}"`, EXIT.usage);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

/** Follows until Ctrl-C: calls `poll` every `intervalMs`. */
async function follow(ctx: CliContext, intervalMs: number, poll: () => Promise<void>): Promise<void> {
  let stopped = false;
  const stop = ctx.signals.onInterrupt(() => {
    stopped = true;
  });
  try {
    while (!stopped) {
      await ctx.clock.sleep(intervalMs);
      if (!stopped) await poll();
    }
  } finally {
    stop();
  }
}

/** Prints CloudWatch events of the deployment's log group (EC2: the console output when the group is empty). */
async function awsLogs(ctx: CliContext, flags: LogsFlags, dir: string): Promise<void> {
  const info = readDeployment(dir);
  if (!info || info.resources === 0) {
    throw new CliError(`${path.basename(dir)} is not deployed (no resources in its state)`, EXIT.usage);
  }
  const region = info.region ?? resolveRegion(flags, ctx.env);
  const group = outputString(info, "log_group_name");
  if (!group) throw new CliError(`${path.basename(dir)} has no log_group_name output`, EXIT.failed);
  let since = ctx.clock.now() - parseDuration(flags.since);
  const fetch = async (): Promise<number> => {
    const events = await ctx.adapters.aws.logEvents(region, group, since, flags.lines);
    for (const event of events)
      ctx.out.out(`${new Date(event.timestamp).toISOString()} ${event.stream.split("/").pop()} ${event.message.trimEnd()}`);
    const last = events[events.length - 1];
    if (last) since = last.timestamp + 1;
    return events.length;
  };
  try {
    ctx.out.err(`CloudWatch log group ${group} (${region}), since ${flags.since} ago:`);
    const count = await fetch();
    const instance = outputString(info, "instance_id");
    if (count === 0 && info.target !== "local" && architecture(info.target).compute === "instance" && instance) {
      ctx.out.err(`No CloudWatch events yet; console output of ${instance}:`);
      for (const line of (await ctx.adapters.aws.consoleOutput(region, instance)).split("\n").slice(-flags.lines)) ctx.out.out(line);
    }
    if (flags.follow) await follow(ctx, 5000, async () => void (await fetch()));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`could not read the logs: ${describeError(error)}`, EXIT.failed);
  }
}

/** Prints the tail of a local run's log file. */
async function localLogs(ctx: CliContext, flags: LogsFlags, app: string): Promise<void> {
  const file = latestLocalLog(ctx.repoRoot, app);
  if (!file) throw new CliError(`${app} has not been run locally (no serve.log under ${localDirName(app)}/)`, EXIT.usage);
  let printed = 0;
  const print = (all: boolean): void => {
    const lines = fs.readFileSync(file, "utf8").split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    const start = all ? Math.max(0, lines.length - flags.lines) : printed;
    for (const line of lines.slice(start)) ctx.out.out(line);
    printed = lines.length;
  };
  print(true);
  if (flags.follow) await follow(ctx, 1000, async () => print(false));
}

/** `logs`: the app's logs (CloudWatch for ECS and EC2, the console output of the instance as fallback, the log file locally). */
export const logsCommand = defineCommand<LogsFlags>({
  command: "logs",
  describe: "show the app's logs: CloudWatch (ECS, EC2), the instance console (EC2 fallback) or the local log file",
  builder: (yargs) =>
    withTarget(yargs)
      .option("since", { type: "string", default: "30m", describe: "how far back: 30s, 15m, 2h, 1d" })
      .option("lines", { type: "number", default: 100, describe: "at most this many lines" })
      .option("follow", { alias: "f", type: "boolean", describe: "keep printing new lines until Ctrl-C" }),
  run: async (ctx, flags) => {
    const { target, app } = requireTarget(ctx, flags);
    if (target === "local") return localLogs(ctx, flags, app.name);
    const dir = path.join(ctx.repoRoot, deploymentDirName(target, app.name, environmentFromFlags(flags)));
    if (!fs.existsSync(dir))
      throw new CliError(
        `no deployment folder ${path.basename(dir)}; deploy first: ${commandHint("deploy", target, app.name)}`,
        EXIT.usage,
      );
    return awsLogs(ctx, flags, dir);
  },
});
