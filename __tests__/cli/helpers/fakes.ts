/**
 * Test doubles for the CLI's adapters. Each records its calls so tests can assert the sequence,
 * and each can be told to fail the way the real thing fails.
 */
import * as fs from "fs";
import type {
  AwsAdapter,
  CommandInvocation,
  EcsRollout,
  EcsServiceState,
  LogEvent,
  SecureParameterWrite,
} from "../../../src/cli/adapters/aws";
import { AwsError } from "../../../src/cli/adapters/aws";
import type { DockerAdapter } from "../../../src/cli/adapters/docker";
import type { HttpAnswer, HttpProbe } from "../../../src/cli/adapters/http";
import type { LocalRunner } from "../../../src/cli/adapters/local";
import type { RunningProcess } from "../../../src/cli/adapters/process";
import type { SystemProbe } from "../../../src/cli/adapters/system";
import type { TerraformAdapter } from "../../../src/cli/adapters/terraform";
import type { Clock, Signals } from "../../../src/cli/context";
import { BinaryMissingError } from "../../../src/cli/errors";
import type { LineInput, Output } from "../../../src/cli/io";
import { maskSecrets } from "../../../src/cli/mask";

/** Records every line; tee files receive the lines like the real output. */
export class RecordingOutput implements Output {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  readonly statuses: string[] = [];
  private files: string[] = [];

  constructor(readonly isTTY = false) {}

  out(line: string): void {
    this.lines.push(maskSecrets(line));
    this.record(line);
  }
  err(line: string): void {
    this.errors.push(maskSecrets(line));
    this.record(line);
  }
  status(line: string): void {
    this.statuses.push(line);
  }
  logOnly(line: string): void {
    this.record(line);
  }
  tee(file: string): () => void {
    this.files.push(file);
    return () => {
      this.files = this.files.filter((open) => open !== file);
    };
  }
  /** Everything printed, stdout and stderr. */
  get text(): string {
    return [...this.lines, ...this.errors].join("\n");
  }
  private record(line: string): void {
    for (const file of this.files) fs.appendFileSync(file, `${maskSecrets(line)}\n`);
  }
}

/** Answers questions from a fixed list, then reports end of input. */
export class ScriptedInput implements LineInput {
  constructor(
    private readonly answers: string[],
    readonly isTTY = false,
  ) {}
  async nextLine(): Promise<string | undefined> {
    return this.answers.shift();
  }
}

/** How the fake terraform answers one subcommand. */
export interface TerraformScript {
  /** Lines printed. */
  lines?: string[];
  /** Exit code (default 0). */
  code?: number;
  /** Wait for an interrupt before exiting (with code 1, as terraform does after a graceful stop). */
  waitForInterrupt?: boolean;
  /** Run before exiting (e.g. write a state file). */
  effect?: (cwd: string) => void;
}

/** "destroy" for `apply -destroy` (how the CLI destroys, to get JSON events), else the first argument. */
function subcommandOf(args: string[]): string {
  return args[0] === "apply" && args.includes("-destroy") ? "destroy" : (args[0] ?? "");
}

/** A terraform that plays scripts per subcommand and records every call. */
export class FakeTerraform implements TerraformAdapter {
  readonly calls: Array<{ args: string[]; cwd: string; env: NodeJS.ProcessEnv }> = [];
  readonly interrupts: string[] = [];
  installed = true;
  versionText = "1.11.4";
  scripts: Record<string, TerraformScript> = {};

  constructor(readonly binary = "terraform") {}

  async version(): Promise<string | undefined> {
    return this.installed ? this.versionText : undefined;
  }

  run(args: string[], cwd: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void): RunningProcess {
    this.calls.push({ args, cwd, env });
    const sub = subcommandOf(args);
    const script = this.scripts[sub] ?? {};
    let interrupted: () => void = () => undefined;
    const done = (async (): Promise<number> => {
      if (!this.installed) throw new BinaryMissingError(this.binary);
      for (const line of script.lines ?? []) onLine(line);
      if (script.waitForInterrupt) {
        await new Promise<void>((resolve) => {
          interrupted = resolve;
        });
        onLine("Interrupt received. Gracefully shutting down...");
        return 1;
      }
      script.effect?.(cwd);
      return script.code ?? 0;
    })();
    return {
      done,
      interrupt: () => {
        this.interrupts.push(sub);
        interrupted();
      },
    };
  }

  /** The subcommands run, in order. */
  get subcommands(): string[] {
    return this.calls.map((call) => subcommandOf(call.args));
  }
}

/** An AWS account in memory. */
export class FakeAws implements AwsAdapter {
  readonly calls: string[] = [];
  cliInstalled = true;
  credentialsError?: string;
  repositories = new Set<string>();
  serviceState: EcsServiceState = {
    status: "ACTIVE",
    desired: 1,
    running: 0,
    pending: 0,
    rollout: "FAILED",
    events: ["(service app) failed to start a task"],
  };
  stoppedReasons: string[] = ["task abc: Essential container in task exited; app: exit code 1"];
  taskIps: string[] = [];
  events: LogEvent[] = [];
  console = "";

