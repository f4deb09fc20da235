import { defineCommand } from "../command";
import { appLine } from "../summary";
import { discoveredApps } from "../apps";

/** `list`: the discovered apps in menu order. */
export const listCommand = defineCommand<{ json?: boolean }>({
  command: "list",
  describe: "list the discovered apps in menu order (--json prints every field)",
  builder: (yargs) => yargs.option("json", { type: "boolean", describe: "print the apps as JSON (every AppSpec field)" }),
  run: async (ctx, args) => {
    const apps = discoveredApps(ctx);
    if (args.json) {
      ctx.out.out(JSON.stringify(apps, null, 2));
      return;
    }
    const width = Math.max(...apps.map((app) => app.name.length));
    apps.forEach((app, index) => ctx.out.out(`${String(index + 1).padStart(2)}) ${appLine(app, width)}  ${app.description}`));
  },
});
