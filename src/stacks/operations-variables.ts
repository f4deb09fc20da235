import { scheduleCrons } from "../operations/schedule";
import { type OperationsOptions, wantsAlarms } from "../operations/types";
import { architecture } from "../architectures";
import type { ArchitectureAlarmVariable } from "../architectures/definition";
import type { Architecture } from "../types";
import { atLeast, type VariableSpec } from "./variable-spec";

/** Default alarm thresholds (documented in the README): sustained, not momentary, trouble. */
export const ALARM_DEFAULTS = {
  cpuPercent: 80,
  memoryPercent: 85,
  error5xxPercent: 5,
  p99Seconds: 2,
  periodSeconds: 60,
  evaluationPeriods: 5,
} as const;

/** The thresholds only some architectures have (their definitions list which), in main.tf order. */
const ARCHITECTURE_ALARMS: Record<ArchitectureAlarmVariable, VariableSpec> = {
  alarm_memory_percent: {
    type: "number",
    description: "Average memory % that raises the memory_high alarm",
    default: ALARM_DEFAULTS.memoryPercent,
    validation: atLeast("alarm_memory_percent", 1),
  },
  alarm_5xx_percent: {
    type: "number",
    description: "Share of requests answered 5xx (%) that raises the http_5xx_rate alarm",
    default: ALARM_DEFAULTS.error5xxPercent,
    validation: atLeast("alarm_5xx_percent", 0),
  },
  alarm_p99_seconds: {
    type: "number",
    description: "p99 response time (seconds) that raises the response_time_p99 alarm",
    default: ALARM_DEFAULTS.p99Seconds,
    validation: atLeast("alarm_p99_seconds", 0),
  },
};

/** A simple e-mail shape; SNS itself sends the confirmation that proves the address. */
const EMAIL = `var.alert_email == "" || can(regex("^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$", var.alert_email))`;

/**
 * The Terraform variables of the operations features a deployment asked for (none when it asked for none):
 * alarm thresholds and the alert e-mail, and the schedule's crons and time zone, so each can be changed in
 * terraform.tfvars without regenerating the folder.
 */
export function operationsVariableSpecs(arch: Architecture, ops: OperationsOptions | undefined): Record<string, VariableSpec> {
  const specs: Record<string, VariableSpec> = {};
  if (wantsAlarms(ops)) {
    specs.alert_email = {
      type: "string",
      description: "E-mail address subscribed to the alarm topic (SNS sends a confirmation first); empty for none",
      default: ops?.alertEmail ?? "",
      validation: { condition: EMAIL, errorMessage: "alert_email must be an e-mail address or empty." },
    };
    specs.alarm_cpu_percent = {
      type: "number",
      description: "Average CPU % that raises the cpu_high alarm",
      default: ALARM_DEFAULTS.cpuPercent,
      validation: atLeast("alarm_cpu_percent", 1),
    };
    const own = architecture(arch).alarmVariables;
    for (const [name, spec] of Object.entries(ARCHITECTURE_ALARMS)) if (own.includes(name as ArchitectureAlarmVariable)) specs[name] = spec;
    specs.alarm_period_seconds = {
      type: "number",
      description: "Seconds per alarm datapoint (a multiple of 60)",
      default: ALARM_DEFAULTS.periodSeconds,
      validation: {
        condition: "var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0",
        errorMessage: "alarm_period_seconds must be a multiple of 60.",
      },
    };
    specs.alarm_evaluation_periods = {
      type: "number",
      description: "Consecutive breaching datapoints before an alarm fires",
      default: ALARM_DEFAULTS.evaluationPeriods,
      validation: atLeast("alarm_evaluation_periods", 1),
    };
  }
  if (ops?.schedule) {
    const crons = scheduleCrons(ops.schedule);
    const cron = (name: string) => ({
      condition: `can(regex("^cron\\\\(.+\\\\)$", var.${name}))`,
      errorMessage: `${name} must be an EventBridge Scheduler cron(...) expression.`,
    });
    specs.schedule_start_cron = {
      type: "string",
      description: `When the app starts (from --schedule "${ops.schedule.text}")`,
      default: crons.start,
      validation: cron("schedule_start_cron"),
    };
    specs.schedule_stop_cron = {
      type: "string",
      description: "When the app stops (EC2 instance stopped, ECS scaled to zero)",
      default: crons.stop,
      validation: cron("schedule_stop_cron"),
    };
    specs.schedule_timezone = { type: "string", description: "IANA time zone of both crons", default: ops.schedule.timeZone };
  }
  return specs;
}
