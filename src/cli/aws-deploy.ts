import * as fs from "fs";
import * as path from "path";
import {
  type DeploymentFolderRequest,
  FolderLockedError,
  lockDeploymentFolder,
  renderDeploymentFiles,
  stageDeploymentFolder,
  type StagedFolder,
} from "../deployment-folder";
import { architecture } from "../architectures";
import { ensureTerraformCliConfig } from "../terraform/cli-config";
import { type DeploymentRequest, requestNames, type VariableValues } from "../deployment-request";
import type { CliContext } from "./context";
import { DeploymentInfo, OUTPUTS_CACHE, outputString, readDeployment } from "./deployments";
import { CliError, describeError, EXIT } from "./errors";
import { waitForHealthy } from "./health";
import { commandHint, TARGET_LABELS } from "./labels";
import { deployPrerequisites } from "./prerequisites";
import { repeatCommand } from "./hints";
import { formatElapsed } from "./progress";
import { runRemoteBuild } from "./remote-build";
import { runTerraformStep } from "./terraform-step";
import { ensureApiKeys, printKeyInstructions } from "./api-keys";
import { apiKeyParameters } from "../constructs/api-keys";
import { printFrontInstructions } from "./auth-front";

/** One AWS deployment to plan or apply: the deployment request with the CLI's run settings, every flag checked. */
export interface DeployRequest extends DeploymentRequest {
  /** AWS region (always resolved: flag, environment or default). */
  region: string;
  /** "remote": build the image in AWS CodeBuild (no local Docker) before the full apply. */
  build?: "remote";
  /** Terraform variables for terraform.tfvars. */
  variables: VariableValues;
  /** How long to wait for the health check after apply. */
  healthTimeoutMs: number;
  /** Stop after the plan (the `plan` command). */
  planOnly?: boolean;
}

/** "--env NAME" for hints that must find an environment's folder again; empty without one. */
function envFlag(request: DeployRequest): string {
  return request.operations?.environment ? `--env ${request.operations.environment}` : "";
}

