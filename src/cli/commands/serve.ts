import type { Argv } from "yargs";
import { defineCommand } from "../command";
import { CliError, EXIT } from "../errors";
import { serveLocally } from "../local-serve";
import { resolveApp } from "../options";

/** Flags of `serve`. */
interface ServeFlags {
  /** App name or number. */
  app?: string;
  /** Port on 127.0.0.1. */
  port?: number;
  /** Block instead of running in the background. */
  foreground?: boolean;
  /** Seconds to wait for /health. */
  healthTimeout: number;
  /** Turn API keys on: generated for this run (or taken from the environment) and printed once. */
  requireKeys?: boolean;
}

/** `serve`: runs an app on this machine in its own Python environment (no AWS needed). */
export const serveCommand = defineCommand<ServeFlags>({
  command: "serve",
  describe: "run an app on this machine (own Python env, created on first use) on 127.0.0.1:8502; no AWS account needed",
  builder: (yargs) =>
    yargs
      .option("app", { type: "string", describe: "app name or its number in the menu" })
      .option("port", { type: "number", describe: "port on 127.0.0.1 (default: the app's, 8502)" })
      .option("foreground", { type: "boolean", describe: "stay in the foreground until Ctrl-C instead of running in the background" })
      .option("require-keys", {
        type: "boolean",
        describe: "require API keys (Authorization: Bearer): a fresh pair is generated and printed once (default: keys off)",
      })
      .option("health-timeout", {
        type: "number",
        default: 300,
        describe: "seconds to wait for the health check",
      }) as unknown as Argv<ServeFlags>,
  run: async (ctx, flags) => {
    if (!flags.app) throw new CliError("--app is required (name or number, see `list`)", EXIT.usage);
    const app = resolveApp(ctx, flags.app);
    await serveLocally(ctx, {
      app,
      port: flags.port ?? app.port,
      foreground: Boolean(flags.foreground),
      healthTimeoutMs: flags.healthTimeout * 1000,
      requireKeys: Boolean(flags.requireKeys),
    });
  },
});
