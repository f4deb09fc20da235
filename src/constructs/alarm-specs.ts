/**
 * The alarms of each architecture as data: which metric, which statistic, which threshold. The alarms
 * construct turns each into a CloudWatch alarm and the dashboard into a graph, so the two never disagree.
 */
import type { Ec2Workload, EcsWorkload, Workload } from "./workload";

/** Alarm thresholds and evaluation (each one a Terraform variable, see src/stacks/operations-variables.ts). */
export interface AlarmThresholds {
  /** Average CPU % that counts as high (alarm_cpu_percent). */
  cpuPercent: number;
  /** Average memory % that counts as high, ECS only (alarm_memory_percent). */
  memoryPercent: number;
  /** Share of requests answered 5xx, in %, ALB only (alarm_5xx_percent). */
  error5xxPercent: number;
  /** p99 target response time in seconds, ALB only (alarm_p99_seconds). */
  p99Seconds: number;
  /** Seconds per datapoint (alarm_period_seconds). */
  periodSeconds: number;
  /** Consecutive breaching datapoints before the alarm fires (alarm_evaluation_periods). */
  evaluationPeriods: number;
}

/** One CloudWatch metric with its dimensions. */
export interface MetricRef {
  /** e.g. "AWS/ECS". */
  namespace: string;
  /** e.g. "CPUUtilization". */
  metricName: string;
  /** Dimension name -> value. */
  dimensions: Record<string, string>;
  /** "Average", "Maximum", "Sum" or a percentile such as "p99". */
  stat: string;
}

/** A metric-math alarm: named metrics combined by an expression. */
export interface MetricMath {
  /** Expression over the metric ids, e.g. "desired - running". */
  expression: string;
  /** What the expression means, for the graph. */
  label: string;
  /** id -> metric. */
  metrics: Record<string, MetricRef>;
}

/** One alarm: a metric (or metric math) compared with a threshold. */
export interface AlarmSpec {
  /** Construct id and name suffix, e.g. "cpu_high". */
  id: string;
  /** What firing means and what to look at. */
  description: string;
  /** The watched value. */
  watch: MetricRef | MetricMath;
  /** CloudWatch comparison operator. */
  comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
  /** Threshold (a number or a Terraform variable token). */
  threshold: number;
}

/** True for a metric-math alarm. */
export function isMath(watch: MetricRef | MetricMath): watch is MetricMath {
  return (watch as MetricMath).expression !== undefined;
}

/** CloudWatch percentiles are "extended statistics" ("p99"); the rest are plain statistics. */
export function isPercentile(stat: string): boolean {
  return /^p\d+(\.\d+)?$/.test(stat);
}

/**
 * The alarms for a workload. EC2: status check failed, CPU high. ECS: running tasks below desired (Container
 * Insights, which the cluster enables), CPU high, memory high. With a load balancer also: unhealthy targets,
 * 5xx rate, p99 response time.
 */
export function alarmSpecs(workload: Workload, t: AlarmThresholds): AlarmSpec[] {
  // One case per kind of compute: a new kind without its alarms does not compile.
  switch (workload.kind) {
    case "ec2":
      return instanceAlarms(workload, t);
    case "ecs":
      return serviceAlarms(workload, t);
  }
}

/** EC2: status check failed, CPU high. */
function instanceAlarms(workload: Ec2Workload, t: AlarmThresholds): AlarmSpec[] {
  const instance = { InstanceId: workload.instanceId };
  return [
    {
      id: "status_check_failed",
      description: "The instance or its host fails EC2 status checks: reboot or replace it",
      watch: { namespace: "AWS/EC2", metricName: "StatusCheckFailed", dimensions: instance, stat: "Maximum" },
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    },
    {
      id: "cpu_high",
      description: "Instance CPU above alarm_cpu_percent: the model is saturated, consider a larger instance_type",
      watch: { namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: instance, stat: "Average" },
      comparison: "GreaterThanThreshold",
      threshold: t.cpuPercent,
    },
  ];
}

/** ECS: tasks below desired, CPU and memory high; with a load balancer also its targets, 5xx rate and p99. */
function serviceAlarms(workload: EcsWorkload, t: AlarmThresholds): AlarmSpec[] {
  const service = { ClusterName: workload.clusterName, ServiceName: workload.serviceName };
  const insights = (metricName: string): MetricRef => ({
    namespace: "ECS/ContainerInsights",
    metricName,
    dimensions: service,
    stat: "Average",
  });
  const specs: AlarmSpec[] = [
    {
      id: "tasks_below_desired",
      description: "Fewer tasks run than the service wants: see the stopped tasks' reasons (deploy failures, crashes, OOM)",
      watch: {
        expression: "desired - running",
        label: "Tasks missing",
        metrics: { desired: insights("DesiredTaskCount"), running: insights("RunningTaskCount") },
      },
      comparison: "GreaterThanThreshold",
      threshold: 0,
    },
    {
      id: "cpu_high",
      description: "Service CPU above alarm_cpu_percent: the tasks are saturated",
      watch: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: service, stat: "Average" },
      comparison: "GreaterThanThreshold",
      threshold: t.cpuPercent,
    },
    {
      id: "memory_high",
      description: "Service memory above alarm_memory_percent: tasks risk being killed out of memory, raise memory",
      watch: { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: service, stat: "Average" },
      comparison: "GreaterThanThreshold",
      threshold: t.memoryPercent,
    },
  ];
  if (!workload.loadBalancer) return specs;
  const lb = { LoadBalancer: workload.loadBalancer.loadBalancerArnSuffix };
  const target = { ...lb, TargetGroup: workload.loadBalancer.targetGroupArnSuffix };
  const elb = (metricName: string, dimensions: Record<string, string>, stat: string): MetricRef => ({
    namespace: "AWS/ApplicationELB",
    metricName,
    dimensions,
    stat,
  });
  return [
    ...specs,
    {
      id: "unhealthy_targets",
      description: "The load balancer sees unhealthy tasks: their /health fails (model not loaded, crash)",
      watch: elb("UnHealthyHostCount", target, "Maximum"),
      comparison: "GreaterThanThreshold",
      threshold: 0,
    },
    {
      id: "http_5xx_rate",
      description: "More than alarm_5xx_percent of requests end in a 5xx (from the tasks or the load balancer)",
      watch: {
        expression: "IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)",
        label: "5xx % of requests",
        metrics: {
          requests: elb("RequestCount", lb, "Sum"),
          target5xx: elb("HTTPCode_Target_5XX_Count", lb, "Sum"),
          elb5xx: elb("HTTPCode_ELB_5XX_Count", lb, "Sum"),
        },
      },
      comparison: "GreaterThanThreshold",
      threshold: t.error5xxPercent,
    },
    {
      id: "response_time_p99",
      description: "p99 response time above alarm_p99_seconds: scoring is slow, the service needs more or larger tasks",
      watch: elb("TargetResponseTime", lb, "p99"),
      comparison: "GreaterThanThreshold",
      threshold: t.p99Seconds,
    },
  ];
}
