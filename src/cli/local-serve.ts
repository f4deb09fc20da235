import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { AppSpec } from "../types";
import type { CliContext } from "./context";
import { localDirName } from "./deployments";
import { CliError, describeError, EXIT } from "./errors";
import type { HttpAnswer } from "./adapters/http";
import { waitForHealthy } from "./health";
import { formatElapsed } from "./progress";
import { localApiKeys } from "./api-keys";

/** How to run an app on this machine. */
export interface ServeRequest {
  /** The app. */
  app: AppSpec;
  /** Port on 127.0.0.1. */
  port: number;
  /** Block until Ctrl-C instead of running in the background. */
  foreground: boolean;
  /** How long to wait for /health. */
  healthTimeoutMs: number;
  /** API keys on (FRAUDKIT_*_KEYS, FRAUDKIT_REQUIRE_KEYS=1); off by default for a quick try. */
  requireKeys?: boolean;
  /** A Redis-protocol URL the app keeps its online state in (FRAUDKIT_STATE_STORE); absent: in-process, as always. */
  stateStore?: string;
  /** gunicorn workers (FRAUDKIT_WORKERS); default with a shared store: this machine's CPU count. */
  workers?: number;
}

/** Files of one local instance, inside deployment_local_<app>/<port>/ (one folder per port, so instances run side by side). */
export function localFiles(repoRoot: string, app: string, port: number): LocalFiles {
  const dir = path.join(repoRoot, localDirName(app), String(port));
  return {
    dir,
    pid: path.join(dir, "app.pid"),
    url: path.join(dir, "app.url"),
    log: path.join(dir, "serve.log"),
    store: path.join(dir, "state-store"),
  };
}

/** The files of a local instance. */
export interface LocalFiles {
  /** Its folder. */
  dir: string;
  /** Process id of gunicorn's master. */
  pid: string;
  /** Base URL it serves on. */
  url: string;
  /** stdout and stderr. */
  log: string;
  /** The --state-store URL it was started with (absent: in-process). */
  store: string;
}

/** One local instance of an app, running or left over. */
export interface LocalInstance {
  /** Port on 127.0.0.1. */
  port: number;
  /** The recorded pid, if its file holds one. */
  pid?: number;
  /** Base URL. */
  url: string;
  /** The shared store it uses, or "memory". */
  stateStore: string;
  /** Its files. */
  files: LocalFiles;
}

function readNumber(file: string): number | undefined {
  if (!fs.existsSync(file)) return undefined;
  const value = Number(fs.readFileSync(file, "utf8").trim());
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/** The pid recorded for the instance on `port`, if its file exists and holds a number. */
export function recordedPid(repoRoot: string, app: string, port: number): number | undefined {
  return readNumber(localFiles(repoRoot, app, port).pid);
}

/** Every instance folder of an app (by port, ascending), whether or not its process still runs. */
export function localInstances(repoRoot: string, app: string): LocalInstance[] {
  const root = path.join(repoRoot, localDirName(app));
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && fs.statSync(path.join(root, name)).isDirectory())
    .map(Number)
    .sort((a, b) => a - b)
    .map((port) => {
      const files = localFiles(repoRoot, app, port);
      const store = fs.existsSync(files.store) ? fs.readFileSync(files.store, "utf8").trim() : "";
      return { port, pid: readNumber(files.pid), url: `http://127.0.0.1:${port}`, stateStore: store || "memory", files };
    });
}

/** The log of the instance that ran last (the newest serve.log), or undefined when the app never ran locally. */
export function latestLocalLog(repoRoot: string, app: string): string | undefined {
  const logs = localInstances(repoRoot, app)
    .map((instance) => instance.files.log)
    .filter((file) => fs.existsSync(file));
  return logs.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/**
 * The gunicorn command line for an app: the container's server and settings (fraudkit's gunicorn config:
 * one gthread worker, model loaded in the background behind a 503 /health), bound to loopback only.
 */
export function gunicornArgs(repoRoot: string, app: AppSpec, port: number): string[] {
  return [
    "-m",
    "gunicorn",
    "--config",
    "python:fraudkit.serving.gunicorn_conf",
    "--chdir",
    path.join(repoRoot, app.path),
    "-b",
    `127.0.0.1:${port}`,
    "app:create_app()",
  ];
}

/** The last `count` lines of a file ("" when it does not exist). */
function tail(file: string, count: number): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-count);
}

