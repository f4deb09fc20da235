import type { Argv } from "yargs";
import type { CliContext } from "./context";

/** One CLI command: how yargs parses it and what it does with the context. */
export interface CommandDef<A = Record<string, unknown>> {
  /** yargs command string ("list", "$0" for the menu). */
  command: string;
  /** One-line help text (every command must have one; tested). */
  describe: string;
  /** Adds the command's flags. */
  builder: (yargs: Argv) => Argv<A>;
  /** With `--json`, the run's outcome is printed as one JSON object on stdout (see outcome.ts). */
  jsonOutcome?: boolean;
  /** Runs the command; throws CliError for a one-line failure with an exit code. */
  run: (ctx: CliContext, args: A) => Promise<void>;
}

/** Lets commands with different flag types share one list (the compiler still checks each definition). */
export function defineCommand<A>(def: CommandDef<A>): CommandDef<Record<string, unknown>> {
  return def as unknown as CommandDef<Record<string, unknown>>;
}
