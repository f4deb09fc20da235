// Types of the CDKTF matchers registered in __tests__/setup.ts.
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { renderDeploymentFiles, deploymentDirName } from "../../src/deployment-folder";
import { parseSchedule } from "../../src/operations/schedule";
import type { OperationsOptions } from "../../src/operations/types";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import { ARCHITECTURES, type Architecture } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";

const app = appsUnderTest()[0];
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";
const EVERYTHING: OperationsOptions = {
  alarms: true,
  alertEmail: "ops@example.com",
  schedule: parseSchedule("mon-fri 08:00-19:00 Europe/Paris"),
  secrets: [
    { name: "API_KEY", parameter: "/fraud/api-key" },
    { name: "DB_URL", parameter: "fraud/db" },
  ],
  environment: "dev",
};

type Doc = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  variable: Record<string, { default?: unknown }>;
  output: Record<string, unknown>;
};

function synth(arch: Architecture, operations?: OperationsOptions): { json: string; doc: Doc } {
  const json = Testing.synth(new DeploymentStack(Testing.app(), `${arch}_x`, { app, arch, imageUri: IMAGE, operations }));
  return { json, doc: JSON.parse(json) as Doc };
}

/** Every IAM policy document statement in the stack, by Terraform name. */
function statements(doc: Doc): Array<{ sid?: string; actions: string[]; resources: string[]; condition?: unknown[] }> {
  const documents = (doc as unknown as { data: Record<string, Record<string, { statement?: unknown[] }>> }).data.aws_iam_policy_document;
  return Object.values(documents).flatMap((d) => (d.statement ?? []) as Array<{ sid?: string; actions: string[]; resources: string[] }>);
}

