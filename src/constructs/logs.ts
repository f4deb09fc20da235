import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { skipCheck } from "./checkov";

/** Settings of the app's log group. */
export interface AppLogsProps {
  /** Log group name, e.g. "/dds/ecs_alb/flask-cnn-app-py39". */
  name: string;
  /** Days to keep logs (Terraform variable log_retention_days). */
  retentionDays: number;
}

/** The CloudWatch log group the container writes to, with a retention so logs never pile up. */
export class AppLogs extends Construct {
  /** The log group's name. */
  readonly name: string;
  /** The log group's ARN. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AppLogsProps) {
    super(scope, id);
    const group = new CloudwatchLogGroup(this, "group", { name: props.name, retentionInDays: props.retentionDays });
    skipCheck(group, "CKV_AWS_158", "encrypted at rest by CloudWatch; a customer KMS key per deployment adds cost and outlives destroy");
    skipCheck(group, "CKV_AWS_338", "retention is a variable (default 14 days, as terraform-aws-modules); a year is the user's choice");
    this.name = group.name;
    this.arn = group.arn;
  }
}
