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

/** An SSM parameter as describe-parameters gives it: never its value. */
export interface ParameterInfo {
  /** Full name. */
  name: string;
  /** String, StringList or SecureString. */
  type: string;
  /** KMS key of a SecureString (alias or ARN), when SSM reports one. */
  keyId?: string;
}

/** A SecureString to write. */
export interface SecureParameterWrite {
  /** Full name. */
  name: string;
  /** The value; handed to the AWS CLI on stdin, never as an argument. */
  value: string;
  /** Replace an existing value (rotation); false fails when it exists. */
  overwrite: boolean;
  /** KMS key id or ARN; absent: SSM's default key. */
  kmsKeyId?: string;
  /** Tags on creation (SSM accepts tags only when not overwriting). */
  tags?: Record<string, string>;
}

/** An AWS call failed; `code` is the AWS error code (e.g. RepositoryNotFoundException) when known. */
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
  /** An SSM parameter's name, type and key, without its value; undefined when it does not exist. */
  describeParameter(region: string, name: string): Promise<ParameterInfo | undefined>;
  /** The tags of an SSM parameter. */
  parameterTags(region: string, name: string): Promise<Record<string, string>>;
  /** The decrypted value of a SecureString (kept in memory only; never printed by the adapter). */
  readSecureParameter(region: string, name: string): Promise<string>;
  /** Writes a SecureString; the value travels on the AWS CLI's stdin. */
  putSecureParameter(region: string, write: SecureParameterWrite): Promise<void>;
  /** Deletes SSM parameters (missing ones are ignored). */
  deleteParameters(region: string, names: string[]): Promise<void>;
  /** Starts a new deployment of an ECS service with the same task definition; returns the new deployment's id. */
  forceNewDeployment(region: string, cluster: string, service: string): Promise<string>;
  /** One deployment of a service: its rollout state, and whether it is the only deployment left. */
  ecsDeploymentRollout(region: string, cluster: string, service: string, deploymentId: string): Promise<EcsRollout>;
  /** Uploads a local file to s3://bucket/key (the remote build's context); optional so test fakes may leave it out. */
  putObject?(region: string, bucket: string, key: string, file: string): Promise<void>;
  /** Starts a CodeBuild build of `project` from the S3 object `bucket/key`; returns the build id. */
  startBuild?(region: string, project: string, sourceLocation: string): Promise<string>;
  /** The state of a CodeBuild build. */
  buildState?(region: string, id: string): Promise<CodeBuildState>;
  /** Log lines of one stream after `token` (from the start without one) and the token to continue from. */
  logStreamEvents?(region: string, group: string, stream: string, token?: string): Promise<{ events: LogEvent[]; next?: string }>;
  /** Runs shell commands on an instance through its SSM agent (Run Command, AWS-RunShellScript); returns the command id. */
  sendShellCommand?(region: string, instanceId: string, commands: string[], comment: string): Promise<string>;
  /** How far one Run Command has got on one instance. */
  commandInvocation?(region: string, commandId: string, instanceId: string): Promise<CommandInvocation>;
}

/** One Run Command on one instance (`ssm get-command-invocation`). */
export interface CommandInvocation {
  /** Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed (Pending until SSM knows the invocation). */
  status: string;
  /** SSM's detail, e.g. "Undeliverable" when the agent is not reachable. */
  detail?: string;
  /** The end of the command's standard error, for a failure. */
  error?: string;
}

/** How far one ECS deployment has got. */
export interface EcsRollout {
  /** IN_PROGRESS, COMPLETED or FAILED; MISSING when the deployment is gone (replaced by a newer one). */
  state: string;
  /** Why, in ECS's words. */
  reason?: string;
  /** Tasks running in the deployment. */
  running: number;
  /** Tasks it wants. */
  desired: number;
  /** Deployments the service still has (1 once the old tasks are drained). */
  deployments: number;
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

  async describeParameter(region: string, name: string): Promise<ParameterInfo | undefined> {
    const data = (await this.call(region, [
      "ssm",
      "describe-parameters",
      "--parameter-filters",
      `Key=Name,Option=Equals,Values=${name}`,
    ])) as { Parameters?: Array<{ Name: string; Type: string; KeyId?: string }> };
    const found = (data.Parameters ?? []).find((p) => p.Name === name);
    return found ? { name: found.Name, type: found.Type, keyId: found.KeyId } : undefined;
  }

  async parameterTags(region: string, name: string): Promise<Record<string, string>> {
    const data = (await this.call(region, ["ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id", name])) as {
      TagList?: Array<{ Key: string; Value: string }>;
    };
    return Object.fromEntries((data.TagList ?? []).map((tag) => [tag.Key, tag.Value]));
  }

