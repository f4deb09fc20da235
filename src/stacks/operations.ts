import { Construct } from "constructs";
import type { TerraformVariable } from "cdktf";
import { Alarms } from "../constructs/alarms";
import type { OutputSpec } from "../constructs/foundation";
import { StartStopSchedule } from "../constructs/schedule";
import type { Workload } from "../constructs/workload";
import { type OperationsOptions, wantsAlarms } from "../operations/types";

/** What the operations features of a stack need. */
export interface OperationsProps {
  /** Prefix of every name. */
  namePrefix: string;
  /** The architecture's compute. */
  workload: Workload;
  /** Which features the deployment asked for. */
  options: OperationsOptions;
  /** The stack's variables (operationsVariableSpecs declared the ones used here). */
  vars: Record<string, TerraformVariable>;
  /** The app's log group, for the dashboard. */
  logGroupName: string;
}

/**
 * Alarms (with their topic and dashboard) and the start/stop schedule, each only when asked for. One construct
 * above them so their Terraform names read alarms_* and schedule_*.
 */
export class Operations extends Construct {
  /** Outputs the features add. */
  readonly outputs: Record<string, OutputSpec> = {};

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { vars, options } = props;
    const number = (name: string, fallback = 0): number => vars[name]?.numberValue ?? fallback;
    if (wantsAlarms(options)) {
      const alarms = new Alarms(this, "alarms", {
        namePrefix: props.namePrefix,
        workload: props.workload,
        alertEmail: vars.alert_email.stringValue,
        logGroupName: props.logGroupName,
        thresholds: {
          cpuPercent: number("alarm_cpu_percent"),
          memoryPercent: number("alarm_memory_percent"),
          error5xxPercent: number("alarm_5xx_percent"),
          p99Seconds: number("alarm_p99_seconds"),
          periodSeconds: number("alarm_period_seconds"),
          evaluationPeriods: number("alarm_evaluation_periods"),
        },
      });
      this.outputs.alert_topic_arn = { value: alarms.topicArn, description: "SNS topic the alarms notify (subscribe more endpoints here)" };
      this.outputs.alarm_names = {
        value: alarms.alarmNames.join(","),
        description: "CloudWatch alarms of the deployment, comma-separated",
      };
      this.outputs.dashboard_name = { value: props.namePrefix, description: "CloudWatch dashboard of the app" };
    }
    if (options.schedule) {
      const schedule = new StartStopSchedule(this, "schedule", {
        namePrefix: props.namePrefix,
        workload: props.workload,
        startCron: vars.schedule_start_cron.stringValue,
        stopCron: vars.schedule_stop_cron.stringValue,
        timeZone: vars.schedule_timezone.stringValue,
      });
      this.outputs.schedule_names = {
        value: `${schedule.scheduleNames.start},${schedule.scheduleNames.stop}`,
        description: "EventBridge Scheduler schedules that start and stop the app",
      };
    }
  }
}
