import * as fs from "fs";
import * as path from "path";
import yargs from "yargs";
import type { CommandDef } from "./command";
import type { CliContext } from "./context";
import { CliError, describeError, EXIT } from "./errors";
import { withOutcome } from "./outcome";
import { COMMANDS, EXAMPLES } from "./registry";
import { InputError } from "../validation/errors";

const EPILOGUE = [
  "Exit codes: 0 done, 1 failed, 2 bad input (unknown app/arch, invalid answer, end of input),",
  "3 prepared but not deployed (a prerequisite is missing), 130 interrupted (state kept).",
  "Environment: DDS_TERRAFORM_BIN (terraform|tofu|path), DDS_TF_CLI_CONFIG, TF_LOG, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, CI.",
].join("\n");

/** The CLI's version: package.json's, read next to the sources or the build. */
export function cliVersion(): string {
  for (const candidate of [path.join(__dirname, "..", "..", "package.json"), path.join(__dirname, "..", "..", "..", "package.json")]) {
    try {
      const parsed = JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (parsed.name === "dynamic-aws-deployment-system" && parsed.version) return parsed.version;
    } catch {
      // not this candidate
    }
  }
  return "unknown";
}

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
      // yargs prints the completion script, then still rejects "completion" as an unknown argument (exitProcess is off).
      if (argv[0] === "completion" && !error) return;
      failure = error ?? new CliError(message, EXIT.usage);
      throw failure;
    });
  // Registered before the commands: the default command ($0, the menu) would otherwise take "completion" as its argument.
  parser.completion("completion", "print a bash/zsh completion script for this CLI (add it to ~/.bashrc or ~/.zshrc)");
  const names = [...commands.map((def) => def.command).filter((name) => name !== "$0"), "completion"];
  const typo = unknownCommand(argv, names);
  if (typo) return report(ctx, typo);
  // Without this the default command (the menu) would run after the completion script is printed.
  const registered = argv[0] === "completion" ? commands.filter((def) => def.command !== "$0") : commands;
  for (const def of registered) {
    const builder = (y: Parameters<CommandDef["builder"]>[0]): ReturnType<CommandDef["builder"]> => {
      let built = def.builder(y);
      for (const [line, what] of EXAMPLES[def.command] ?? []) built = built.example(line, what);
      return built;
    };
    parser.command(def.command, def.describe, builder, async (args) => {
      const flags = args as Record<string, unknown>;
      if (def.jsonOutcome) {
        await withOutcome(ctx, def.command, Boolean(flags.json), (inner) => def.run(inner, flags));
      } else {
        await def.run(ctx, flags);
      }
    });
  }
  parser.help().alias("help", "h").version(cliVersion()).alias("version", "V");
  try {
    await parser.parseAsync(argv, {}, (_error, _args, output) => {
      if (output) ctx.out.out(output);
    });
    return failure === undefined ? EXIT.ok : report(ctx, failure);
  } catch (error) {
    return report(ctx, failure ?? error);
  }
}

/**
 * A usage error for a first word that is no command (the menu, the default command, takes no words), naming
 * the closest command when one is near: "unknown command "lsit"; did you mean "list"?".
 */
export function unknownCommand(argv: string[], names: string[]): CliError | undefined {
  const first = argv[0];
  if (first === undefined || first.startsWith("-") || names.includes(first)) return undefined;
  const ranked = names.map((name) => ({ name, distance: editDistance(first.toLowerCase(), name) })).sort((a, b) => a.distance - b.distance);
  const best = ranked[0];
  const near = best && (best.distance <= 2 || best.name.startsWith(first.toLowerCase())) ? `; did you mean "${best.name}"?` : "";
  return new CliError(`unknown command "${first}"${near} (--help lists the commands)`, EXIT.usage);
}

/** Levenshtein distance with adjacent swaps counted as one edit ("lsit" is one edit from "list"). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
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