  async readSecureParameter(region: string, name: string): Promise<string> {
    const data = (await this.call(region, ["ssm", "get-parameter", "--name", name, "--with-decryption"])) as {
      Parameter?: { Value?: string };
    };
    if (data.Parameter?.Value === undefined) throw new AwsError(`SSM returned no value for ${name}`);
    return data.Parameter.Value;
  }

  async putSecureParameter(region: string, write: SecureParameterWrite): Promise<void> {
    const tags = write.tags && !write.overwrite ? Object.entries(write.tags).map(([Key, Value]) => ({ Key, Value })) : [];
    // The value is read from stdin (file:///dev/stdin), so it never shows in the process list as an argument would.
    await this.call(
      region,
      [
        "ssm",
        "put-parameter",
        "--name",
        write.name,
        "--type",
        "SecureString",
        "--value",
        "file:///dev/stdin",
        write.overwrite ? "--overwrite" : "--no-overwrite",
        ...(write.kmsKeyId ? ["--key-id", write.kmsKeyId] : []),
        ...(tags.length > 0 ? ["--tags", JSON.stringify(tags)] : []),
      ],
      write.value,
    );
  }

  async deleteParameters(region: string, names: string[]): Promise<void> {
    if (names.length === 0) return;
    await this.call(region, ["ssm", "delete-parameters", "--names", ...names]);
  }

  async forceNewDeployment(region: string, cluster: string, service: string): Promise<string> {
    const data = (await this.call(region, [
      "ecs",
      "update-service",
      "--cluster",
      cluster,
      "--service",
      service,
      "--force-new-deployment",
    ])) as { service?: { deployments?: Array<{ id: string; status: string }> } };
    const primary = data.service?.deployments?.find((d) => d.status === "PRIMARY") ?? data.service?.deployments?.[0];
    if (!primary) throw new AwsError(`ECS started no deployment of ${service}`);
    return primary.id;
  }

  async ecsDeploymentRollout(region: string, cluster: string, service: string, deploymentId: string): Promise<EcsRollout> {
    const data = (await this.call(region, ["ecs", "describe-services", "--cluster", cluster, "--services", service])) as {
      services: Array<{
        deployments?: Array<{
          id: string;
          rolloutState?: string;
          rolloutStateReason?: string;
          runningCount: number;
          desiredCount: number;
        }>;
      }>;
    };
    const deployments = data.services[0]?.deployments ?? [];
    const found = deployments.find((d) => d.id === deploymentId);
    if (!found) return { state: "MISSING", running: 0, desired: 0, deployments: deployments.length };
    return {
      state: found.rolloutState ?? (found.runningCount >= found.desiredCount ? "COMPLETED" : "IN_PROGRESS"),
      reason: found.rolloutStateReason,
      running: found.runningCount,
      desired: found.desiredCount,
      deployments: deployments.length,
    };
  }

  async sendShellCommand(region: string, instanceId: string, commands: string[], comment: string): Promise<string> {
    const data = (await this.call(region, [
      "ssm",
      "send-command",
      "--instance-ids",
      instanceId,
      "--document-name",
      "AWS-RunShellScript",
      "--comment",
      comment,
      "--parameters",
      JSON.stringify({ commands }),
    ])) as { Command?: { CommandId?: string } };
    const id = data.Command?.CommandId;
    if (!id) throw new AwsError(`SSM started no command on ${instanceId}`);
    return id;
  }

  async commandInvocation(region: string, commandId: string, instanceId: string): Promise<CommandInvocation> {
    let data: { Status?: string; StatusDetails?: string; StandardErrorContent?: string };
    try {
      data = (await this.call(region, [
        "ssm",
        "get-command-invocation",
        "--command-id",
        commandId,
        "--instance-id",
        instanceId,
      ])) as typeof data;
    } catch (error) {
      // Right after send-command, SSM may not know the invocation yet.
      if (error instanceof AwsError && error.code === "InvocationDoesNotExist") return { status: "Pending" };
      throw error;
    }
    return { status: data.Status ?? "Pending", detail: data.StatusDetails, error: data.StandardErrorContent?.trim() || undefined };
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
  private async call(region: string, args: string[], stdin?: string): Promise<unknown> {
    const endpoint = this.env.AWS_ENDPOINT_URL ? ["--endpoint-url", this.env.AWS_ENDPOINT_URL] : [];
    const argv = [...args, "--region", region, "--output", "json", ...endpoint];
    // Node hands a child a socket as stdin, which the AWS CLI cannot open as file:///dev/stdin: cat turns it into a pipe.
    const [command, commandArgs] = stdin === undefined ? [this.binary, argv] : ["sh", ["-c", 'cat | "$0" "$@"', this.binary, ...argv]];
    const result = await capture(command, commandArgs, { env: { ...this.env, AWS_PAGER: "" }, stdin });
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