/** "20251126-083000" in UTC, for log file names that sort by time. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

/** The environment terraform runs with: the project's CLI config (provider mirror), no prompts, TF_LOG untouched. */
export function terraformEnv(ctx: CliContext): NodeJS.ProcessEnv {
  const config = ensureTerraformCliConfig(ctx.repoRoot, ctx.env);
  return { ...ctx.env, TF_CLI_CONFIG_FILE: config.file, TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
}

/**
 * Prepares and (unless planOnly) applies one deployment, then waits until the app is healthy.
 * Missing prerequisites still leave a complete, plan-ready folder and end with EXIT.prepared.
 */
export async function deployToAws(ctx: CliContext, request: DeployRequest): Promise<void> {
  const { out, clock } = ctx;
  const { arch } = request;
  const started = clock.now();
  out.out(`Checking prerequisites for ${TARGET_LABELS[arch]} in ${request.region}...`);
  const missing = await deployPrerequisites(ctx, request.region, request.imageUri === undefined && request.build !== "remote");

  // One run per folder: a second deploy (or destroy) of it stops here, before writing anything.
  const release = lockFolder(path.join(ctx.repoRoot, requestNames(request).dir), request);
  try {
    await writeAndDeploy(ctx, request, stageDeploymentFolder(folderRequest(ctx, request)), missing, started);
  } finally {
    release();
  }
}

/** What the deployment folder is rendered from: the request itself, in this repository. */
function folderRequest(ctx: CliContext, request: DeployRequest): DeploymentFolderRequest {
  return { ...request, repoRoot: ctx.repoRoot };
}

/** The CLI's lock of a deployment folder for this run; held by another run, a one-line failure. */
export function lockFolder(dir: string, request: DeployRequest | string): () => void {
  try {
    return lockDeploymentFolder(dir, typeof request === "string" ? request : request.planOnly ? "plan" : "deploy");
  } catch (error) {
    if (error instanceof FolderLockedError) throw new CliError(error.message, EXIT.failed);
    throw error;
  }
}

/**
 * Puts the staged files in place and runs init, plan and apply. Until apply starts, a failure (or Ctrl-C) puts
 * the previous files back, so a failed run leaves the folder's configuration as it was.
 */
async function writeAndDeploy(
  ctx: CliContext,
  request: DeployRequest,
  staged: StagedFolder,
  missing: Array<{ what: string; fix: string }>,
  started: number,
): Promise<void> {
  const { out, clock } = ctx;
  const { app, arch } = request;
  const folder = staged;
  staged.swap();
  const dirName = path.relative(ctx.repoRoot, folder.dir) || folder.dir;
  out.out(`Wrote ${dirName}/ (${folder.files.map((file) => path.basename(file)).join(", ")})`);

  const again = repeatCommand(request.planOnly ? "plan" : "deploy", request);
  if (missing.length > 0) {
    staged.keep();
    throw new CliError(`prepared ${dirName}/ but did not deploy: ${missing.length} prerequisite(s) missing`, EXIT.prepared, [
      ...missing.map((item) => `missing: ${item.what} -> ${item.fix}`),
      "Nothing was created in AWS. The folder is complete Terraform: review or edit it, then run",
      `  ${again}`,
      `  (or by hand: cd ${dirName} && terraform init && terraform apply)`,
    ]);
  }

  const untee = out.tee(path.join(folder.dir, `deploy_${timestamp(started)}.log`));
  try {
    const env = terraformEnv(ctx);
    const hints = [
      `Resume: ${repeatCommand("deploy", request)}`,
      `Remove what was created: ${commandHint("destroy", arch, app.name, envFlag(request))}`,
    ];
    let plan: Awaited<ReturnType<typeof runTerraformStep>>;
    try {
      await runTerraformStep(ctx, {
        label: "init",
        args: ["init", "-input=false", "-no-color"],
        dir: folder.dir,
        env,
        interruptHints: hints,
      });
      if (request.build === "remote" && !request.planOnly) {
        const digest = await runRemoteBuild(ctx, { app, dir: folder.dir, region: request.region, env, interruptHints: hints });
        // The build's resources now exist in the state, so the folder that describes them is kept from here on.
        staged.keep();
        const rendered = renderDeploymentFiles({
          ...folderRequest(ctx, request),
          variables: { ...request.variables, image_digest: digest },
        });
        fs.writeFileSync(path.join(folder.dir, "terraform.tfvars"), rendered["terraform.tfvars"]);
      }
      plan = await runTerraformStep(ctx, {
        label: "plan",
        args: ["plan", "-input=false", "-no-color", "-out=tfplan"],
        dir: folder.dir,
        env,
        interruptHints: hints,
      });
    } catch (error) {
      staged.rollback();
      throw error;
    }
    staged.keep();
    if (request.planOnly) {
      out.out(`Plan saved to ${dirName}/tfplan (${plan.total ?? 0} resource changes). Apply it with:`);
      out.out(`  ${repeatCommand("deploy", request)}`);
      return;
    }
    // Before apply: the tasks read the keys when they start.
    if (request.operations?.apiKeys) await ensureApiKeys(ctx, request.region, request.operations.apiKeys);
    try {
      await runTerraformStep(ctx, {
        label: "apply",
        args: ["apply", "-input=false", "-no-color", "tfplan"],
        dir: folder.dir,
        env,
        total: plan.total,
        interruptHints: hints,
      });
    } catch (error) {
      if (error instanceof CliError && error.exitCode === EXIT.failed && architecture(arch).compute === "fargate") {
        throw new CliError(error.message, error.exitCode, [...error.details, ...(await ecsDiagnosis(ctx, folder.dir, request.region))]);
      }
      throw error;
    }
    await cacheRemoteOutputs(ctx, folder.dir, env);
    await confirmHealthy(ctx, request, folder.dir);
    if (request.operations?.apiKeys) printKeyInstructions(ctx, request.region, apiKeyParameters(request.operations.apiKeys.prefix));
    if (request.operations?.authFront) {
      const deployed = readDeployment(folder.dir);
      printFrontInstructions(ctx, request.region, deployed && outputString(deployed, "app_url"), dirName);
    }
    out.out(`Deployed ${app.name} on ${TARGET_LABELS[arch]} in ${formatElapsed(clock.now() - started)}.`);
    out.out(`Logs: ${commandHint("logs", arch, app.name, envFlag(request))}`);
    out.out(`Remove it (stops the costs): ${commandHint("destroy", arch, app.name, envFlag(request))}`);
  } finally {
    untee();
  }
}

/**
 * The app's base URL: the app_url output, or for an architecture whose URL is a task's (no load balancer, app_url
 * empty) the public IP of a running task, waited for until `deadline` because tasks start after apply returns.
 */
async function resolveBaseUrl(
  ctx: CliContext,
  request: DeployRequest,
  info: DeploymentInfo,
  deadline: number,
): Promise<string | undefined> {
  const url = outputString(info, "app_url");
  if (url || architecture(request.arch).url !== "task-public-ip") return url;
  const cluster = outputString(info, "cluster_name");
  const service = outputString(info, "service_name");
  if (!cluster || !service) return undefined;
  const port = typeof info.outputs.app_port === "number" ? info.outputs.app_port : request.app.port;
  ctx.out.out(`Waiting for a running task of ${service} with a public IP...`);
  for (;;) {
    try {
      const [ip] = await ctx.adapters.aws.serviceTaskPublicIps(request.region, cluster, service);
      if (ip) return `http://${ip}:${port}`;
    } catch (error) {
      ctx.out.status(`[tasks] ${describeError(error)}`);
    }
    if (ctx.clock.now() >= deadline) return undefined;
    await ctx.clock.sleep(10_000);
  }
}

/** With the state in S3 (backend.tf), keeps the outputs in the folder's outputs cache (see OUTPUTS_CACHE). */
async function cacheRemoteOutputs(ctx: CliContext, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!fs.existsSync(path.join(dir, "backend.tf"))) return;
  const lines: string[] = [];
  const code = await ctx.adapters.terraform.run(["output", "-json", "-no-color"], dir, env, (line) => lines.push(line)).done;
  try {
    if (code !== 0) throw new Error(`terraform output exited with ${code}`);
    const outputs = JSON.parse(lines.join("\n")) as Record<string, { value: unknown }>;
    const values = Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
    fs.writeFileSync(path.join(dir, OUTPUTS_CACHE), `${JSON.stringify(values, null, 2)}\n`);
  } catch (error) {
    ctx.out.out(`warning: could not keep the outputs (${describeError(error)}); \`terraform output\` in the folder shows them`);
  }
}

