import { maskSecrets } from "../mask";
import { capture } from "./process";

/** Who the credentials belong to (STS caller identity). */
export interface CallerIdentity {
  /** AWS account id. */
  account: string;
  /** ARN of the calling user or role. */
  arn: string;
}

/** ECR login data without the password (the password is never handed out of the adapter). */
export interface EcrAuthorization {
  /** Registry endpoint, e.g. https://123456789012.dkr.ecr.us-east-1.amazonaws.com. */
  proxyEndpoint: string;
  /** User name for docker login (always "AWS" on real ECR). */
  username: string;
  /** When the token expires, as returned by the API. */
  expiresAt: string;
}

/** The state of one ECS service. */
export interface EcsServiceState {
  /** ACTIVE, DRAINING or INACTIVE; MISSING when the service does not exist. */
  status: string;
  /** Tasks wanted. */
  desired: number;
  /** Tasks running. */
  running: number;
  /** Tasks starting. */
  pending: number;
  /** Rollout state of the primary deployment (COMPLETED, IN_PROGRESS, FAILED), when known. */
  rollout?: string;
  /** The latest service events, newest first. */
  events: string[];
}

/** One CloudWatch log line. */
export interface LogEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The log line. */
  message: string;
  /** Log stream it came from. */
  stream: string;
}

/** The state of one CodeBuild build (`codebuild batch-get-builds`). */
export interface CodeBuildState {
  /** IN_PROGRESS, SUCCEEDED, FAILED, FAULT, STOPPED or TIMED_OUT. */
  status: string;
  /** The phase it is in (or ended in), e.g. BUILD, POST_BUILD, COMPLETED. */
  phase?: string;
  /** CloudWatch log group of the build, once it has started logging. */
  logGroup?: string;
  /** CloudWatch log stream of the build. */
  logStream?: string;
  /** The buildspec's exported variables (the pushed digest is one). */
  exported: Record<string, string>;
  /** Why a failed phase failed, from the phase contexts. */
  failure?: string;
}

/** The fields of an ECS task that the adapter reads (`ecs describe-tasks`). */
interface EcsTask {
  taskArn: string;
  lastStatus?: string;
  stoppedReason?: string;
  stoppedAt?: string | number;
  containers?: Array<{ name: string; reason?: string; exitCode?: number }>;
  attachments?: Array<{ type: string; details?: Array<{ name: string; value: string }> }>;
}

/** An AWS call failed; `code` is the AWS error code (e.g. RepositoryNotFoundException) when known. */
export class AwsError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "AwsError";
  }
}

/** The AWS calls the CLI makes. Tests replace it; the real one uses the AWS CLI. */
export interface AwsAdapter {
  /** Version of the AWS CLI, or undefined when it is not installed. */
  cliVersion(): Promise<string | undefined>;
  /** STS caller identity: proves the credentials work. */
  callerIdentity(region: string): Promise<CallerIdentity>;
  /** ECR authorization for the account's registry. */
  ecrAuthorization(region: string): Promise<EcrAuthorization>;
  /** Whether an ECR repository still exists. */
  ecrRepositoryExists(region: string, name: string): Promise<boolean>;
  /** State of an ECS service (status MISSING when it does not exist). */
  ecsServiceState(region: string, cluster: string, service: string): Promise<EcsServiceState>;
  /** Why the latest stopped tasks of a service stopped, newest first. */
  stoppedTaskReasons(region: string, cluster: string, service: string, limit?: number): Promise<string[]>;
  /** Public IPs of the service's running tasks (plain ECS has no load balancer, so this is where the app answers). */
  serviceTaskPublicIps(region: string, cluster: string, service: string): Promise<string[]>;
  /** Log events of a group since a time (ms since epoch), oldest first. */
  logEvents(region: string, group: string, sinceMs: number, limit: number): Promise<LogEvent[]>;
  /** The EC2 serial console output of an instance. */
  consoleOutput(region: string, instanceId: string): Promise<string>;
  /** Uploads a local file to s3://bucket/key (the remote build's context); optional so test fakes may leave it out. */
  putObject?(region: string, bucket: string, key: string, file: string): Promise<void>;
  /** Starts a CodeBuild build of `project` from the S3 object `bucket/key`; returns the build id. */
  startBuild?(region: string, project: string, sourceLocation: string): Promise<string>;
  /** The state of a CodeBuild build. */
  buildState?(region: string, id: string): Promise<CodeBuildState>;
  /** Log lines of one stream after `token` (from the start without one) and the token to continue from. */
  logStreamEvents?(region: string, group: string, stream: string, token?: string): Promise<{ events: LogEvent[]; next?: string }>;
}

