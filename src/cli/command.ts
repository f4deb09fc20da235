import type { Argv } from "yargs";
import type { CliContext } from "./context";

/** One CLI command: how yargs parses it, how its flags are checked, and what it does with the context. */
export interface CommandDef<A = Record<string, unknown>, P = A> {
  /** yargs command string ("list", "$0" for the menu). */
  command: string;
  /** One-line help text (every command must have one; tested). */
  describe: string;
  /** Adds the command's flags. */
  builder: (yargs: Argv) => Argv<A>;
  /** With `--json`, the run's outcome is printed as one JSON object on stdout (see outcome.ts). */
  jsonOutcome?: boolean;
  /**
   * Checks the flags before the command prints or writes anything and returns what `run` works with; bad input
   * throws an InputError, which the CLI reports as one line with exit code 2. Without it, run gets the flags.
   */
  validate?: (ctx: CliContext, args: A) => P;
  /** Runs the command; throws CliError for a one-line failure with an exit code. */
  run: (ctx: CliContext, input: P) => Promise<void>;
}

/**
 * Lets commands with different flag types share one list (the compiler still checks each definition); the
 * command's validate step runs first, so every command checks its input the same way.
 */
export function defineCommand<A, P = A>(def: CommandDef<A, P>): CommandDef<Record<string, unknown>> {
  const { validate } = def;
  return {
    command: def.command,
    describe: def.describe,
    builder: def.builder as unknown as CommandDef["builder"],
    ...(def.jsonOutcome ? { jsonOutcome: true } : {}),
    run: async (ctx, args) => def.run(ctx, validate ? validate(ctx, args as A) : (args as unknown as P)),
  };
}
