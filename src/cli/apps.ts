import type { AppSpec } from "../types";
import type { CliContext } from "./context";
import { CliError, EXIT } from "./errors";

/** Warns about broken app folders and returns the valid apps (at least one, or a usage error). */
export function discoveredApps(ctx: CliContext): AppSpec[] {
  const result = ctx.discover();
  for (const problem of result.problems) {
    ctx.out.err(`warning: skipped ${problem.app}: ${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`);
  }
  if (result.apps.length === 0) throw new CliError(`no apps found under ${ctx.repoRoot}/apps`, EXIT.usage);
  return result.apps;
}