/** Runs the app with its own Python environment; in the background it records a pid file and waits for /health. */
export async function serveLocally(ctx: CliContext, request: ServeRequest): Promise<void> {
  const { out, adapters } = ctx;
  const { app, port } = request;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--port must be 1-65535, not ${port}`, EXIT.usage);
  const files = localFiles(ctx.repoRoot, app.name, port);
  const running = recordedPid(ctx.repoRoot, app.name, port);
  if (running !== undefined && adapters.local.isAlive(running)) {
    const url = fs.existsSync(files.url) ? fs.readFileSync(files.url, "utf8").trim() : "";
    out.out(
      `${app.name} is already running (pid ${running}) at ${url}. Stop it with: ./dynamic_deployment_system.sh stop --app ${app.name} --port ${port}`,
    );
    return;
  }
  await ensurePortFree(ctx, port);
  fs.mkdirSync(files.dir, { recursive: true });
  out.out(`Preparing the Python ${app.pythonVersion} environment for ${app.name} (created on first use)...`);
  let python: string;
  try {
    // The Python line discovery found is passed on, so the environment script never decides it again.
    python = await adapters.local.pythonFor(ctx.repoRoot, app.name, (line) => out.out(`  ${line}`), app.pythonVersion);
  } catch (error) {
    throw new CliError(`could not prepare the Python environment: ${describeError(error)}`, EXIT.failed);
  }
  const args = gunicornArgs(ctx.repoRoot, app, port);
  const appsDir = path.join(ctx.repoRoot, "apps");
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    PYTHONPATH: ctx.env.PYTHONPATH ? `${appsDir}${path.delimiter}${ctx.env.PYTHONPATH}` : appsDir,
    ...stateStoreEnvironment(request),
  };
  if (request.requireKeys) Object.assign(env, announceLocalKeys(ctx));
  const base = `http://127.0.0.1:${port}`;
  const healthUrl = `${base}${app.healthPath}`;

  if (request.foreground) {
    out.out(`Serving ${app.name} at ${base} (Ctrl-C stops it)`);
    const run = adapters.local.startForeground(python, args, ctx.repoRoot, env, (line) => out.out(line));
    const stop = ctx.signals.onInterrupt(() => run.interrupt());
    try {
      const code = await run.done;
      if (code !== 0 && code !== 130) throw new CliError(`the app exited with code ${code}`, EXIT.failed);
    } finally {
      stop();
    }
    return;
  }

  const started = ctx.clock.now();
  const pid = adapters.local.startBackground(python, args, ctx.repoRoot, env, files.log);
  fs.writeFileSync(files.pid, `${pid}\n`);
  fs.writeFileSync(files.url, `${base}\n`);
  if (request.stateStore) fs.writeFileSync(files.store, `${request.stateStore}\n`);
  else fs.rmSync(files.store, { force: true });
  out.out(`Started ${app.name} (pid ${pid}); waiting for ${healthUrl}...`);
  const result = await waitForHealthy(adapters.http, ctx.clock, healthUrl, {
    timeoutMs: request.healthTimeoutMs,
    intervalMs: 500,
    stillWorth: () => adapters.local.isAlive(pid),
    impostor: (answer) => impostor(answer, app.name, pid, ctx),
    onAttempt: (last, elapsed) => out.status(`[health] ${last}, ${formatElapsed(elapsed)} elapsed`),
  });
  if (!result.healthy) {
    const died = !adapters.local.isAlive(pid);
    await adapters.local.stop(pid, 5000);
    fs.rmSync(files.pid, { force: true });
    const wrongServer = result.last.startsWith("another server");
    throw new CliError(
      wrongServer
        ? `${healthUrl}: ${result.last}; stopped ${app.name}`
        : died
          ? `${app.name} exited before answering ${healthUrl}`
          : `${healthUrl} did not answer 200 within ${Math.round(request.healthTimeoutMs / 1000)}s (last: ${result.last}); stopped it`,
      EXIT.failed,
      [...tail(files.log, 15), `Full log: ${files.log}`],
    );
  }
  out.out(`${app.name} is healthy after ${formatElapsed(ctx.clock.now() - started)}.`);
  out.out(`URL: ${base}  (log: ${path.relative(ctx.repoRoot, files.log)})`);
  if (request.stateStore) out.out(`State store: ${request.stateStore} (shared by every instance started with it)`);
  out.out(`Stop it with: ./dynamic_deployment_system.sh stop --app ${app.name} --port ${port}`);
}