  async cliVersion(): Promise<string | undefined> {
    return this.cliInstalled ? "2.15.0" : undefined;
  }
  async callerIdentity(region: string) {
    this.calls.push(`sts:${region}`);
    if (this.credentialsError) throw new AwsError(this.credentialsError);
    return { account: "123456789012", arn: "arn:aws:iam::123456789012:user/tester" };
  }
  async ecrAuthorization(region: string) {
    this.calls.push(`ecr-auth:${region}`);
    return { proxyEndpoint: "https://123456789012.dkr.ecr.us-east-1.amazonaws.com", username: "AWS", expiresAt: "later" };
  }
  async ecrRepositoryExists(region: string, name: string) {
    this.calls.push(`ecr-exists:${region}:${name}`);
    return this.repositories.has(name);
  }
  async ecsServiceState(region: string, cluster: string, service: string) {
    this.calls.push(`ecs-service:${region}:${cluster}:${service}`);
    return this.serviceState;
  }
  async stoppedTaskReasons(region: string, cluster: string, service: string) {
    this.calls.push(`ecs-stopped:${region}:${cluster}:${service}`);
    return this.stoppedReasons;
  }
  async serviceTaskPublicIps(region: string, cluster: string, service: string) {
    this.calls.push(`ecs-ips:${region}:${cluster}:${service}`);
    return this.taskIps;
  }
  async logEvents(region: string, group: string, sinceMs: number) {
    this.calls.push(`logs:${region}:${group}:${sinceMs}`);
    return this.events;
  }
  async consoleOutput(region: string, instanceId: string) {
    this.calls.push(`console:${region}:${instanceId}`);
    return this.console;
  }

  /** SSM in memory: name -> value, type, KMS key and tags. */
  parameters = new Map<string, { value: string; type: string; keyId?: string; tags: Record<string, string> }>();
  /** Each forced ECS deployment with the parameter values it would start with. */
  restarts: Array<{ service: string; values: Record<string, string> }> = [];
  /** Rollout states ecsDeploymentRollout answers in turn (the last repeats). */
  rollouts: EcsRollout[] = [{ state: "COMPLETED", running: 1, desired: 1, deployments: 1 }];
  async describeParameter(region: string, name: string) {
    this.calls.push(`ssm-describe:${region}:${name}`);
    const found = this.parameters.get(name);
    return found ? { name, type: found.type, keyId: found.keyId } : undefined;
  }
  async parameterTags(region: string, name: string) {
    this.calls.push(`ssm-tags:${region}:${name}`);
    return this.parameters.get(name)?.tags ?? {};
  }
  async readSecureParameter(region: string, name: string) {
    this.calls.push(`ssm-read:${region}:${name}`);
    const found = this.parameters.get(name);
    if (!found) throw new AwsError(`An error occurred (ParameterNotFound): ${name}`, "ParameterNotFound");
    return found.value;
  }
  async putSecureParameter(region: string, write: SecureParameterWrite) {
    this.calls.push(`ssm-put:${region}:${write.name}`);
    const existing = this.parameters.get(write.name);
    if (existing && !write.overwrite) throw new AwsError("An error occurred (ParameterAlreadyExists)", "ParameterAlreadyExists");
    this.parameters.set(write.name, {
      value: write.value,
      type: "SecureString",
      keyId: write.kmsKeyId,
      tags: existing?.tags ?? write.tags ?? {},
    });
  }
  async deleteParameters(region: string, names: string[]) {
    this.calls.push(`ssm-delete:${region}:${names.join(",")}`);
    for (const name of names) this.parameters.delete(name);
  }
  async forceNewDeployment(region: string, cluster: string, service: string) {
    this.calls.push(`ecs-restart:${region}:${cluster}:${service}`);
    this.restarts.push({ service, values: Object.fromEntries([...this.parameters].map(([name, p]) => [name, p.value])) });
    return `ecs-svc/${this.restarts.length}`;
  }
  async ecsDeploymentRollout(region: string, cluster: string, service: string, deploymentId: string) {
    this.calls.push(`ecs-rollout:${region}:${cluster}:${service}:${deploymentId}`);
    return (this.rollouts.length > 1 ? this.rollouts.shift() : this.rollouts[0]) as EcsRollout;
  }
  /** Run Commands sent to instances, with the parameter values at that moment (what the instance then reads). */
  commands: Array<{ instanceId: string; commands: string[]; values: Record<string, string> }> = [];
  /** States commandInvocation answers in turn (the last repeats). */
  invocations: CommandInvocation[] = [{ status: "Success" }];
  async sendShellCommand(region: string, instanceId: string, commands: string[]) {
    this.calls.push(`ssm-command:${region}:${instanceId}`);
    this.commands.push({ instanceId, commands, values: Object.fromEntries([...this.parameters].map(([name, p]) => [name, p.value])) });
    return `cmd-${this.commands.length}`;
  }
  async commandInvocation(region: string, commandId: string, instanceId: string) {
    this.calls.push(`ssm-invocation:${region}:${commandId}:${instanceId}`);
    return (this.invocations.length > 1 ? this.invocations.shift() : this.invocations[0]) as CommandInvocation;
  }
}

