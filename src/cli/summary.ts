import { CostEstimate, estimateCost, formatMoney, UnknownPriceError } from "../cost";
import type { AppSpec } from "../types";
import type { CliContext } from "./context";
import type { Target } from "./deployments";
import { CliError, EXIT } from "./errors";
import { TARGET_LABELS } from "./labels";
import type { DeployFlags } from "./options";
import { operationsFromFlags, s3BackendFromFlags } from "./operations-flags";
import { runningFraction } from "../operations/schedule";
import { DEFAULT_WAF_RATE_LIMIT } from "../constructs/waf";
import { authFrontSummary } from "./auth-front";
import { describeStateStore } from "../operations/state-store";
import { architecture, effectiveStateStore } from "../architectures";

/** The cost estimate for a target with the sizes the flags (or the app's defaults) give; undefined for local. */
export function costFor(target: Target, app: AppSpec | undefined, flags: DeployFlags, region: string): CostEstimate | undefined {
  if (target === "local") return undefined;
  const { schedule, stateStore } = operationsFromFlags(flags);
  try {
    return estimateCost({
      arch: target,
      region,
      ...architecture(target).costSizes(flags, app),
      runningFraction: schedule ? runningFraction(schedule) : undefined,
      scheduleText: schedule?.text,
      waf: Boolean(flags.waf),
      authFront: flags.authFront !== undefined,
      stateStore,
    });
  } catch (error) {
    if (error instanceof UnknownPriceError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

/** "flask-cnn-app-py39   Python 3.9   deep-learning (cnn)": one app line in menus and lists. */
export function appLine(app: AppSpec, width: number): string {
  return `${app.name.padEnd(width)}  Python ${app.pythonVersion.padEnd(5)} ${app.type} (${app.modelFamily})`;
}

/** One summary line per operations feature asked for (alarms, schedule, secrets, environment, remote state). */
export function operationsSummary(flags: DeployFlags): string[] {
  const ops = operationsFromFlags(flags);
  const state = s3BackendFromFlags(flags);
  return [
    ...(ops.environment ? [`Environment:    ${ops.environment}`] : []),
    ...(ops.alarms ? [`Alarms:         on (SNS topic, dashboard)${ops.alertEmail ? `, e-mail to ${ops.alertEmail}` : ""}`] : []),
    ...(ops.schedule ? [`Schedule:       runs ${ops.schedule.text}, stopped outside`] : []),
    ...(ops.secrets && ops.secrets.length > 0
      ? [`Secrets:        ${ops.secrets.map((s) => `${s.name} <- ssm:${s.parameter}`).join(", ")}`]
      : []),
    ...(flags.authFront !== undefined
      ? authFrontSummary(flags)
      : flags.apiKeys === false
        ? ["API keys:       off (--no-api-keys): anyone who reaches the URL can score and label"]
        : [
            `API keys:       ${flags.apiKeyParameter ? `yours, from ${flags.apiKeyParameter}/{scoring,labelling}` : "generated into SSM SecureStrings (kept on re-deploy)"}`,
          ]),
    ...(flags.waf ? [`WAF:            per-IP rate limit, ${flags.wafRateLimit ?? DEFAULT_WAF_RATE_LIMIT} requests / 5 minutes`] : []),
    ...(state ? [`State:          s3://${state.bucket}${state.dynamodbTable ? ` (lock table ${state.dynamodbTable})` : ""}`] : []),
  ];
}

/** Prints what is about to happen and what it costs. */
export function printSummary(ctx: CliContext, target: Target, app: AppSpec, flags: DeployFlags, region: string): void {
  const { out } = ctx;
  out.out("");
  out.out("Summary");
  out.out(`  App:            ${app.name} (Python ${app.pythonVersion}, ${app.type}, ${app.modelFamily})`);
  out.out(`  Infrastructure: ${TARGET_LABELS[target]}`);
  if (target === "local") {
    out.out(`  Where:          http://127.0.0.1:${app.port} on this machine`);
    out.out("  Estimated cost: $0.00 (no AWS resources)");
    return;
  }
  out.out(`  Region:         ${region}`);
  const where = flags.build === "remote" ? "in AWS CodeBuild" : "with local Docker";
  const built = `built ${where} from ${app.buildContext}/${app.dockerfile} and pushed to a new ECR repository`;
  out.out(`  Image:          ${flags.imageUri ?? built}`);
  for (const line of operationsSummary(flags)) out.out(`  ${line}`);
  out.out(`  State store:    ${describeStateStore(effectiveStateStore(target, operationsFromFlags(flags).stateStore))}`);
  const estimate = costFor(target, app, flags, region);
  if (estimate) {
    const sizes = estimate.lines[0] ? `${estimate.lines[0].quantity}` : "";
    out.out(`  Size:           ${sizes}`);
    out.out(
      `  Estimated cost: ${formatMoney(estimate.perDay)}/day, ${formatMoney(estimate.perMonth)}/month (prices of ${estimate.pricesAsOf}; \`cost\` shows the breakdown and assumptions)`,
    );
  }
  out.out("");
}
