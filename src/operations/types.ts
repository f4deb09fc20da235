import type { ScheduleWindow } from "./schedule";
import type { SecretRef } from "./secrets";
import type { StateStoreChoice } from "./state-store";

/** The operations features of one deployment, each off unless asked for (issue 7). */
export interface OperationsOptions {
  /** CloudWatch alarms, an encrypted SNS topic and a dashboard. */
  alarms?: boolean;
  /** Default of the alert_email variable: an e-mail subscription to the alarm topic (implies alarms). */
  alertEmail?: string;
  /** Stop outside this window (EC2 instance stopped, ECS scaled to zero). */
  schedule?: ScheduleWindow;
  /** SSM parameters injected as environment variables. */
  secrets?: SecretRef[];
  /** Environment name in resource names, tags and the folder name. */
  environment?: string;
  /** Where the apps keep their online state (--state-store); absent: the architecture's default. */
  stateStore?: StateStoreChoice;
}

/** True when the deployment gets alarms (asked for, or implied by an alert e-mail). */
export function wantsAlarms(ops: OperationsOptions | undefined): boolean {
  return Boolean(ops?.alarms || ops?.alertEmail);
}
