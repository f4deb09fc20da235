import yargs from "yargs";
import type { CommandDef } from "./command";
import type { CliContext } from "./context";
import { CliError, describeError, EXIT } from "./errors";
import { COMMANDS } from "./registry";
import { InputError } from "../validation/errors";

const EPILOGUE = [
  "Exit codes: 0 done, 1 failed, 2 bad input (unknown app/arch, invalid answer, end of input),",
  "3 prepared but not deployed (a prerequisite is missing), 130 interrupted (state kept).",
  "Environment: DDS_TERRAFORM_BIN (terraform|tofu|path), DDS_TF_CLI_CONFIG, TF_LOG, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL.",
].join("\n");

/** Runs the CLI with `argv` (without node and script) against a context; returns the exit code. Never throws. */
export async function runCli(argv: string[], ctx: CliContext, commands: CommandDef[] = COMMANDS): Promise<number> {
  let failure: unknown;
  const parser = yargs(argv)
    .scriptName("dynamic_deployment_system.sh")
    .usage("Usage: $0 [command] [options]\n\nWith no command: the interactive menu (answers read line by line from stdin).")
    .strict()
    .exitProcess(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .epilogue(EPILOGUE)
    .fail((message, error) => {
      failure = error ?? new CliError(message, EXIT.usage);
      throw failure;
    });
  for (const def of commands) {
    parser.command(def.command, def.describe, def.builder, async (args) => {
      await def.run(ctx, args as Record<string, unknown>);
    });
  }
  parser.help().alias("help", "h").version(false);
  try {
    await parser.parseAsync(argv, {}, (_error, _args, output) => {
      if (output) ctx.out.out(output);
    });
    return failure === undefined ? EXIT.ok : report(ctx, failure);
  } catch (error) {
    return report(ctx, failure ?? error);
  }
}

/** Prints an error as one line (plus its details) and returns its exit code. */
function report(ctx: CliContext, error: unknown): number {
  if (error instanceof InputError) {
    ctx.out.err(`error: ${describeError(error)}`);
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    ctx.out.err(`error: ${error.message}`);
    for (const line of error.details) ctx.out.err(`  ${line}`);
    return error.exitCode;
  }
  ctx.out.err(`error: ${describeError(error)}`);
  if (ctx.env.DDS_DEBUG && error instanceof Error && error.stack) ctx.out.err(error.stack);
  return EXIT.failed;
}
