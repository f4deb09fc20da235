import type { AppSpec } from "../../types";
import { deployToAws } from "../aws-deploy";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import type { Target } from "../deployments";
import { serveLocally } from "../local-serve";
import {
  checkDeployFlags,
  DEFAULT_HEALTH_TIMEOUT,
  DeployFlags,
  deployRequest,
  requireTarget,
  resolveRegion,
  withDeployFlags,
} from "../options";
import { confirm } from "../prompts";
import { printSummary } from "../summary";
import { deploymentDirName } from "../../deployment-folder";
import { localDirName } from "../deployments";
import { withJsonFlag } from "../outcome";

/** Names the deployment in the --json outcome. */
function reportTarget(ctx: CliContext, target: Target, app: AppSpec, flags: DeployFlags): void {
  ctx.report?.set("app", app.name);
  ctx.report?.set("arch", target);
  ctx.report?.set("folder", target === "local" ? localDirName(app.name) : deploymentDirName(target, app.name, flags.env));
}
import { stateStoreWarnings } from "../../architectures";

/** Deploys (or, for local, serves) one app; shared by `deploy` and the menu. */
export async function executeDeployment(
  ctx: CliContext,
  target: Target,
  app: AppSpec,
  flags: DeployFlags,
  planOnly = false,
): Promise<void> {
  if (target === "local") {
    const healthTimeoutMs = (flags.healthTimeout ?? DEFAULT_HEALTH_TIMEOUT) * 1000;
    await serveLocally(ctx, { app, port: app.port, foreground: false, healthTimeoutMs: Math.min(healthTimeoutMs, 300_000) });
    return;
  }
  const request = deployRequest(ctx, target, app, flags, planOnly);
  for (const warning of stateStoreWarnings(target, request.operations?.stateStore)) ctx.out.err(`warning: ${warning}`);
  await deployToAws(ctx, request);
}

/** What deploy and plan run with once their flags are checked. */
interface CheckedDeploy {
  target: Target;
  app: AppSpec;
  flags: DeployFlags;
}

/** The validate step of deploy and plan: every flag, including what depends on the app and architecture. */
function checkDeploy(ctx: CliContext, flags: DeployFlags): CheckedDeploy {
  const { target, app } = requireTarget(ctx, flags);
  checkDeployFlags(ctx, flags);
  if (target !== "local") deployRequest(ctx, target, app, flags);
  return { target, app, flags };
}

/** `deploy`: prerequisites, deployment folder, terraform init/plan/apply, health check, URL. */
export const deployCommand = defineCommand<DeployFlags, CheckedDeploy>({
  command: "deploy",
  describe: "deploy one app: write its Terraform folder, init/plan/apply with live progress, wait until healthy, print the URL",
  builder: (yargs) => withJsonFlag(withDeployFlags(yargs)),
  jsonOutcome: true,
  validate: checkDeploy,
  run: async (ctx, { target, app, flags }) => {
    reportTarget(ctx, target, app, flags);
    if (!flags.yes) {
      printSummary(ctx, target, app, flags, resolveRegion(flags, ctx.env));
      if (!(await confirm(ctx.input, ctx.out, "Deploy?"))) {
        ctx.out.out("Cancelled: nothing was deployed.");
        return;
      }
    }
    await executeDeployment(ctx, target, app, flags);
  },
});

/** `plan`: like deploy but stops after terraform plan (the plan is saved in the folder). */
export const planCommand = defineCommand<DeployFlags, CheckedDeploy>({
  command: "plan",
  describe: "write the deployment folder and run terraform init + plan (nothing is created)",
  builder: (yargs) => withJsonFlag(withDeployFlags(yargs)),
  jsonOutcome: true,
  validate: checkDeploy,
  run: async (ctx, { target, app, flags }) => {
    reportTarget(ctx, target, app, flags);
    if (target === "local") {
      ctx.out.out(`Local runs need no plan: ./dynamic_deployment_system.sh serve --app ${app.name}`);
      return;
    }
    await executeDeployment(ctx, target, app, flags, true);
  },
});
