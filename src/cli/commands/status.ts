import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { DeploymentInfo, listDeployments, outputString } from "../deployments";
import { archFlag } from "../labels";
import { localInstances } from "../local-serve";

/** One row of `status`. */
export interface StatusRow {
  /** Folder name. */
  folder: string;
  /** --arch spelling. */
  arch: string;
  /** App name. */
  app: string;
  /** The --env of the deployment, when it has one. */
  environment?: string;
  /** applied (N resources) | prepared (not applied) | destroyed | running | stopped. */
  state: string;
  /** App URL, when known. */
  url?: string;
  /** Live health: "healthy", "HTTP 503", "ECONNREFUSED", or "-" when there is nothing to ask. */
  health: string;
  /** Where the app keeps its online state: "memory", a redis:// URL, the ElastiCache endpoint; unknown for old folders. */
  stateStore?: string;
}

/** Asks a URL's health path: "healthy", "HTTP 503", or the connection error. */
async function healthOf(ctx: CliContext, url: string, healthPath: string): Promise<string> {
  const answer = await ctx.adapters.http.get(`${url.replace(/\/$/, "")}${healthPath}`, 5000);
  return answer.status === 200 ? "healthy" : answer.status !== undefined ? `HTTP ${answer.status}` : (answer.error ?? "no answer");
}

/** One row per local instance of an app (several may run on different ports), or one "stopped" row when none runs. */
async function localStatus(ctx: CliContext, base: Omit<StatusRow, "state" | "health">, healthPath: string): Promise<StatusRow[]> {
  const running = localInstances(ctx.repoRoot, base.app).filter((i) => i.pid !== undefined && ctx.adapters.local.isAlive(i.pid));
  if (running.length === 0) return [{ ...base, state: "stopped", health: "-" }];
  return Promise.all(
    running.map(async (instance) => ({
      ...base,
      state: `running (pid ${instance.pid})`,
      url: instance.url,
      health: await healthOf(ctx, instance.url, healthPath),
      stateStore: instance.stateStore,
    })),
  );
}

/** Reads the state of one deployment and asks its health URL (a local folder gives a row per running instance). */
async function statusOf(ctx: CliContext, info: DeploymentInfo, healthPaths: Map<string, string>): Promise<StatusRow[]> {
  const base = {
    folder: info.dir.split("/").pop() ?? info.dir,
    arch: archFlag(info.target),
    app: info.app,
    ...(info.environment ? { environment: info.environment } : {}),
  };
  const healthPath = healthPaths.get(info.app) ?? "/health";
  if (info.target === "local") return localStatus(ctx, base, healthPath);
  const appliedRemotely = info.remoteState && Object.keys(info.outputs).length > 0;
  const state =
    info.resources > 0
      ? `applied (${info.resources} resources)`
      : appliedRemotely
        ? "applied (state in S3)"
        : info.hasState
          ? "destroyed (state empty)"
          : "prepared (not applied)";
  const url = info.resources > 0 || appliedRemotely ? outputString(info, "app_url") : undefined;
  const stateStore = outputString(info, "state_store");
  const store = stateStore ? { stateStore } : {};
  if (!url) return [{ ...base, state, health: "-", ...store }];
  return [{ ...base, state, url, health: await healthOf(ctx, url, healthPath), ...store }];
}

/** `status`: every deployment folder with its state, URL and live health. */
export const statusCommand = defineCommand<{ json?: boolean }>({
  command: "status",
  describe: "show every deployment found (folders and their state) with URL and live health",
  builder: (yargs) => yargs.option("json", { type: "boolean", describe: "print the rows as JSON" }),
  run: async (ctx, args) => {
    const apps = ctx.discover().apps;
    const deployments = listDeployments(
      ctx.repoRoot,
      apps.map((app) => app.name),
    );
    const healthPaths = new Map(apps.map((app) => [app.name, app.healthPath]));
    const rows = (await Promise.all(deployments.map((info) => statusOf(ctx, info, healthPaths)))).flat();
    if (args.json) {
      ctx.out.out(JSON.stringify(rows, null, 2));
      return;
    }
    if (rows.length === 0) {
      ctx.out.out("No deployments yet. Start one with ./dynamic_deployment_system.sh (menu) or the deploy / serve commands.");
      return;
    }
    for (const row of rows) {
      ctx.out.out(
        `${row.arch.padEnd(8)} ${(row.environment ? `${row.app} [${row.environment}]` : row.app).padEnd(28)} ${row.state.padEnd(26)} ${row.health.padEnd(12)} ${(row.url ?? "").padEnd(24)} ${row.stateStore ? `store: ${row.stateStore}` : ""}`.trimEnd(),
      );
    }
  },
});
