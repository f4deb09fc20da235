import * as path from "path";
import { discoverApps } from "../discovery";
import type { DiscoveryResult } from "../types";
import { AwsAdapter, AwsCli } from "./adapters/aws";
import { DockerAdapter, DockerCli } from "./adapters/docker";
import { HttpProbe, NodeHttpProbe } from "./adapters/http";
import { LocalRunner, ProcessLocalRunner } from "./adapters/local";
import { LocalSystem, SystemProbe } from "./adapters/system";
import { chooseTerraformBinary, TerraformAdapter, TerraformCli } from "./adapters/terraform";
import { LineInput, Output } from "./io";
import type { RunReport } from "./outcome";

/** Time, replaceable so tests do not wait. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** Ctrl-C, replaceable so tests can interrupt a deployment. */
export interface Signals {
  /** Calls `handler` on each SIGINT until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** Everything outside the process that commands touch. */
export interface Adapters {
  /** terraform or tofu. */
  terraform: TerraformAdapter;
  /** AWS calls. */
  aws: AwsAdapter;
  /** Docker client and daemon checks. */
  docker: DockerAdapter;
  /** Versions, disk, memory. */
  system: SystemProbe;
  /** Health checks. */
  http: HttpProbe;
  /** Local app processes. */
  local: LocalRunner;
}

/** What every command gets: where the repository is, how to talk to the person, and the adapters. */
export interface CliContext {
  /** Repository root (holds apps/, and the deployment_* folders are written there). */
  repoRoot: string;
  /** Environment (passed to children, read for configuration). */
  env: NodeJS.ProcessEnv;
  /** Terminal output. */
  out: Output;
  /** Answers to questions. */
  input: LineInput;
  /** Processes and network. */
  adapters: Adapters;
  /** Time. */
  clock: Clock;
  /** Ctrl-C. */
  signals: Signals;
  /** Scans apps/ (the discovery module by default). */
  discover(): DiscoveryResult;
  /** Collects the outcome of a command run with --json (set by withOutcome, absent otherwise). */
  report?: RunReport;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Real SIGINT handling: while a handler is registered, Ctrl-C no longer kills the CLI outright. */
export const processSignals: Signals = {
  onInterrupt(handler) {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
};

/** The real adapters for an environment. */
export function realAdapters(env: NodeJS.ProcessEnv): Adapters {
  return {
    terraform: new TerraformCli(chooseTerraformBinary(env), env),
    aws: new AwsCli(env),
    docker: new DockerCli(env),
    system: new LocalSystem(env),
    http: new NodeHttpProbe(),
    local: new ProcessLocalRunner(),
  };
}

/** The context of a real run. */
export function realContext(repoRoot: string, env: NodeJS.ProcessEnv, out: Output, input: LineInput): CliContext {
  return {
    repoRoot,
    env,
    out,
    input,
    adapters: realAdapters(env),
    clock: systemClock,
    signals: processSignals,
    discover: () => discoverApps(path.join(repoRoot, "apps")),
  };
}
