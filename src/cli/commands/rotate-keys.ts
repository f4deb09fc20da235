import * as path from "path";
import type { Argv } from "yargs";
import { architecture } from "../../architectures";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../constructs/api-keys";
import { deploymentDirName } from "../../deployment-folder";
import { deployedKeyParameters, generateApiKey, printKeyInstructions } from "../api-keys";
import { defineCommand } from "../command";
import type { CliContext } from "../context";
import { outputString, readDeployment } from "../deployments";
import { CliError, describeError, EXIT } from "../errors";
import { commandHint, TARGET_LABELS } from "../labels";
import { requireTarget, resolveRegion, type TargetFlags, withTarget } from "../options";
import { environmentFromFlags } from "../operations-flags";
import { waitUntilDone } from "../wait";
import { refreshInstanceKeys } from "../ec2-rotation";

/** Flags of `rotate-keys`. */
interface RotateFlags extends TargetFlags {
  /** Which keys: scoring, labelling or both. */
  scope: string;
  /** both (default), add (new key accepted next to the old one), drop (old key removed). */
  phase: string;
  /** Seconds to wait for each restart to finish. */
  timeout: number;
}

const PHASES = ["both", "add", "drop"] as const;
const SCOPES = ["scoring", "labelling", "both"] as const;

/** The ECS service to restart, in one line of error when the folder cannot say. */
interface Service {
  cluster: string;
  service: string;
}

/**
 * Restarts the service with forceNewDeployment and waits until the new deployment is the only one and has
 * completed: ECS reads the parameters when each task starts, so only then do all tasks hold the new value.
 * The circuit breaker rolls back a failed rollout (the old tasks keep serving), which is reported as a failure.
 */
async function restartAndWait(ctx: CliContext, region: string, target: Service, timeoutMs: number, what: string): Promise<void> {
  const started = ctx.clock.now();
  let deployment: string;
  try {
    deployment = await ctx.adapters.aws.forceNewDeployment(region, target.cluster, target.service);
  } catch (error) {
    throw new CliError(`could not restart ${target.service}: ${describeError(error)}`, EXIT.failed);
  }
  ctx.out.out(`Restarting ${target.service} (${what}); waiting until every task runs the new deployment...`);
  await waitUntilDone(ctx, {
    label: "restart",
    started,
    intervalMs: 15_000,
    timeoutMs,
    timeoutMessage: `${target.service} did not finish restarting within ${Math.round(timeoutMs / 1000)}s`,
    look: async () => {
      const rollout = await ctx.adapters.aws.ecsDeploymentRollout(region, target.cluster, target.service, deployment);
      if (rollout.state === "FAILED" || rollout.state === "MISSING") {
        throw new CliError(`the restart of ${target.service} did not complete: ${rollout.reason ?? rollout.state}`, EXIT.failed);
      }
      return {
        done: rollout.state === "COMPLETED" && rollout.deployments === 1,
        status: `${rollout.state}, ${rollout.running}/${rollout.desired} running`,
      };
    },
  });
}

/** Writes one scope's new value, keeping the parameter's KMS key (an overwrite would otherwise fall back to aws/ssm). */
async function writeKeys(ctx: CliContext, region: string, name: string, value: string): Promise<void> {
  const info = await ctx.adapters.aws.describeParameter(region, name);
  if (!info) throw new CliError(`${name} no longer exists in SSM (${region}): deploy again to create it`, EXIT.failed);
  await ctx.adapters.aws.putSecureParameter(region, { name, value, overwrite: true, kmsKeyId: info.keyId });
}