/** A clear one-line error when something already listens on the port (another app, or another copy of this one). */
async function ensurePortFree(ctx: CliContext, port: number): Promise<void> {
  if (await ctx.adapters.local.portFree(port)) return;
  throw new CliError(`port ${port} on 127.0.0.1 is already in use by another program; choose another with --port`, EXIT.failed);
}

/** The app name in a fraudkit /health body ({"status": "ok", "model": "<manifest name>", ...}), if it is one. */
export function healthModel(body: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(body ?? "") as { model?: unknown };
    return typeof parsed.model === "string" ? parsed.model : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why an answer on the app's port is not from the process just started: it died (so someone else answers),
 * or /health names another app (or is not fraudkit's at all). Undefined when it is this app.
 */
function impostor(answer: HttpAnswer, appName: string, pid: number, ctx: CliContext): string | undefined {
  const model = healthModel(answer.body);
  if (model === appName && ctx.adapters.local.isAlive(pid)) return undefined;
  if (model === appName) return `another server answers as ${appName} while the process started (pid ${pid}) has exited`;
  return `another server answers (HTTP ${answer.status}${model ? `, app ${model}` : ", not a fraudkit /health"}), not ${appName}`;
}

/** The key variables of a `serve --require-keys` run; fresh keys are printed here, once, to the terminal only (never to serve.log). */
function announceLocalKeys(ctx: CliContext): Record<string, string> {
  const keys = localApiKeys(ctx.env);
  if (!keys.generated) {
    ctx.out.out("API keys: required, taken from FRAUDKIT_SCORING_KEYS / FRAUDKIT_LABELLING_KEYS in the environment");
    return keys.env;
  }
  ctx.out.out("API keys for this run (shown once; clients send `Authorization: Bearer <key>`):");
  ctx.out.out(`  scoring   (/predict):  ${keys.generated.scoring}`);
  ctx.out.out(`  labelling (/feedback): ${keys.generated.labelling}`);
  return keys.env;
}

/** The variables a shared store adds: its URL and one gunicorn worker per CPU (or --workers); none without one. */
export function stateStoreEnvironment(request: Pick<ServeRequest, "stateStore" | "workers">): Record<string, string> {
  if (!request.stateStore) return request.workers ? { FRAUDKIT_WORKERS: String(request.workers) } : {};
  return { FRAUDKIT_STATE_STORE: request.stateStore, FRAUDKIT_WORKERS: String(request.workers ?? Math.max(1, os.availableParallelism())) };
}

/** Stops the background instances of an app (all, or the one on `port`); returns the ports that were running. */
export async function stopLocal(ctx: CliContext, app: string, port?: number): Promise<number[]> {
  const stopped: number[] = [];
  for (const instance of localInstances(ctx.repoRoot, app).filter((i) => port === undefined || i.port === port)) {
    const { pid } = instance;
    if (pid !== undefined && ctx.adapters.local.isAlive(pid)) {
      const gone = await ctx.adapters.local.stop(pid, 10_000);
      if (!gone) throw new CliError(`process ${pid} did not stop; kill it by hand (kill -9 ${pid})`, EXIT.failed);
      stopped.push(instance.port);
    }
    fs.rmSync(instance.files.pid, { force: true });
  }
  return stopped;
}

/** "Stopped A (port 8502, 8503)." or "A was not running." for stop and destroy. */
export function stoppedMessage(app: string, ports: number[], port?: number): string {
  if (ports.length > 0) return `Stopped ${app} (port ${ports.join(", ")}).`;
  return `${app} was not running${port !== undefined ? ` on port ${port}` : ""}.`;
}
