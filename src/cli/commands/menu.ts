import { defineCommand } from "../command";
import { discoveredApps } from "../apps";
import { archFlag, TARGET_LABELS, TARGETS } from "../labels";
import { checkDeployFlags, DeployFlags, resolveRegion, withDeployFlags } from "../options";
import { chooseFromMenu, confirm } from "../prompts";
import { appLine, printSummary } from "../summary";
import { executeDeployment } from "./deploy";

/** The seed's flow: infrastructure menu, app menu, summary with cost, confirm, deploy. */
export const menuCommand = defineCommand<DeployFlags>({
  command: "$0",
  describe: "interactive menu (infrastructure, app, summary with cost, confirm); answers are read line by line from stdin",
  builder: (yargs) => withDeployFlags(yargs),
  // The app and architecture come from the menu: what depends on them is checked before the folder is written.
  validate: (ctx, flags) => {
    checkDeployFlags(ctx, flags);
    return flags;
  },
  run: async (ctx, flags) => {
    const { out, input } = ctx;
    out.out("Dynamic AWS Deployment System: fraud-detection models");
    const target = await chooseFromMenu(
      input,
      out,
      "Select infrastructure:",
      TARGETS.map((value) => ({ label: TARGET_LABELS[value], value, aliases: [value, archFlag(value)] })),
    );
    const apps = discoveredApps(ctx);
    const width = Math.max(...apps.map((app) => app.name.length));
    const app = await chooseFromMenu(
      input,
      out,
      "Select application:",
      apps.map((value) => ({ label: appLine(value, width), value, aliases: [value.name] })),
    );
    printSummary(ctx, target, app, flags, resolveRegion(flags, ctx.env));
    if (!flags.yes && !(await confirm(input, out, target === "local" ? "Start it?" : "Deploy?"))) {
      out.out("Cancelled: nothing was deployed.");
      return;
    }
    await executeDeployment(ctx, target, app, flags);
  },
});