/** `rotate-keys`: new API keys without downtime, in two restarts (both keys accepted, then only the new one). */
export const rotateKeysCommand = defineCommand<RotateFlags>({
  command: "rotate-keys",
  describe: "replace a deployment's API keys without downtime: accept new and old, roll out, then drop the old, roll out",
  builder: (yargs) =>
    withTarget(yargs)
      .option("scope", { type: "string", default: "both", describe: "which keys: scoring | labelling | both" })
      .option("phase", {
        type: "string",
        default: "both",
        describe: "both | add (new key next to the old, so clients can switch) | drop (remove the old key)",
      })
      .option("timeout", {
        type: "number",
        default: 900,
        describe: "seconds to wait for each roll-out (ECS restart, EC2 key refresh)",
      }) as unknown as Argv<RotateFlags>,
  run: async (ctx, flags) => {
    const { target, app } = requireTarget(ctx, flags);
    if (!(PHASES as readonly string[]).includes(flags.phase)) throw new CliError(`--phase must be ${PHASES.join(" | ")}`, EXIT.usage);
    if (!(SCOPES as readonly string[]).includes(flags.scope)) throw new CliError(`--scope must be ${SCOPES.join(" | ")}`, EXIT.usage);
    if (target === "local") {
      throw new CliError("local runs get fresh keys each start: stop, then serve --require-keys again", EXIT.usage);
    }
    const environment = environmentFromFlags(flags);
    const dir = path.join(ctx.repoRoot, deploymentDirName(target, app.name, environment));
    const info = readDeployment(dir);
    if (!info || (info.resources === 0 && !info.remoteState)) {
      throw new CliError(`${app.name} is not deployed on ${TARGET_LABELS[target]} (no state in ${path.basename(dir)})`, EXIT.usage);
    }
    const parameters = deployedKeyParameters(info);
    if (!parameters)
      throw new CliError(`${path.basename(dir)} was deployed without API keys (--no-api-keys): nothing to rotate`, EXIT.usage);
    const region = info.region ?? resolveRegion(flags, ctx.env);
    const scopes: ApiKeyScope[] = flags.scope === "both" ? [...API_KEY_SCOPES] : [flags.scope as ApiKeyScope];
    const timeoutMs = flags.timeout * 1000;
    // ECS reads the keys when a task starts (a restart); the EC2 app re-reads its key file (a refresh, no restart).
    let rollOut: (what: string) => Promise<void>;
    if (architecture(target).compute === "instance") {
      const instance = outputString(info, "instance_id");
      if (!instance) throw new CliError(`${path.basename(dir)} has no instance_id output`, EXIT.failed);
      rollOut = (what) => refreshInstanceKeys(ctx, region, instance, timeoutMs, what);
    } else {
      const cluster = outputString(info, "cluster_name");
      const service = outputString(info, "service_name");
      if (!cluster || !service) throw new CliError(`${path.basename(dir)} has no cluster_name/service_name outputs`, EXIT.failed);
      rollOut = (what) => restartAndWait(ctx, region, { cluster, service }, timeoutMs, what);
    }

    // Values stay in this process's memory; only parameter names are printed.
    const current: Partial<Record<ApiKeyScope, string[]>> = {};
    for (const scope of scopes) {
      current[scope] = (await ctx.adapters.aws.readSecureParameter(region, parameters[scope])).split(",").filter(Boolean);
    }
    if (flags.phase !== "drop") {
      for (const scope of scopes) {
        // An interrupted earlier rotation leaves "new,old": its newest key becomes the one kept alongside.
        const kept = current[scope]?.[0];
        const fresh = generateApiKey();
        current[scope] = kept ? [fresh, kept] : [fresh];
        await writeKeys(ctx, region, parameters[scope], current[scope]!.join(","));
        ctx.out.out(`${parameters[scope]}: new key added; the old one is still accepted`);
      }
      await rollOut("new and old keys accepted");
    }
    if (flags.phase === "add") {
      printKeyInstructions(ctx, region, parameters);
      ctx.out.out("Both keys work now (the new one is listed first). Once clients use the new key, drop the old one:");
      ctx.out.out(
        `  ${commandHint("rotate-keys", target, app.name, `--phase drop --scope ${flags.scope}${environment ? ` --env ${environment}` : ""}`)}`,
      );
      return;
    }
    for (const scope of scopes) {
      const newest = current[scope]?.[0];
      if (!newest) throw new CliError(`${parameters[scope]} holds no key: deploy again or rotate with --phase both`, EXIT.failed);
      await writeKeys(ctx, region, parameters[scope], newest);
      ctx.out.out(`${parameters[scope]}: old key removed`);
    }
    await rollOut("only the new keys accepted");
    printKeyInstructions(ctx, region, parameters);
    ctx.out.out(`Rotated the ${scopes.join(" and ")} keys of ${app.name} on ${TARGET_LABELS[target]}.`);
  },
});
