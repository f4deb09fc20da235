import { Construct } from "constructs";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { accountAdministersKey, accountArn } from "./account";
import { skipCheck } from "./checkov";
import { type AlarmSpec, type AlarmThresholds, alarmSpecs, isMath, isPercentile, type MetricRef } from "./alarm-specs";
import { whenSet } from "./conditions";
import { AppDashboard } from "./dashboard";
import type { Workload } from "./workload";

/** Settings of a deployment's alerting. */
export interface AlarmsProps {
  /** Prefix of every name, e.g. "ecs-alb-flask-cnn-app-py39". */
  namePrefix: string;
  /** What to watch. */
  workload: Workload;
  /** Thresholds and evaluation (Terraform variables). */
  thresholds: AlarmThresholds;
  /** E-mail address subscribed to the topic; empty for none (Terraform variable alert_email). */
  alertEmail: string;
  /** Log group shown on the dashboard. */
  logGroupName: string;
}

/** How CloudWatch treats a period without data: stopped by a schedule or idle is not an incident. */
const MISSING_DATA = "notBreaching";

/** The alarm's metric fields: a single metric, or metric queries for math (CloudwatchMetricAlarm takes one or the other). */
function watchConfig(spec: AlarmSpec, period: number): Partial<CloudwatchMetricAlarmConfig> {
  const single = (metric: MetricRef) => ({
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: metric.dimensions,
    period,
    ...(isPercentile(metric.stat) ? { extendedStatistic: metric.stat } : { statistic: metric.stat }),
  });
  if (!isMath(spec.watch)) return single(spec.watch);
  return {
    metricQuery: [
      { id: "result", expression: spec.watch.expression, label: spec.watch.label, returnData: true },
      ...Object.entries(spec.watch.metrics).map(([id, metric]) => ({
        id,
        returnData: false,
        metric: { namespace: metric.namespace, metricName: metric.metricName, dimensions: metric.dimensions, period, stat: metric.stat },
      })),
    ],
  };
}

/**
 * CloudWatch alarms for the architecture, an SNS topic they notify (encrypted with a key of its own: CloudWatch
 * cannot publish to a topic under the AWS-managed aws/sns key), an optional e-mail subscription and a dashboard.
 */
export class Alarms extends Construct {
  /** The alert topic's ARN. */
  readonly topicArn: string;
  /** Names of the alarms, in the order created. */
  readonly alarmNames: string[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key_policy", {
      statement: [
        accountAdministersKey(this),
        {
          sid: "CloudWatchPublishesEncrypted",
          effect: "Allow",
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        },
      ],
    });
    // In a key policy "*" means this key only, and the account statement is what keeps the key manageable.
    for (const id of ["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"]) skipCheck(keyPolicy, id, "a key policy's resource * is the key itself");
    const key = new KmsKey(this, "key", {
      description: `${props.namePrefix} alert topic`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: keyPolicy.json,
    });
    const topic = new SnsTopic(this, "topic", { name: `${props.namePrefix}-alerts`, kmsMasterKeyId: key.arn });
    const topicPolicy = new DataAwsIamPolicyDocument(this, "topic_policy", {
      statement: [
        {
          sid: "CloudWatchAlarmsPublish",
          effect: "Allow",
          actions: ["sns:Publish"],
          resources: [topic.arn],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          condition: [{ test: "ArnLike", variable: "aws:SourceArn", values: [accountArn(this, "cloudwatch", "alarm:*")] }],
        },
      ],
    });
    new SnsTopicPolicy(this, "topic_access", { arn: topic.arn, policy: topicPolicy.json });
    new SnsTopicSubscription(this, "email", {
      topicArn: topic.arn,
      protocol: "email",
      endpoint: props.alertEmail,
      count: whenSet(props.alertEmail),
    });

    const specs = alarmSpecs(props.workload, props.thresholds);
    this.alarmNames = specs.map((spec) => {
      const alarm = new CloudwatchMetricAlarm(this, spec.id, {
        alarmName: `${props.namePrefix}-${spec.id.replace(/_/g, "-")}`,
        alarmDescription: spec.description,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: props.thresholds.evaluationPeriods,
        treatMissingData: MISSING_DATA,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        ...watchConfig(spec, props.thresholds.periodSeconds),
      });
      return alarm.alarmName;
    });
    new AppDashboard(this, "dashboard", {
      name: props.namePrefix,
      specs,
      logGroupName: props.logGroupName,
      periodSeconds: props.thresholds.periodSeconds,
    });
    this.topicArn = topic.arn;
  }
}
