import { defineCommand } from "../command";
import { assessDockerBuild } from "../docker-checks";
import { assessMachine, DEFAULT_USES, formatCheck, gatherFacts, readiness } from "../doctor";
import { CliError, EXIT } from "../errors";
import { resolveRegion } from "../options";
import { withJsonFlag } from "../outcome";
import { Use, USE_LABELS, USES } from "../prerequisites";

/** Flags of `doctor`. */
interface DoctorFlags {
  /** Region for the credential check. */
  region?: string;
  /** The uses to check for (exit 1 when one of them is not ready). */
  for?: string[];
  /** Outcome as JSON. */
  json?: boolean;
}

/** `doctor`: the prerequisite check (also run by ./verify_prerequisites.sh), per use. */
export const doctorCommand = defineCommand<DoctorFlags>({
  command: "doctor",
  describe:
    "check the prerequisites and say which uses they allow (local serve, deploy with --image-uri / --build remote / a local build, tests)",
  builder: (yargs) =>
    withJsonFlag(
      yargs.option("region", { type: "string", describe: "region for the AWS credential check" }).option("for", {
        type: "array",
        string: true,
        choices: USES,
        describe: `uses that must be ready, else exit 1 (default: ${DEFAULT_USES.join(" ")}): ${USES.map((use) => `${use} = ${USE_LABELS[use]}`).join("; ")}`,
      }),
    ),
  jsonOutcome: true,
  run: async (ctx, flags) => {
    const forUses = (flags.for && flags.for.length > 0 ? flags.for : DEFAULT_USES) as Use[];
    const [facts, imageStore] = await Promise.all([gatherFacts(ctx, resolveRegion(flags, ctx.env)), ctx.adapters.docker.imageStore?.()]);
    const results = [...assessMachine(facts, forUses), ...assessDockerBuild(imageStore)];
    const uses = readiness(results);
    ctx.report?.set("checks", results);
    ctx.report?.set("uses", uses);
    for (const result of results) ctx.out.out(formatCheck(result));
    ctx.out.out("");
    for (const use of uses)
      ctx.out.out(`${use.ready ? "ready    " : "not ready"}  ${use.label}${use.ready ? "" : ` (missing: ${use.missing.join(", ")})`}`);
    const failed = uses.filter((use) => forUses.includes(use.use) && !use.ready);
    if (failed.length > 0) {
      throw new CliError(`not ready for ${failed.map((use) => use.label).join(", ")}`, EXIT.failed, [
        "Without AWS credentials you can still run an app locally: ./dynamic_deployment_system.sh serve --app 1",
      ]);
    }
    ctx.out.out(`Ready for ${forUses.map((use) => USE_LABELS[use]).join(" and ")}.`);
  },
});
