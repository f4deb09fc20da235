import { defineCommand } from "../command";
import { assessDockerBuild } from "../docker-checks";
import { assessMachine, formatCheck, gatherFacts } from "../doctor";
import { CliError, EXIT } from "../errors";
import { resolveRegion } from "../options";

/** `doctor`: the prerequisite check (also run by ./verify_prerequisites.sh). */
export const doctorCommand = defineCommand<{ region?: string }>({
  command: "doctor",
  describe: "check the prerequisites (bash, terraform/tofu, docker, AWS CLI + credentials, node/npm, disk, RAM)",
  builder: (yargs) => yargs.option("region", { type: "string", describe: "region for the AWS credential check" }),
  run: async (ctx, flags) => {
    const [facts, imageStore] = await Promise.all([gatherFacts(ctx, resolveRegion(flags, ctx.env)), ctx.adapters.docker.imageStore?.()]);
    const results = [...assessMachine(facts), ...assessDockerBuild(imageStore)];
    for (const result of results) ctx.out.out(formatCheck(result));
    const failed = results.filter((result) => result.required && !result.ok);
    if (failed.length > 0) {
      throw new CliError(
        `${failed.length} required prerequisite(s) failed: ${failed.map((result) => result.name).join(", ")}`,
        EXIT.failed,
        ["Without AWS credentials you can still run an app locally: ./dynamic_deployment_system.sh serve --app 1"],
      );
    }
    ctx.out.out("All prerequisites are met.");
  },
});