/** Polls the health URL from the outputs; an unhealthy app is a failure with the reasons found. */
async function confirmHealthy(ctx: CliContext, request: DeployRequest, dir: string): Promise<void> {
  const info = readDeployment(dir);
  if (!info) throw new CliError(`${dir} disappeared during the deployment`, EXIT.failed);
  const healthPath = outputString(info, "health_path") ?? request.app.healthPath;
  const timeout = `${Math.round(request.healthTimeoutMs / 1000)}s`;
  const failure = async (message: string): Promise<CliError> =>
    new CliError(message, EXIT.failed, [
      ...(architecture(request.arch).compute === "fargate" ? await ecsDiagnosis(ctx, dir, request.region) : []),
      `The resources are still there. Logs: ${commandHint("logs", request.arch, request.app.name, envFlag(request))}`,
      `Remove them: ${commandHint("destroy", request.arch, request.app.name, envFlag(request))}`,
    ]);
  if (request.healthTimeoutMs <= 0) {
    const url = outputString(info, "app_url");
    ctx.out.out(`${url ? `URL: ${url}` : "No URL in the outputs yet"} (health check skipped: --health-timeout 0)`);
    return;
  }
  const deadline = ctx.clock.now() + request.healthTimeoutMs;
  const base = await resolveBaseUrl(ctx, request, info, deadline);
  if (!base) throw await failure(`no URL to check: no app_url output and no running task with a public IP within ${timeout}`);
  const url = `${base.replace(/\/$/, "")}${healthPath}`;
  ctx.out.out(`Waiting for ${url} (up to ${timeout})...`);
  let lastReport = 0;
  const result = await waitForHealthy(ctx.adapters.http, ctx.clock, url, {
    timeoutMs: Math.max(0, deadline - ctx.clock.now()),
    intervalMs: 10_000,
    onAttempt: (last, elapsed) => {
      ctx.out.status(`[health] ${last}, ${formatElapsed(elapsed)} elapsed`);
      if (!ctx.out.isTTY && elapsed - lastReport >= 60_000) {
        lastReport = elapsed;
        ctx.out.out(`  still waiting: ${last} (${formatElapsed(elapsed)})`);
      }
    },
  });
  if (!result.healthy) throw await failure(`${url} did not become healthy within ${timeout} (last answer: ${result.last})`);
  ctx.out.out(`Healthy: ${url}`);
  ctx.out.out(`URL: ${base}`);
  ctx.report?.set("url", base);
}

/** The ECS service of a deployment folder, from its state (present even when apply failed half-way). */
export function ecsServiceOf(dir: string): { cluster: string; service: string } | undefined {
  const file = path.join(dir, "terraform.tfstate");
  if (!fs.existsSync(file)) return undefined;
  try {
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as {
      resources?: Array<{ type: string; mode?: string; instances?: Array<{ attributes?: { name?: string; cluster?: string } }> }>;
    };
    const attributes = state.resources?.find((r) => r.type === "aws_ecs_service" && r.mode !== "data")?.instances?.[0]?.attributes;
    if (!attributes?.name || !attributes.cluster) return undefined;
    return { cluster: attributes.cluster.split("/").pop() ?? attributes.cluster, service: attributes.name };
  } catch {
    return undefined;
  }
}

/** Lines explaining an ECS failure: service state, latest events, why the last tasks stopped. */
export async function ecsDiagnosis(ctx: CliContext, dir: string, region: string): Promise<string[]> {
  const service = ecsServiceOf(dir);
  if (!service) return [];
  try {
    const [state, reasons] = await Promise.all([
      ctx.adapters.aws.ecsServiceState(region, service.cluster, service.service),
      ctx.adapters.aws.stoppedTaskReasons(region, service.cluster, service.service, 3),
    ]);
    return [
      `ECS service ${service.service}: ${state.status}, ${state.running}/${state.desired} running, ${state.pending} pending${state.rollout ? `, rollout ${state.rollout}` : ""}`,
      ...state.events.slice(0, 3).map((event) => `  event: ${event}`),
      ...(reasons.length > 0 ? reasons.map((reason) => `  stopped ${reason}`) : ["  no stopped tasks recorded"]),
    ];
  } catch (error) {
    return [`(could not read the ECS service state: ${describeError(error)})`];
  }
}