/** Docker that is installed with a daemon unless told otherwise. */
export class FakeDocker implements DockerAdapter {
  client: string | undefined = "28.2.2";
  daemonReason?: string;
  async clientVersion() {
    return this.client;
  }
  async daemon() {
    return this.daemonReason ? { reason: this.daemonReason } : { version: "28.2.2" };
  }
}

/** A comfortable machine. */
export class FakeSystem implements SystemProbe {
  versions: Record<string, string | undefined> = { bash: "5.2.15", npm: "11.0.0" };
  freeDisk = 50 * 1024 ** 3;
  memory = 16 * 1024 ** 3;
  async toolVersion(binary: string, _args: string[] = []) {
    return this.versions[binary];
  }
  freeDiskBytes() {
    return this.freeDisk;
  }
  totalMemoryBytes() {
    return this.memory;
  }
}

/** Answers health checks from a list (the last answer repeats). */
export class FakeHttp implements HttpProbe {
  readonly urls: string[] = [];
  constructor(public answers: HttpAnswer[] = [{ status: 200 }]) {}
  async get(url: string) {
    this.urls.push(url);
    return (this.answers.length > 1 ? this.answers.shift() : this.answers[0]) ?? { error: "ECONNREFUSED" };
  }
}

/** Local processes that only exist in memory. */
export class FakeLocal implements LocalRunner {
  readonly started: Array<{ command: string; args: string[]; env: NodeJS.ProcessEnv; logFile: string }> = [];
  readonly stopped: number[] = [];
  alive = new Set<number>();
  nextPid = 4242;
  pythonError?: string;
  /** The Python version each pythonFor call was given, in order. */
  readonly pythonVersions: Array<string | undefined> = [];

  async pythonFor(_repoRoot: string, app: string, onLine: (line: string) => void, pythonVersion?: string) {
    this.pythonVersions.push(pythonVersion);
    if (this.pythonError) throw new Error(this.pythonError);
    onLine(`env ready for ${app}`);
    return `/envs/${app}/bin/python`;
  }
  startBackground(command: string, args: string[], _cwd: string, env: NodeJS.ProcessEnv, logFile: string) {
    this.started.push({ command, args, env, logFile });
    fs.appendFileSync(logFile, "[INFO] Listening at: http://127.0.0.1\n");
    this.alive.add(this.nextPid);
    return this.nextPid++;
  }
  startForeground(command: string, args: string[], _cwd: string, env: NodeJS.ProcessEnv): RunningProcess {
    this.started.push({ command, args, env, logFile: "" });
    let finish: (code: number) => void = () => undefined;
    return { done: new Promise((resolve) => (finish = resolve)), interrupt: () => finish(130) };
  }
  isAlive(pid: number) {
    return this.alive.has(pid);
  }
  /** Ports something else already listens on. */
  busyPorts = new Set<number>();
  async portFree(port: number) {
    return !this.busyPorts.has(port);
  }
  async stop(pid: number) {
    this.stopped.push(pid);
    this.alive.delete(pid);
    return true;
  }
}

/** fraudkit's /health answer for `app` once its model is loaded. */
export function healthyAnswer(app: string): HttpAnswer {
  return { status: 200, body: JSON.stringify({ status: "ok", model: app, version: "1" }) };
}

/** A clock that moves only when slept on. */
export class FakeClock implements Clock {
  constructor(public time = Date.UTC(2025, 0, 2, 3, 4, 5)) {}
  now() {
    return this.time;
  }
  async sleep(ms: number) {
    this.time += ms;
  }
}

/** Ctrl-C on demand. */
export class FakeSignals implements Signals {
  private handlers: Array<() => void> = [];
  onInterrupt(handler: () => void) {
    this.handlers.push(handler);
    return () => {
      this.handlers = this.handlers.filter((h) => h !== handler);
    };
  }
  /** Presses Ctrl-C; false when nobody listens. */
  trigger(): boolean {
    this.handlers.forEach((handler) => handler());
    return this.handlers.length > 0;
  }
}

/** A terraform.tfstate with `count` managed resources and the given outputs. */
export function stateText(count: number, outputs: Record<string, string> = {}, extra: object[] = []): string {
  const resources = [
    ...Array.from({ length: count - extra.length }, (_, i) => ({
      mode: "managed",
      type: "aws_thing",
      name: `r${i}`,
      instances: [{ attributes: {} }],
    })),
    ...extra,
  ];
  return JSON.stringify({
    version: 4,
    resources: count === 0 ? [] : resources,
    outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { value, type: "string" }])),
  });
}
