import { Construct } from "constructs";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { Fn } from "cdktf";
import { skipCheck } from "./checkov";
import { ServiceRole } from "./iam";
import { awsName } from "./naming";
import type { Ec2Workload, EcsWorkload, ScalingHandles, Workload } from "./workload";

/** When to start and stop (each a Terraform variable, so the window can be changed in terraform.tfvars). */
export interface ScheduleTimes {
  /** EventBridge Scheduler cron for the start (schedule_start_cron). */
  startCron: string;
  /** EventBridge Scheduler cron for the stop (schedule_stop_cron). */
  stopCron: string;
  /** IANA time zone both crons are read in (schedule_timezone). */
  timeZone: string;
}

/** Settings of the start/stop schedules. */
export interface StartStopScheduleProps extends ScheduleTimes {
  /** Prefix of every name. */
  namePrefix: string;
  /** What to start and stop. */
  workload: Workload;
}

/** One scheduled call: an AWS API through EventBridge Scheduler's universal target, with its JSON input. */
interface ScheduledCall {
  /** "arn:aws:scheduler:::aws-sdk:<service>:<action>". */
  target: string;
  /** Request parameters (may hold Terraform references). */
  input: Record<string, unknown>;
}

/** The universal target that calls one AWS API action. */
function sdkTarget(service: string, action: string): string {
  return `arn:aws:scheduler:::aws-sdk:${service}:${action}`;
}

/**
 * The calls that start and stop a workload, and the least privilege that allows exactly them. EC2: start and
 * stop the instance. ECS: UpdateService desiredCount to 0 and back. ECS + ALB: the scaler owns the desired
 * count (setting it to 0 alone would be undone within minutes), so its bounds move to 0/0 and back to
 * min/max, and Application Auto Scaling scales the service itself.
 */
export function scheduledCalls(workload: Workload): ScheduledCalls {
  // One case per kind of compute: a new kind without its start and stop calls does not compile.
  switch (workload.kind) {
    case "ec2":
      return instanceCalls(workload);
    case "ecs":
      return workload.scaling ? scalerCalls(workload, workload.scaling) : serviceCalls(workload);
  }
}

/** The calls of a schedule and what they need. */
interface ScheduledCalls {
  /** The start call. */
  start: ScheduledCall;
  /** The stop call. */
  stop: ScheduledCall;
  /** Exactly what the two calls need. */
  permissions: DataAwsIamPolicyDocumentStatement[];
}

/** EC2: start and stop the instance. */
function instanceCalls(workload: Ec2Workload): ScheduledCalls {
  const input = { InstanceIds: [workload.instanceId] };
  return {
    start: { target: sdkTarget("ec2", "startInstances"), input },
    stop: { target: sdkTarget("ec2", "stopInstances"), input },
    permissions: [
      {
        sid: "StartStopInstance",
        effect: "Allow",
        actions: ["ec2:StartInstances", "ec2:StopInstances"],
        resources: [workload.instanceArn],
      },
    ],
  };
}

/** ECS + ALB: move the scaler's bounds (it owns the desired count). */
function scalerCalls(workload: EcsWorkload, scaling: ScalingHandles): ScheduledCalls {
  const bounds = (min: number, max: number) => ({
    ServiceNamespace: "ecs",
    ResourceId: scaling.resourceId,
    ScalableDimension: "ecs:service:DesiredCount",
    MinCapacity: min,
    MaxCapacity: max,
  });
  return {
    start: { target: sdkTarget("applicationautoscaling", "registerScalableTarget"), input: bounds(scaling.minCount, scaling.maxCount) },
    stop: { target: sdkTarget("applicationautoscaling", "registerScalableTarget"), input: bounds(0, 0) },
    permissions: [
      {
        sid: "MoveScalingBounds",
        effect: "Allow",
        actions: ["application-autoscaling:RegisterScalableTarget"],
        resources: [scaling.targetArn],
      },
      // Application Auto Scaling checks that the caller may read and update the service it scales.
      { sid: "ScaleService", effect: "Allow", actions: ["ecs:DescribeServices", "ecs:UpdateService"], resources: [workload.serviceArn] },
    ],
  };
}

/** ECS without a scaler: UpdateService desiredCount to 0 and back. */
function serviceCalls(workload: EcsWorkload): ScheduledCalls {
  const desired = (count: number) => ({ Cluster: workload.clusterName, Service: workload.serviceName, DesiredCount: count });
  return {
    start: { target: sdkTarget("ecs", "updateService"), input: desired(workload.desiredCount) },
    stop: { target: sdkTarget("ecs", "updateService"), input: desired(0) },
    permissions: [{ sid: "ScaleService", effect: "Allow", actions: ["ecs:UpdateService"], resources: [workload.serviceArn] }],
  };
}

/** Two EventBridge Scheduler schedules (start, stop) and the role they assume, allowed exactly those two calls. */
export class StartStopSchedule extends Construct {
  /** Names of the start and stop schedules. */
  readonly scheduleNames: { start: string; stop: string };

  constructor(scope: Construct, id: string, props: StartStopScheduleProps) {
    super(scope, id);
    const calls = scheduledCalls(props.workload);
    const role = new ServiceRole(this, "role", {
      name: awsName([props.namePrefix, "scheduler"]),
      principal: "scheduler.amazonaws.com",
      statements: calls.permissions,
      onlyFromOwnAccount: true,
    });
    const schedule = (which: "start" | "stop", cron: string): string => {
      const created = new SchedulerSchedule(this, which, {
        name: awsName([props.namePrefix, which]),
        description: `${which === "start" ? "Starts" : "Stops"} ${props.namePrefix} (schedule_${which}_cron, schedule_timezone)`,
        scheduleExpression: cron,
        scheduleExpressionTimezone: props.timeZone,
        flexibleTimeWindow: { mode: "OFF" },
        target: { arn: calls[which].target, roleArn: role.arn, input: Fn.jsonencode(calls[which].input) },
      });
      skipCheck(created, "CKV_AWS_297", "the schedule's input holds only resource ids; a customer KMS key per deployment adds cost");
      return created.name;
    };
    this.scheduleNames = { start: schedule("start", props.startCron), stop: schedule("stop", props.stopCron) };
  }
}
