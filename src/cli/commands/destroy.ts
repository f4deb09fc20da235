import * as fs from "fs";
import * as path from "path";
import { deploymentDirName } from "../../deployment-folder";
import type { Architecture } from "../../types";
import { lockFolder, terraformEnv, timestamp } from "../aws-deploy";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { OUTPUTS_CACHE, outputString, readDeployment } from "../deployments";
import { CliError, describeError, EXIT } from "../errors";
import { commandHint, TARGET_LABELS } from "../labels";
import { stopLocal, stoppedMessage } from "../local-serve";
import { requireTarget, resolveApp, resolveRegion, TargetFlags, withTarget } from "../options";
import { environmentFromFlags, hasRemoteState } from "../operations-flags";
import { deployPrerequisites } from "../prerequisites";
import { confirm } from "../prompts";
import { runTerraformStep } from "../terraform-step";
import { withJsonFlag } from "../outcome";
import { deleteGeneratedKeys, deployedKeyParameters } from "../api-keys";
import { apiKeyParameters, generatedKeyPrefix } from "../../constructs/api-keys";
import { deploymentName } from "../../constructs/naming";

/** The ECR repository name in a repository URL (<account>.dkr.ecr.<region>.amazonaws.com/<name>). */
export function ecrRepositoryName(url: string): string {
  return url.slice(url.indexOf("/") + 1);
}

/** Destroys an AWS deployment and checks nothing is left; the state stays until terraform destroy succeeded. */
async function destroyAws(ctx: CliContext, arch: Architecture, appName: string, flags: TargetFlags & { yes?: boolean }): Promise<void> {
  const { out } = ctx;
  const environment = environmentFromFlags(flags);
  const dir = path.join(ctx.repoRoot, deploymentDirName(arch, appName, environment));
  ctx.report?.set("folder", path.basename(dir));
  const info = readDeployment(dir);
  if (!info) throw new CliError(`no deployment folder ${path.basename(dir)}: nothing to destroy`, EXIT.usage);
  // With S3 state the folder holds no state file: terraform itself finds out whether anything is left.
  if (info.resources === 0 && !hasRemoteState(dir)) {
    out.out(`${path.basename(dir)} has no resources in its state: nothing to destroy.`);
    return;
  }
  const region = info.region ?? resolveRegion(flags, ctx.env);
  if (
    !flags.yes &&
    !(await confirm(ctx.input, out, `Destroy ${info.resources} resources of ${appName} on ${TARGET_LABELS[arch]} in ${region}?`))
  ) {
    out.out("Cancelled: nothing was destroyed.");
    return;
  }
  const usesDocker = fs
    .readdirSync(dir)
    .some((file) => file.endsWith(".tf") && fs.readFileSync(path.join(dir, file), "utf8").includes("kreuzwerker/docker"));
  const missing = await deployPrerequisites(ctx, region, usesDocker);
  if (missing.length > 0) {
    throw new CliError(
      `cannot destroy ${path.basename(dir)}: ${missing.length} prerequisite(s) missing; the state is untouched`,
      EXIT.failed,
      [...missing.map((item) => `missing: ${item.what} -> ${item.fix}`)],
    );
  }
  const repository = outputString(info, "ecr_repository_url");
  // Without outputs (an apply that failed half-way) the generated keys are still at their usual names.
  const keyParameters = deployedKeyParameters(info) ?? apiKeyParameters(generatedKeyPrefix(deploymentName(arch, appName, environment)));
  const untee = out.tee(path.join(dir, `destroy_${timestamp(ctx.clock.now())}.log`));
  try {
    const env = terraformEnv(ctx);
    const hints = [
      `The state is kept. Run again to finish: ${commandHint("destroy", arch, appName, environment ? `--env ${environment}` : "")}`,
    ];
    if (!fs.existsSync(path.join(dir, ".terraform"))) {
      await runTerraformStep(ctx, { label: "init", args: ["init", "-input=false", "-no-color"], dir, env, interruptHints: hints });
    }
    await runTerraformStep(ctx, {
      label: "destroy",
      args: ["destroy", "-auto-approve", "-input=false", "-no-color"],
      dir,
      env,
      total: info.resources,
      interruptHints: hints,
    });
    fs.rmSync(path.join(dir, OUTPUTS_CACHE), { force: true });
    const after = readDeployment(dir);
    if (after && after.resources > 0) {
      throw new CliError(`terraform destroy finished but ${after.resources} resources remain in the state`, EXIT.failed, hints);
    }
    await deleteGeneratedKeys(ctx, region, keyParameters);
    if (repository) {
      let exists: boolean;
      try {
        exists = await ctx.adapters.aws.ecrRepositoryExists(region, ecrRepositoryName(repository));
      } catch (error) {
        throw new CliError(`destroyed, but could not confirm the ECR repository is gone: ${describeError(error)}`, EXIT.failed);
      }
      if (exists)
        throw new CliError(
          `ECR repository ${ecrRepositoryName(repository)} still exists; delete it in the console or run destroy again`,
          EXIT.failed,
        );
      out.out(`Confirmed: ECR repository ${ecrRepositoryName(repository)} is gone and the state holds no resources.`);
    } else {
      out.out("Confirmed: the state holds no resources.");
    }
    out.out(`Destroyed ${appName} on ${TARGET_LABELS[arch]}.`);
  } finally {
    untee();
  }
}

/** `destroy`: terraform destroy in the folder, then confirm nothing is left (local: stop the process). */
export const destroyCommand = defineCommand<TargetFlags & { yes?: boolean }>({
  command: "destroy",
  describe: "remove a deployment: terraform destroy in its folder, then confirm nothing is left (local: stop the app)",
  builder: (yargs) =>
    withJsonFlag(withTarget(yargs).option("yes", { alias: "y", type: "boolean", describe: "do not ask for confirmation" })),
  jsonOutcome: true,
  run: async (ctx, flags) => {
    const { target, app } = requireTarget(ctx, flags);
    ctx.report?.set("app", app.name);
    ctx.report?.set("arch", target);
    if (target === "local") {
      ctx.out.out(stoppedMessage(app.name, await stopLocal(ctx, app.name)));
      return;
    }
    // The same lock as deploy: destroying a folder while another run writes or applies it is refused.
    const release = lockFolder(path.join(ctx.repoRoot, deploymentDirName(target, app.name, environmentFromFlags(flags))), "destroy");
    try {
      await destroyAws(ctx, target, app.name, flags);
    } finally {
      release();
    }
  },
});

/** `stop`: ends local runs of an app (every instance, or the one on --port). */
export const stopCommand = defineCommand<{ app?: string; port?: number }>({
  command: "stop",
  describe: "stop an app started locally with serve (or menu option 4): every instance, or the one on --port",
  builder: (yargs) =>
    yargs
      .option("app", { type: "string", describe: "app name or its number in the menu" })
      .option("port", { type: "number", describe: "stop only the instance on this port" }),
  run: async (ctx, flags) => {
    if (!flags.app) throw new CliError("--app is required", EXIT.usage);
    const app = resolveApp(ctx, flags.app);
    ctx.out.out(stoppedMessage(app.name, await stopLocal(ctx, app.name, flags.port), flags.port));
  },
});
