import { formatEstimate } from "../../cost";
import { ARCHITECTURES } from "../../types";
import type { AppSpec } from "../../types";
import { defineCommand } from "../command";
import { TARGET_LABELS } from "../labels";
import { checkDeployFlags, DeployFlags, parseTarget, resolveApp, resolveRegion, withDeployFlags } from "../options";
import { costFor } from "../summary";

/** `cost`: daily and monthly estimate per architecture, with the breakdown, date of the prices and assumptions. */
export const costCommand = defineCommand<DeployFlags & { json?: boolean }>({
  command: "cost",
  describe: "estimate the daily and monthly cost (all three architectures, or --arch) from the price table",
  builder: (yargs) => withDeployFlags(yargs).option("json", { type: "boolean", describe: "print the estimates as JSON" }),
  validate: (ctx, flags) => {
    checkDeployFlags(ctx, flags);
    return flags;
  },
  run: async (ctx, flags) => {
    const region = resolveRegion(flags, ctx.env);
    const app: AppSpec | undefined = flags.app ? resolveApp(ctx, flags.app) : undefined;
    const targets = flags.arch ? [parseTarget(flags.arch)] : [...ARCHITECTURES];
    const estimates = targets.map((target) => ({ target, estimate: costFor(target, app, flags, region) }));
    if (flags.json) {
      ctx.out.out(
        JSON.stringify(
          estimates.map((entry) => entry.estimate ?? { arch: "local", perDay: 0, perMonth: 0 }),
          null,
          2,
        ),
      );
      return;
    }
    for (const { target, estimate } of estimates) {
      ctx.out.out(`${TARGET_LABELS[target]}${app ? ` - ${app.name}` : ""}`);
      if (!estimate) ctx.out.out("  $0.00: runs on this machine, no AWS resources");
      else for (const line of formatEstimate(estimate)) ctx.out.out(line);
      ctx.out.out("");
    }
  },
});