/** The AWS adapter backed by the `aws` command (v1 or v2); honours AWS_ENDPOINT_URL and profiles. */
export class AwsCli implements AwsAdapter {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly binary: string = env.DDS_AWS_BIN || "aws",
  ) {}

  async cliVersion(): Promise<string | undefined> {
    try {
      const result = await capture(this.binary, ["--version"], { env: this.env });
      return /aws-cli\/(\S+)/.exec(`${result.stdout} ${result.stderr}`)?.[1];
    } catch {
      return undefined;
    }
  }

  async callerIdentity(region: string): Promise<CallerIdentity> {
    const data = (await this.call(region, ["sts", "get-caller-identity"])) as { Account: string; Arn: string };
    return { account: data.Account, arn: data.Arn };
  }

  async ecrAuthorization(region: string): Promise<EcrAuthorization> {
    const data = (await this.call(region, ["ecr", "get-authorization-token"])) as {
      authorizationData: Array<{ authorizationToken: string; proxyEndpoint: string; expiresAt: string | number }>;
    };
    const first = data.authorizationData[0];
    if (!first) throw new AwsError("ECR returned no authorization data");
    const decoded = Buffer.from(first.authorizationToken, "base64").toString("utf8");
    return { proxyEndpoint: first.proxyEndpoint, username: decoded.split(":")[0] ?? "", expiresAt: String(first.expiresAt) };
  }

  async ecrRepositoryExists(region: string, name: string): Promise<boolean> {
    try {
      await this.call(region, ["ecr", "describe-repositories", "--repository-names", name]);
      return true;
    } catch (error) {
      if (error instanceof AwsError && error.code === "RepositoryNotFoundException") return false;
      throw error;
    }
  }

  async ecsServiceState(region: string, cluster: string, service: string): Promise<EcsServiceState> {
    const data = (await this.call(region, ["ecs", "describe-services", "--cluster", cluster, "--services", service])) as {
      services: Array<{
        status: string;
        desiredCount: number;
        runningCount: number;
        pendingCount: number;
        events?: Array<{ message: string }>;
        deployments?: Array<{ status: string; rolloutState?: string }>;
      }>;
    };
    const found = data.services[0];
    if (!found) return { status: "MISSING", desired: 0, running: 0, pending: 0, events: [] };
    return {
      status: found.status,
      desired: found.desiredCount,
      running: found.runningCount,
      pending: found.pendingCount,
      rollout: found.deployments?.find((d) => d.status === "PRIMARY")?.rolloutState,
      events: (found.events ?? []).slice(0, 5).map((event) => event.message),
    };
  }

  /** The service's tasks with the given desired status, as `ecs describe-tasks` gives them. */
  private async serviceTasks(region: string, cluster: string, service: string, desiredStatus: "RUNNING" | "STOPPED"): Promise<EcsTask[]> {
    const list = (await this.call(region, [
      "ecs",
      "list-tasks",
      "--cluster",
      cluster,
      "--service-name",
      service,
      "--desired-status",
      desiredStatus,
    ])) as { taskArns: string[] };
    if (list.taskArns.length === 0) return [];
    const described = (await this.call(region, ["ecs", "describe-tasks", "--cluster", cluster, "--tasks", ...list.taskArns])) as {
      tasks: EcsTask[];
    };
    return described.tasks;
  }

  async stoppedTaskReasons(region: string, cluster: string, service: string, limit = 3): Promise<string[]> {
    const tasks = await this.serviceTasks(region, cluster, service, "STOPPED");
    return tasks
      .sort((a, b) => Number(new Date(b.stoppedAt ?? 0)) - Number(new Date(a.stoppedAt ?? 0)))
      .slice(0, limit)
      .map((task) => {
        const containers = (task.containers ?? [])
          .filter((c) => c.reason || c.exitCode !== undefined)
          .map((c) => `${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}`);
        const id = task.taskArn.split("/").pop();
        return [`task ${id}: ${task.stoppedReason ?? "no reason given"}`, ...containers].join("; ");
      });
  }

  async serviceTaskPublicIps(region: string, cluster: string, service: string): Promise<string[]> {
    const tasks = await this.serviceTasks(region, cluster, service, "RUNNING");
    const enis = tasks
      .filter((task) => task.lastStatus === "RUNNING")
      .flatMap((task) => task.attachments ?? [])
      .filter((attachment) => attachment.type === "ElasticNetworkInterface")
      .flatMap((attachment) => (attachment.details ?? []).filter((d) => d.name === "networkInterfaceId").map((d) => d.value));
    if (enis.length === 0) return [];
    const interfaces = (await this.call(region, ["ec2", "describe-network-interfaces", "--network-interface-ids", ...enis])) as {
      NetworkInterfaces: Array<{ Association?: { PublicIp?: string } }>;
    };
    return interfaces.NetworkInterfaces.map((eni) => eni.Association?.PublicIp).filter((ip): ip is string => Boolean(ip));
  }

  async logEvents(region: string, group: string, sinceMs: number, limit: number): Promise<LogEvent[]> {
    const data = (await this.call(region, [
      "logs",
      "filter-log-events",
      "--log-group-name",
      group,
      "--start-time",
      String(Math.floor(sinceMs)),
      "--max-items",
      String(limit),
    ])) as { events?: Array<{ timestamp: number; message: string; logStreamName: string }> };
    return (data.events ?? []).map((event) => ({ timestamp: event.timestamp, message: event.message, stream: event.logStreamName }));
  }

  async consoleOutput(region: string, instanceId: string): Promise<string> {
    const data = (await this.call(region, ["ec2", "get-console-output", "--instance-id", instanceId])) as { Output?: string };
    return data.Output ?? "";
  }

  async putObject(region: string, bucket: string, key: string, file: string): Promise<void> {
    await this.call(region, ["s3api", "put-object", "--bucket", bucket, "--key", key, "--body", file]);
  }

  async startBuild(region: string, project: string, sourceLocation: string): Promise<string> {
    const data = (await this.call(region, [
      "codebuild",
      "start-build",
      "--project-name",
      project,
      "--source-type-override",
      "S3",
      "--source-location-override",
      sourceLocation,
    ])) as { build?: { id?: string } };
    if (!data.build?.id) throw new AwsError(`codebuild start-build for ${project} returned no build id`);
    return data.build.id;
  }

  async buildState(region: string, id: string): Promise<CodeBuildState> {
    type Build = {
      buildStatus?: string;
      currentPhase?: string;
      logs?: { groupName?: string; streamName?: string };
      exportedEnvironmentVariables?: Array<{ name: string; value?: string }>;
      phases?: Array<{ phaseType?: string; phaseStatus?: string; contexts?: Array<{ message?: string }> }>;
    };
    const data = (await this.call(region, ["codebuild", "batch-get-builds", "--ids", id])) as { builds?: Build[] };
    const build = data.builds?.[0];
    if (!build) throw new AwsError(`CodeBuild build ${id} not found`);
    const failed = build.phases?.find((phase) => phase.phaseStatus && !["SUCCEEDED", "IN_PROGRESS"].includes(phase.phaseStatus));
    const message = failed?.contexts?.map((context) => context.message).find(Boolean);
    return {
      status: build.buildStatus ?? "IN_PROGRESS",
      phase: build.currentPhase,
      logGroup: build.logs?.groupName,
      logStream: build.logs?.streamName,
      exported: Object.fromEntries((build.exportedEnvironmentVariables ?? []).map((v) => [v.name, v.value ?? ""])),
      failure: failed ? `${failed.phaseType} ${failed.phaseStatus}${message ? `: ${message}` : ""}` : undefined,
    };
  }

  async logStreamEvents(region: string, group: string, stream: string, token?: string): Promise<{ events: LogEvent[]; next?: string }> {
    const from = token ? ["--next-token", token] : ["--start-from-head"];
    const data = (await this.call(region, ["logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream, ...from])) as {
      events?: Array<{ timestamp: number; message: string }>;
      nextForwardToken?: string;
    };
    return {
      events: (data.events ?? []).map((event) => ({ timestamp: event.timestamp, message: event.message, stream })),
      next: data.nextForwardToken,
    };
  }

  /** Runs one AWS CLI call and parses its JSON; failures become AwsError with the AWS error code. */
  private async call(region: string, args: string[]): Promise<unknown> {
    const endpoint = this.env.AWS_ENDPOINT_URL ? ["--endpoint-url", this.env.AWS_ENDPOINT_URL] : [];
    const result = await capture(this.binary, [...args, "--region", region, "--output", "json", ...endpoint], {
      env: { ...this.env, AWS_PAGER: "" },
    });
    if (result.code !== 0) {
      const text = maskSecrets(result.stderr.trim() || result.stdout.trim());
      const code = /An error occurred \(([^)]+)\)/.exec(text)?.[1];
      const lines = text.split("\n").filter((line) => line.trim() !== "");
      throw new AwsError(lines[lines.length - 1] ?? `aws ${args.slice(0, 2).join(" ")} failed`, code);
    }
    try {
      return result.stdout.trim() === "" ? {} : JSON.parse(result.stdout);
    } catch {
      throw new AwsError(`aws ${args.slice(0, 2).join(" ")} returned output that is not JSON`);
    }
  }
}
