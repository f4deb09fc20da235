#!/usr/bin/env node
/** Process entry of the CLI: wires the real terminal, stdin and adapters to runCli and sets the exit code. */
import * as path from "path";
import { realContext } from "./context";
import { isCiEnvironment, StreamLineInput, StreamOutput } from "./io";
import { runCli } from "./main";
import { secretsFromEnv } from "./mask";

const repoRoot = process.env.DDS_REPO_ROOT ? path.resolve(process.env.DDS_REPO_ROOT) : path.resolve(__dirname, "..", "..", "..");
// A closed pipe (`... | head`) ends the CLI quietly instead of with a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const input = new StreamLineInput(process.stdin);
// In CI the console is a log even when it is a pseudo-terminal: plain lines, no redrawn status.
const out = new StreamOutput(process.stdout, process.stderr, secretsFromEnv(process.env), { plain: isCiEnvironment(process.env) });

void runCli(process.argv.slice(2), realContext(repoRoot, process.env, out, input)).then((code) => {
  input.close();
  process.exitCode = code;
});
