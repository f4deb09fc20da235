import type { Argv } from "yargs";
import { defineCommand } from "../command";
import { CliError, EXIT } from "../errors";
import { serveLocally } from "../local-serve";
import { resolveApp } from "../options";
import { parseStateStore, StateStoreSpecError } from "../../operations/state-store";

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
  /** redis://HOST:PORT/DB (or rediss://) shared by every instance started with it; memory: in-process. */
  stateStore?: string;
  /** gunicorn worker processes. */
  workers?: number;
}

/** The --state-store of a local run: a Redis URL, or undefined for in-process; anything else is a usage error. */
export function localStateStore(text: string | undefined): string | undefined {
  try {
    const choice = parseStateStore(text, undefined);
    if (choice?.kind === "elasticache")
      throw new StateStoreSpecError("--state-store elasticache exists on AWS only; locally give redis://HOST:PORT/DB");
    return choice?.kind === "url" ? choice.url : undefined;
  } catch (error) {
    if (error instanceof StateStoreSpecError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
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
      })
      .option("state-store", {
        type: "string",
        describe: "redis://HOST:PORT/DB of a running Redis/Valkey: instances on several ports then share one state",
      })
      .option("workers", {
        type: "number",
        describe: "gunicorn workers (default: 1, or this machine's CPU count with --state-store)",
      }) as unknown as Argv<ServeFlags>,
  run: async (ctx, flags) => {
    if (!flags.app) throw new CliError("--app is required (name or number, see `list`)", EXIT.usage);
    const app = resolveApp(ctx, flags.app);
    const stateStore = localStateStore(flags.stateStore);
    if (flags.workers !== undefined && (!Number.isInteger(flags.workers) || flags.workers < 1)) {
      throw new CliError(`--workers must be a whole number of at least 1, not ${flags.workers}`, EXIT.usage);
    }
    if (flags.workers !== undefined && flags.workers > 1 && !stateStore) {
      throw new CliError(
        "--workers above 1 needs --state-store redis://...: in-process state cannot be shared by several workers",
        EXIT.usage,
      );
    }
    await serveLocally(ctx, {
      app,
      port: flags.port ?? app.port,
      foreground: Boolean(flags.foreground),
      healthTimeoutMs: flags.healthTimeout * 1000,
      requireKeys: Boolean(flags.requireKeys),
      stateStore,
      workers: flags.workers,
    });
  },
});