describe.each(ARCHITECTURES)("operations on %s", (arch) => {
  const plain = synth(arch);
  const all = synth(arch, EVERYTHING);

  it("adds nothing unless asked", () => {
    for (const type of [
      "aws_sns_topic",
      "aws_cloudwatch_metric_alarm",
      "aws_cloudwatch_dashboard",
      "aws_scheduler_schedule",
      "aws_kms_key",
    ]) {
      // ECS + ALB's default state store has a key of its own; it is not an operations feature.
      expect(Object.keys(plain.doc.resource[type] ?? {}).filter((name) => !name.startsWith("state_store_"))).toEqual([]);
    }
    expect(plain.json).not.toContain("ssm:GetParameter");
    expect(Object.keys(plain.doc.variable).filter((name) => name.startsWith("alarm_") || name.startsWith("schedule_"))).toEqual([]);
    expect(plain.json).not.toContain('"environment":');
  });

  it("alarms notify an encrypted topic with an optional e-mail subscription, and a dashboard graphs them", () => {
    expect(all.json).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: "${aws_kms_key.alarms_key.arn}" });
    expect(all.json).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "${var.alert_email}" });
    expect(all.doc.resource.aws_sns_topic_subscription.alarms_email.count).toMatch(/length\(var.alert_email\) >= 1/);
    expect(all.doc.variable.alert_email.default).toBe("ops@example.com");
    expect(all.doc.resource.aws_kms_key.alarms_key.enable_key_rotation).toBe(true);
    const alarms = Object.values(all.doc.resource.aws_cloudwatch_metric_alarm);
    for (const alarm of alarms) {
      expect(alarm.alarm_actions).toEqual(["${aws_sns_topic.alarms_topic.arn}"]);
      expect(alarm.evaluation_periods).toBe("${var.alarm_evaluation_periods}");
    }
    const expected = {
      ec2: ["status_check_failed", "cpu_high"],
      ecs: ["tasks_below_desired", "cpu_high", "memory_high"],
      ecs_alb: ["tasks_below_desired", "cpu_high", "memory_high", "unhealthy_targets", "http_5xx_rate", "response_time_p99"],
    }[arch];
    expect(Object.keys(all.doc.resource.aws_cloudwatch_metric_alarm).sort()).toEqual(expected.map((id) => `alarms_${id}`).sort());
    expect(all.json).toHaveResourceWithProperties(CloudwatchDashboard, {
      dashboard_name: `${arch.replace("_", "-")}-${app.name}-dev`.replace(/_/g, "-"),
    });
    const cpu = all.doc.resource.aws_cloudwatch_metric_alarm.alarms_cpu_high;
    expect(cpu.threshold).toBe("${var.alarm_cpu_percent}");
    expect(cpu.dimensions).toEqual(
      arch === "ec2"
        ? { InstanceId: "${aws_instance.instance.id}" }
        : expect.objectContaining({ ServiceName: "${aws_ecs_service.fargate_service.name}" }),
    );
  });

  if (arch === "ecs_alb") {
    it("watches the load balancer: unhealthy targets, 5xx rate by metric math, p99 latency", () => {
      const alarms = all.doc.resource.aws_cloudwatch_metric_alarm;
      expect(alarms.alarms_unhealthy_targets.dimensions).toEqual({
        LoadBalancer: "${aws_lb.alb.arn_suffix}",
        TargetGroup: "${aws_lb_target_group.targets.arn_suffix}",
      });
      expect(alarms.alarms_response_time_p99.extended_statistic).toBe("p99");
      const queries = alarms.alarms_http_5xx_rate.metric_query as Array<{ id: string; return_data: boolean }>;
      expect(queries.map((q) => [q.id, q.return_data])).toEqual([
        ["result", true],
        ["requests", false],
        ["target5xx", false],
        ["elb5xx", false],
      ]);
    });
  }

  it("start/stop schedules use the crons as variables and a role allowed exactly its calls", () => {
    expect(all.json).toHaveResourceWithProperties(SchedulerSchedule, {
      schedule_expression: "${var.schedule_start_cron}",
      schedule_expression_timezone: "${var.schedule_timezone}",
    });
    expect(all.doc.variable.schedule_start_cron.default).toBe("cron(0 8 ? * MON-FRI *)");
    expect(all.doc.variable.schedule_stop_cron.default).toBe("cron(0 19 ? * MON-FRI *)");
    expect(all.doc.variable.schedule_timezone.default).toBe("Europe/Paris");
    const stop = all.doc.resource.aws_scheduler_schedule.schedule_stop.target as { arn: string; input: string; role_arn: string };
    const start = all.doc.resource.aws_scheduler_schedule.schedule_start.target as { arn: string; input: string };
    expect(stop.role_arn).toBe("${aws_iam_role.schedule_role.arn}");
    // Confused-deputy guard: only this account's schedules may assume the role.
    const trust = (all.doc as unknown as { data: Record<string, Record<string, { statement: unknown[] }>> }).data.aws_iam_policy_document
      .schedule_role_trust.statement[0] as { principals: Array<{ identifiers: string[] }>; condition?: unknown[] };
    expect(trust.principals[0].identifiers).toEqual(["scheduler.amazonaws.com"]);
    expect(trust.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["${data.aws_caller_identity.account.account_id}"] },
    ]);
    const scheduler = statements(all.doc).filter((s) => ["StartStopInstance", "ScaleService", "MoveScalingBounds"].includes(s.sid ?? ""));
    if (arch === "ec2") {
      expect(stop.arn).toBe("arn:aws:scheduler:::aws-sdk:ec2:stopInstances");
      expect(start.arn).toBe("arn:aws:scheduler:::aws-sdk:ec2:startInstances");
      expect(scheduler).toEqual([
        expect.objectContaining({ actions: ["ec2:StartInstances", "ec2:StopInstances"], resources: ["${aws_instance.instance.arn}"] }),
      ]);
    } else if (arch === "ecs") {
      expect(stop.arn).toBe("arn:aws:scheduler:::aws-sdk:ecs:updateService");
      expect(stop.input).toContain('"DesiredCount" = 0');
      expect(start.input).toContain('"DesiredCount" = var.desired_count');
      expect(scheduler).toEqual([
        expect.objectContaining({ actions: ["ecs:UpdateService"], resources: ["${aws_ecs_service.fargate_service.id}"] }),
      ]);
    } else {
      // The scaler owns the desired count: the schedule moves its bounds, or it would start the tasks again.
      expect(stop.arn).toBe("arn:aws:scheduler:::aws-sdk:applicationautoscaling:registerScalableTarget");
      expect(stop.input).toMatch(/"MinCapacity" = 0, "MaxCapacity" = 0/);
      expect(start.input).toMatch(/"MinCapacity" = var.min_count, "MaxCapacity" = var.max_count/);
      expect(scheduler.map((s) => s.resources)).toEqual([
        ["${aws_appautoscaling_target.scaling_target.arn}"],
        ["${aws_ecs_service.fargate_service.id}"],
      ]);
    }
  });

  it("secrets: the runtime role reads exactly those parameter ARNs, decrypts only via SSM, and only names reach Terraform", () => {
    const read = statements(all.doc).filter((s) => s.sid === "ReadSecretParameters");
    expect(read).toHaveLength(1);
    const arn = (path: string) =>
      `arn:\${data.aws_partition.partition.partition}:ssm:\${data.aws_region.region_info.name}:\${data.aws_caller_identity.account.account_id}:parameter/${path}`;
    expect(read[0].resources).toEqual([arn("fraud/api-key"), arn("fraud/db")]);
    const decrypt = statements(all.doc).find((s) => s.sid === "DecryptSecureStringsViaSsm");
    expect(JSON.stringify(decrypt?.condition)).toContain("kms:ViaService");
    if (arch === "ec2") {
      const userData = all.doc.resource.aws_instance.instance.user_data as string;
      expect(userData).toContain('export API_KEY="$(aws ssm get-parameter --region "$REGION" --name /fraud/api-key --with-decryption');
      expect(userData).toContain(`REGION='\${replace(var.region, "'", "'\\\\''")}'`);
      expect(userData).toMatch(/-e API_KEY -e DB_URL \\\n {2}"\$IMAGE"/);
      expect(userData).not.toMatch(/set -x|echo "\$API_KEY"/);
    } else {
      const containers = all.doc.resource.aws_ecs_task_definition.fargate_task.container_definitions as string;
      expect(containers).toContain(`"secrets" = [{"name" = "API_KEY", "valueFrom" = "${arn("fraud/api-key")}"}`);
      // The execution role (the agent) reads them; the app's own task role never does.
      expect(Object.keys(all.doc.resource.aws_iam_role_policy)).toContain("fargate_execution_role_policy");
      const data = (all.doc as unknown as { data: Record<string, Record<string, unknown>> }).data.aws_iam_policy_document;
      expect(JSON.stringify(data.fargate_task_role_permissions ?? {})).not.toContain("ssm:");
    }
  });

  it("an environment goes into names and tags, so two environments never collide", () => {
    const tags = (all.doc as unknown as { provider: { aws: Array<{ default_tags: Array<{ tags: Record<string, string> }> }> } }).provider
      .aws[0].default_tags[0].tags;
    expect(tags).toEqual({ app: app.name, architecture: arch, environment: "dev", "managed-by": "dynamic-aws-deployment-system" });
    expect(all.json).toContain(`"/dds/${arch}/${app.name}/dev"`);
    expect(all.doc.resource.aws_ecr_repository.image_repository.name).toBe(`${app.name}/${arch}/dev`.toLowerCase());
    const prod = synth(arch, { environment: "prod" });
    expect(prod.doc.resource.aws_ecr_repository.image_repository.name).not.toBe(all.doc.resource.aws_ecr_repository.image_repository.name);
  });
});

