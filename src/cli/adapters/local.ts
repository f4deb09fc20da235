import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import { RunningProcess, startProcess } from "./process";

/** Starts and stops an app on this machine. Tests replace it. */
export interface LocalRunner {
  /**
   * Runs scripts/app_env.sh for the app (creating its Python env on first use) and returns its python path;
   * `pythonVersion` (X.Y, as discovery read it) picks the env, else the script reads it from the app folder.
   */
  pythonFor(repoRoot: string, app: string, onLine: (line: string) => void, pythonVersion?: string): Promise<string>;
  /** Starts a detached background process writing to `logFile`; returns its pid. */
  startBackground(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): number;
  /** Starts a foreground process whose output is passed through. */
  startForeground(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): RunningProcess;
  /** Whether a process with this pid is alive. */
  isAlive(pid: number): boolean;
  /** Whether nothing listens on 127.0.0.1:`port` (checked by binding it for a moment). */
  portFree(port: number): Promise<boolean>;
  /** Stops the process group of `pid` (SIGTERM, then SIGKILL after `graceMs`); true when it is gone. */
  stop(pid: number, graceMs: number): Promise<boolean>;
}

/** The real runner. */
export class ProcessLocalRunner implements LocalRunner {
  async pythonFor(repoRoot: string, app: string, onLine: (line: string) => void, pythonVersion?: string): Promise<string> {
    const script = `${repoRoot}/scripts/app_env.sh`;
    if (!fs.existsSync(script)) throw new Error(`${script} is missing: the Python environments cannot be created`);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const run = startProcess("bash", [script, app, ...(pythonVersion ? [pythonVersion] : [])], {
      cwd: repoRoot,
      onLine: (line, stream) => {
        if (stream === "stdout") stdout.push(line);
        else if (line.trim()) {
          stderr.push(line);
          onLine(line);
        }
      },
    });
    const code = await run.done;
    const python = stdout.filter((line) => line.trim() !== "").pop();
    if (code !== 0 || !python) {
      throw new Error(`scripts/app_env.sh ${app} failed (exit ${code}): ${stderr.pop() ?? "no output"}`);
    }
    return python.trim();
  }

  startBackground(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string): number {
    const fd = fs.openSync(logFile, "a");
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", fd, fd] });
    fs.closeSync(fd);
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    return child.pid;
  }

  startForeground(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): RunningProcess {
    return startProcess(command, args, { cwd, env, onLine: (line) => onLine(line) });
  }

  isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }

  portFree(port: number): Promise<boolean> {
    return new Promise((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
    });
  }

  async stop(pid: number, graceMs: number): Promise<boolean> {
    const signal = (name: NodeJS.Signals): void => {
      try {
        process.kill(-pid, name);
      } catch {
        try {
          process.kill(pid, name);
        } catch {
          // already gone
        }
      }
    };
    signal("SIGTERM");
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline) {
      if (!this.isAlive(pid)) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    signal("SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 200));
    return !this.isAlive(pid);
  }
}
