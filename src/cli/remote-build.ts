import * as fs from "fs";
import * as path from "path";
import { REMOTE_BUILD_DIGEST_VARIABLE, REMOTE_BUILD_OUTPUTS, REMOTE_BUILD_SOURCE_KEY } from "../constructs/remote-build";
import type { AppSpec } from "../types";
import type { AwsAdapter } from "./adapters/aws";
import type { CliContext } from "./context";
import { contextFiles, writeZip } from "./build-context";
import { CliError, EXIT } from "./errors";
import { formatElapsed } from "./progress";
import { runTerraformStep } from "./terraform-step";

/** The zipped context's file name inside the deployment folder (kept for the next look, replaced by the next build). */
export const CONTEXT_ZIP = "build-context.zip";
/** How often the build's state and log lines are read. */
const POLL_MS = 5_000;
/** A build taking longer is stopped waiting for (CodeBuild's own timeout is 30 minutes). */
const BUILD_WAIT_MS = 35 * 60_000;

/** The resources of the first, targeted apply: the repository and the build project with its bucket and role. */
export function remoteBuildTargets(mainTf: string): string[] {
  const resources = [...mainTf.matchAll(/^resource "([a-z0-9_]+)" "(image_[A-Za-z0-9_-]+)"/gm)];
  return resources.map(([, type, name]) => `${type}.${name}`);
}

/** What the remote build needs to know. */
export interface RemoteBuildRequest {
  /** The app (its name and Dockerfile choose the files to upload). */
  app: AppSpec;
  /** The deployment folder (written, terraform init done). */
  dir: string;
  /** AWS region. */
  region: string;
  /** terraform's environment. */
  env: NodeJS.ProcessEnv;
  /** Lines offered when the user interrupts. */
  interruptHints: string[];
}

/** The AWS calls of a remote build, or a clear error when the adapter lacks them. */
function codeBuild(aws: AwsAdapter): Required<Pick<AwsAdapter, "putObject" | "startBuild" | "buildState" | "logStreamEvents">> {
  const { putObject, startBuild, buildState, logStreamEvents } = aws;
  if (!putObject || !startBuild || !buildState || !logStreamEvents) throw new Error("this AWS adapter cannot run CodeBuild builds");
  return {
    putObject: putObject.bind(aws),
    startBuild: startBuild.bind(aws),
    buildState: buildState.bind(aws),
    logStreamEvents: logStreamEvents.bind(aws),
  };
}

/**
 * `--build remote`: creates the repository and the CodeBuild project (terraform apply -target), uploads the
 * app's build context, runs the build while printing its log lines, and returns the pushed digest
 * ("sha256:..."), which the caller writes to terraform.tfvars as image_digest before the full apply.
 */
export async function runRemoteBuild(ctx: CliContext, request: RemoteBuildRequest): Promise<string> {
  const { out, clock, adapters } = ctx;
  const aws = codeBuild(adapters.aws);
  const targets = remoteBuildTargets(fs.readFileSync(path.join(request.dir, "main.tf"), "utf8"));
  await runTerraformStep(ctx, {
    label: "build resources",
    args: ["apply", "-input=false", "-no-color", "-auto-approve", ...targets.map((target) => `-target=${target}`)],
    dir: request.dir,
    env: request.env,
    interruptHints: request.interruptHints,
  });
  const outputs = await terraformOutputs(ctx, request.dir, request.env);
  const project = outputs[REMOTE_BUILD_OUTPUTS.project];
  const bucket = outputs[REMOTE_BUILD_OUTPUTS.bucket];
  if (!project || !bucket) throw new CliError("the build resources were applied but their outputs are missing", EXIT.failed);

  const appsDir = path.join(ctx.repoRoot, request.app.buildContext);
  const zip = path.join(request.dir, CONTEXT_ZIP);
  const packed = writeZip(appsDir, contextFiles(appsDir, request.app.name, request.app.dockerfile), zip);
  out.out(
    `Uploading the build context (${packed.files} files, ${(packed.bytes / 1024 ** 2).toFixed(1)} MB) to s3://${bucket}/${REMOTE_BUILD_SOURCE_KEY}`,
  );
  await aws.putObject(request.region, bucket, REMOTE_BUILD_SOURCE_KEY, zip);

  const id = await aws.startBuild(request.region, project, `${bucket}/${REMOTE_BUILD_SOURCE_KEY}`);
  out.out(`Started CodeBuild build ${id}`);
  const started = clock.now();
  let token: string | undefined;
  for (;;) {
    const state = await aws.buildState(request.region, id);
    if (state.logGroup && state.logStream) {
      // Read until the stream has nothing new: get-log-events returns the same token at its end.
      for (;;) {
        const page = await aws.logStreamEvents(request.region, state.logGroup, state.logStream, token);
        for (const event of page.events) out.out(`  [build] ${event.message.replace(/\s+$/, "")}`);
        const moved = page.next !== undefined && page.next !== token;
        token = page.next ?? token;
        if (!moved || page.events.length === 0) break;
      }
    }
    if (state.status !== "IN_PROGRESS") {
      if (state.status !== "SUCCEEDED") {
        throw new CliError(
          `the remote image build ${state.status.toLowerCase()}${state.failure ? ` (${state.failure})` : ""}`,
          EXIT.failed,
          [
            `Build ${id}; its log is in CloudWatch (${state.logGroup ?? outputs[REMOTE_BUILD_OUTPUTS.logGroup] ?? "the build's log group"}).`,
            "Nothing but the repository and the build project was created; deploy again after fixing the cause.",
          ],
        );
      }
      const digest = state.exported[REMOTE_BUILD_DIGEST_VARIABLE];
      if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
        throw new CliError(
          `build ${id} succeeded but exported no image digest (${REMOTE_BUILD_DIGEST_VARIABLE}=${digest ?? ""})`,
          EXIT.failed,
        );
      }
      out.out(`Image built in ${formatElapsed(clock.now() - started)}: ${digest}`);
      return digest;
    }
    out.status(`[build] ${state.phase ?? "QUEUED"}, ${formatElapsed(clock.now() - started)}`);
    if (clock.now() - started > BUILD_WAIT_MS) throw new CliError(`build ${id} is still running after 35 minutes`, EXIT.failed);
    await clock.sleep(POLL_MS);
  }
}

/** `terraform output -json` as name -> string value. */
async function terraformOutputs(ctx: CliContext, dir: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const lines: string[] = [];
  const code = await ctx.adapters.terraform.run(["output", "-json", "-no-color"], dir, env, (line) => lines.push(line)).done;
  if (code !== 0) throw new CliError(`terraform output failed in ${dir}`, EXIT.failed);
  const parsed = JSON.parse(lines.join("\n") || "{}") as Record<string, { value: unknown }>;
  return Object.fromEntries(Object.entries(parsed).map(([name, output]) => [name, String(output.value)]));
}