describe("deployment folders with operations", () => {
  it("names an environment's folder deployment_<arch>_<app>_<env> and keeps the seed's name without one", () => {
    expect(deploymentDirName("ecs_alb", "flask-cnn-app-py39", "staging")).toBe("deployment_ecs_alb_flask-cnn-app-py39_staging");
    expect(deploymentDirName("ecs_alb", "flask-cnn-app-py39")).toBe("deployment_ecs_alb_flask-cnn-app-py39");
  });

  it("writes the S3 backend (with its lock table and a key per deployment) to backend.tf, not main.tf", () => {
    const files = renderDeploymentFiles({
      repoRoot: REPO_ROOT,
      app,
      arch: "ecs",
      imageUri: IMAGE,
      operations: { environment: "prod" },
      s3Backend: { bucket: "team-tfstate", dynamodbTable: "terraform-locks" },
      outDir: "/tmp/none",
    });
    expect(files["backend.tf"]).toMatch(/backend "s3" \{[^}]*bucket\s+= "team-tfstate"/);
    expect(files["backend.tf"]).toContain(`key            = "ecs_${app.name}_prod/terraform.tfstate"`);
    expect(files["backend.tf"]).toMatch(/dynamodb_table = "terraform-locks"/);
    expect(files["backend.tf"]).toMatch(/encrypt\s+= true/);
    expect(files["main.tf"]).not.toContain("backend ");
    const local = renderDeploymentFiles({ repoRoot: REPO_ROOT, app, arch: "ecs", imageUri: IMAGE, outDir: "/tmp/none" });
    expect(local["backend.tf"]).toBeUndefined();
    expect(local["main.tf"]).toContain('backend "local"');
  });

  it("accepts tfvars for the operations variables only when the feature is on", () => {
    const base = { repoRoot: REPO_ROOT, app, arch: "ecs" as const, imageUri: IMAGE, outDir: "/tmp/none" };
    expect(() => renderDeploymentFiles({ ...base, variables: { alarm_cpu_percent: 90 } })).toThrow(/unknown Terraform variable/);
    expect(
      renderDeploymentFiles({ ...base, operations: { alarms: true }, variables: { alarm_cpu_percent: 90 } })["terraform.tfvars"],
    ).toContain("alarm_cpu_percent = 90");
  });
});
