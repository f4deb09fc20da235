import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BinaryMissingError } from "../errors";

/** How to start a child process. */
export interface RunOptions {
  /** Working directory. */
  cwd?: string;
  /** Full environment of the child. */
  env?: NodeJS.ProcessEnv;
  /** Called with every line the child writes to stdout or stderr. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Text written to the child's stdin, which is then closed. */
  stdin?: string;
}

/** A started child process. */
export interface RunningProcess {
  /** Resolves with the exit code (128 + signal number when killed by a signal); rejects with BinaryMissingError. */
  done: Promise<number>;
  /** Sends SIGINT once, so the child can stop gracefully (terraform saves its state). */
  interrupt(): void;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Starts a program in its own process group: a Ctrl-C at the terminal then reaches only the CLI,
 * which forwards exactly one SIGINT (terraform treats a second one as "exit now, lose state").
 */
export function startProcess(command: string, args: string[], options: RunOptions = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true,
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  const forward = (stream: NodeJS.ReadableStream | null, name: "stdout" | "stderr"): void => {
    if (!stream) return;
    let buffered = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split(/\r?\n/);
      buffered = lines.pop() ?? "";
      for (const line of lines) options.onLine?.(line, name);
    });
    stream.on("end", () => {
      if (buffered) options.onLine?.(buffered, name);
      buffered = "";
    });
  };
  forward(child.stdout, "stdout");
  forward(child.stderr, "stderr");
  const done = new Promise<number>((resolve, reject) => {
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" ? new BinaryMissingError(command) : error);
    });
    child.on("close", (code, signal) => resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1)));
  });
  return {
    done,
    interrupt: () => {
      if (child.pid !== undefined && child.exitCode === null) child.kill("SIGINT");
    },
  };
}

/** The result of a short command run to completion. */
export interface Captured {
  /** Exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Runs a short command and returns its output; rejects with BinaryMissingError when it is not installed. */
export async function capture(command: string, args: string[], options: RunOptions = {}): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const run = startProcess(command, args, {
    ...options,
    onLine: (line, stream) => (stream === "stdout" ? out : err).push(line),
  });
  const code = await run.done;
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** The absolute path of `command` on PATH, or undefined. */
export function whichBinary(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (command.includes("/")) return fs.existsSync(command) ? path.resolve(command) : undefined;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
