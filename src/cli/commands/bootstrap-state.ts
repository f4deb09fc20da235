import * as path from "path";
import { checkStateBackendNames } from "../../constructs/remote-state";
import { STATE_BOOTSTRAP_DIR, writeStateBootstrap } from "../../state-bootstrap";
import { terraformEnv } from "../aws-deploy";
import { defineCommand } from "../command";
import { CliError, EXIT } from "../errors";
import { resolveRegion } from "../options";
import { deployPrerequisites } from "../prerequisites";
import { confirm } from "../prompts";
import { runTerraformStep } from "../terraform-step";

/** Flags of `bootstrap-state`. */
interface BootstrapFlags {
  /** S3 bucket to create. */
  bucket?: string;
  /** DynamoDB table to create. */
  lockTable?: string;
  /** Region of both. */
  region?: string;
  /** Skip the confirmation. */
  yes?: boolean;
}

/** `bootstrap-state`: creates the shared S3 state bucket and DynamoDB lock table once, with Terraform of its own. */
export const bootstrapStateCommand = defineCommand<BootstrapFlags>({
  command: "bootstrap-state",
  describe: "create the S3 bucket and DynamoDB lock table that keep deployments' state remotely (once per team)",
  builder: (yargs) =>
    yargs
      .option("bucket", { type: "string", describe: "S3 bucket to create (globally unique name)" })
      .option("lock-table", { type: "string", describe: "DynamoDB lock table to create", default: "terraform-locks" })
      .option("region", { type: "string", describe: "region of the bucket and table (default: $AWS_REGION or us-east-1)" })
      .option("yes", { alias: "y", type: "boolean", describe: "do not ask for confirmation" }),
  run: async (ctx, flags) => {
    if (!flags.bucket) throw new CliError("--bucket is required (a globally unique S3 bucket name)", EXIT.usage);
    const props = { bucket: flags.bucket, lockTable: flags.lockTable ?? "terraform-locks", region: resolveRegion(flags, ctx.env) };
    checkStateBackendNames(props);
    const dir = writeStateBootstrap(path.join(ctx.repoRoot, STATE_BOOTSTRAP_DIR), props);
    ctx.out.out(`Wrote ${STATE_BOOTSTRAP_DIR}/main.tf (bucket ${props.bucket}, lock table ${props.lockTable}, ${props.region})`);
    const missing = await deployPrerequisites(ctx, props.region, false);
    if (missing.length > 0) {
      throw new CliError(`prepared ${STATE_BOOTSTRAP_DIR}/ but created nothing: ${missing.length} prerequisite(s) missing`, EXIT.prepared, [
        ...missing.map((item) => `missing: ${item.what} -> ${item.fix}`),
      ]);
    }
    if (
      !flags.yes &&
      !(await confirm(ctx.input, ctx.out, `Create s3://${props.bucket} and table ${props.lockTable} in ${props.region}?`))
    ) {
      ctx.out.out("Cancelled: nothing was created.");
      return;
    }
    const env = terraformEnv(ctx);
    const hints = [`Its state is in ${STATE_BOOTSTRAP_DIR}/terraform.tfstate; run bootstrap-state again to finish.`];
    await runTerraformStep(ctx, { label: "init", args: ["init", "-input=false", "-no-color"], dir, env, interruptHints: hints });
    await runTerraformStep(ctx, {
      label: "apply",
      args: ["apply", "-auto-approve", "-input=false", "-no-color"],
      dir,
      env,
      interruptHints: hints,
    });
    ctx.out.out(
      `State backend ready. Deploy with: --state-bucket ${props.bucket} --state-lock-table ${props.lockTable} --state-region ${props.region}`,
    );
  },
});
