import type { AppSpec } from "../../types";
import { deployToAws } from "../aws-deploy";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import type { Target } from "../deployments";
import { serveLocally } from "../local-serve";
import { DeployFlags, requireTarget, resolveRegion, terraformVariables, withDeployFlags } from "../options";
import { operationsFromFlags, s3BackendFromFlags } from "../operations-flags";
import { confirm } from "../prompts";
import { printSummary } from "../summary";
import { stateStoreWarnings } from "../../operations/state-store";

/** Deploys (or, for local, serves) one app; shared by `deploy` and the menu. */
export async function executeDeployment(
  ctx: CliContext,
  target: Target,
  app: AppSpec,
  flags: DeployFlags,
  planOnly = false,
): Promise<void> {
  const healthTimeoutMs = (flags.healthTimeout ?? 900) * 1000;
  if (target === "local") {
    await serveLocally(ctx, { app, port: app.port, foreground: false, healthTimeoutMs: Math.min(healthTimeoutMs, 300_000) });
    return;
  }
  const region = resolveRegion(flags, ctx.env);
  const operations = operationsFromFlags(flags);
  for (const warning of stateStoreWarnings(target, operations.stateStore)) ctx.out.err(`warning: ${warning}`);
  await deployToAws(ctx, {
    app,
    arch: target,
    region,
    imageUri: flags.imageUri,
    variables: terraformVariables(flags, region),
    operations,
    s3Backend: s3BackendFromFlags(flags),
    healthTimeoutMs,
    planOnly,
  });
}

/** `deploy`: prerequisites, deployment folder, terraform init/plan/apply, health check, URL. */
export const deployCommand = defineCommand<DeployFlags>({
  command: "deploy",
  describe: "deploy one app: write its Terraform folder, init/plan/apply with live progress, wait until healthy, print the URL",
  builder: (yargs) => withDeployFlags(yargs),
  run: async (ctx, flags) => {
    const { target, app } = requireTarget(ctx, flags);
    // Parsed before anything is printed, so a bad --schedule/--secret/--env is one line and nothing else.
    operationsFromFlags(flags);
    s3BackendFromFlags(flags);
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
export const planCommand = defineCommand<DeployFlags>({
  command: "plan",
  describe: "write the deployment folder and run terraform init + plan (nothing is created)",
  builder: (yargs) => withDeployFlags(yargs),
  run: async (ctx, flags) => {
    const { target, app } = requireTarget(ctx, flags);
    // Parsed before anything is printed, so a bad --schedule/--secret/--env is one line and nothing else.
    operationsFromFlags(flags);
    s3BackendFromFlags(flags);
    if (target === "local") {
      ctx.out.out(`Local runs need no plan: ./dynamic_deployment_system.sh serve --app ${app.name}`);
      return;
    }
    await executeDeployment(ctx, target, app, flags, true);
  },
});
