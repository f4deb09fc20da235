import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { DeploymentInfo, listDeployments, outputString } from "../deployments";
import { archFlag } from "../labels";
import { recordedPid } from "../local-serve";

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
}

/** Reads the state of one deployment and asks its health URL. */
async function statusOf(ctx: CliContext, info: DeploymentInfo, healthPaths: Map<string, string>): Promise<StatusRow> {
  const base = {
    folder: info.dir.split("/").pop() ?? info.dir,
    arch: archFlag(info.target),
    app: info.app,
    ...(info.environment ? { environment: info.environment } : {}),
  };
  let state: string;
  let url: string | undefined;
  if (info.target === "local") {
    const pid = recordedPid(ctx.repoRoot, info.app);
    const alive = pid !== undefined && ctx.adapters.local.isAlive(pid);
    state = alive ? `running (pid ${pid})` : "stopped";
    url = alive ? `http://127.0.0.1:${ctx.discover().apps.find((app) => app.name === info.app)?.port ?? 8502}` : undefined;
  } else {
    const appliedRemotely = info.remoteState && Object.keys(info.outputs).length > 0;
    state =
      info.resources > 0
        ? `applied (${info.resources} resources)`
        : appliedRemotely
          ? "applied (state in S3)"
          : info.hasState
            ? "destroyed (state empty)"
            : "prepared (not applied)";
    url = info.resources > 0 || appliedRemotely ? outputString(info, "app_url") : undefined;
  }
  if (!url) return { ...base, state, health: "-" };
  const answer = await ctx.adapters.http.get(`${url.replace(/\/$/, "")}${healthPaths.get(info.app) ?? "/health"}`, 5000);
  const health = answer.status === 200 ? "healthy" : answer.status !== undefined ? `HTTP ${answer.status}` : (answer.error ?? "no answer");
  return { ...base, state, url, health };
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
    const rows = await Promise.all(deployments.map((info) => statusOf(ctx, info, healthPaths)));
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
        `${row.arch.padEnd(8)} ${(row.environment ? `${row.app} [${row.environment}]` : row.app).padEnd(28)} ${row.state.padEnd(26)} ${row.health.padEnd(12)} ${row.url ?? ""}`.trimEnd(),
      );
    }
  },
});
