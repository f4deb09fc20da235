// Types of the CDKTF matchers registered in __tests__/setup.ts.
import "cdktf/lib/testing/adapters/jest";
import { App, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Image } from "@cdktf/provider-docker/lib/image";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import { addStacks, parseArchitecture, stackName, UnknownArchitectureError } from "../../src/stacks/factory";
import { ARCHITECTURES, type AppSpec, type Architecture } from "../../src/types";
import { appsUnderTest } from "../helpers/apps";

const apps = appsUnderTest();
const cases = ARCHITECTURES.flatMap((arch) => apps.map((app) => [arch, app.name, app] as const));
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";

/** The synthesized JSON of one stack. */
function synth(app: AppSpec, arch: Architecture, imageUri?: string): string {
  return Testing.synth(new DeploymentStack(Testing.app(), stackName(arch, app), { app, arch, imageUri }));
}

describe.each(cases)("%s_%s", (arch, _name, app) => {
  const json = synth(app, arch, IMAGE);
  const doc = JSON.parse(json);

  it("is valid JSON with no absolute path of this machine", () => {
    expect(json).not.toContain(process.cwd());
    expect(json).not.toMatch(/"\/(home|root|tmp|work|Users)\//);
    expect(doc.terraform.backend.local.path).toBe("terraform.tfstate");
  });

  it("pins the aws provider by its full source and tags everything", () => {
    expect(doc.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "5.100.0" });
    expect(doc.provider.aws).toHaveLength(1);
    expect(doc.provider.aws[0].alias).toBeUndefined(); // plain block: a provider_override.tf can merge into it
    expect(doc.provider.aws[0].default_tags[0].tags).toEqual({
      app: app.name,
      architecture: arch,
      "managed-by": "dynamic-aws-deployment-system",
    });
  });

  it("has an ECR repository that destroy can delete and a log group with retention", () => {
    expect(json).toHaveResourceWithProperties(EcrRepository, { force_delete: true, image_scanning_configuration: { scan_on_push: true } });
    expect(json).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: "${var.log_retention_days}" });
    expect(doc.variable.log_retention_days.default).toBe(14);
  });

  it("declares typed, described variables and the shared outputs", () => {
    for (const [name, spec] of Object.entries(doc.variable as Record<string, { type: string; description: string }>)) {
      expect([name, typeof spec.type, spec.description.length > 0]).toEqual([name, "string", true]);
    }
    expect(Object.keys(doc.output)).toEqual(expect.arrayContaining(["app_url", "log_group_name", "ecr_repository_url", "health_path"]));
    expect(doc.output.health_path.value).toBe(app.healthPath);
    expect(doc.variable.image_uri.default).toBe(IMAGE);
  });

  if (arch === "ec2") {
    it("runs one hardened instance", () => {
      expect(json).toHaveResourceWithProperties(Instance, {
        instance_type: "${var.instance_type}",
        metadata_options: { http_tokens: "required", http_endpoint: "enabled", http_put_response_hop_limit: 1 },
        root_block_device: {
          encrypted: true,
          volume_size: "${var.root_volume_size}",
          volume_type: "gp3",
          delete_on_termination: true,
          tags: { Name: `ec2-${app.name}`.replace(/_/g, "-"), app: app.name, architecture: "ec2" },
        },
      });
      expect(doc.variable.instance_type.default).toBe("t3.xlarge");
      expect(doc.variable.ssh_cidr.default).toBe(""); // no SSH unless asked for
      expect(doc.resource.aws_vpc_security_group_ingress_rule.security_group_in_ssh.count).toMatch(/length\(var.ssh_cidr\) >= 1/);
      expect(doc.resource.aws_instance.instance.user_data).toContain(`-p ${app.port}:${app.port}`);
      expect(doc.resource.aws_instance.instance.user_data).toContain("--restart unless-stopped");
      expect(Object.keys(doc.output)).toEqual(expect.arrayContaining(["public_ip", "instance_id"]));
    });
  } else {
    it("runs a Fargate service with circuit breaker, ignored desired_count and a container health check", () => {
      expect(json).toHaveResourceWithProperties(EcsService, {
        launch_type: "FARGATE",
        deployment_circuit_breaker: { enable: true, rollback: true },
        lifecycle: { ignore_changes: ["desired_count"] },
        network_configuration: expect.objectContaining({ assign_public_ip: true }),
      });
      expect(json).toHaveResourceWithProperties(EcsTaskDefinition, { network_mode: "awsvpc", cpu: "${var.cpu}", memory: "${var.memory}" });
      expect(doc.variable.cpu.default).toBe(app.resources.cpu);
      expect(doc.variable.memory.default).toBe(app.resources.memory);
      const containers = doc.resource.aws_ecs_task_definition.fargate_task.container_definitions as string;
      expect(containers).toContain(`${app.port}${app.healthPath}`);
      expect(Object.keys(doc.output)).toEqual(expect.arrayContaining(["cluster_name", "service_name"]));
    });
  }

  if (arch === "ecs_alb") {
    it("puts the service behind an ALB with ip targets, health checks and CPU auto-scaling 2..10", () => {
      expect(json).toHaveResourceWithProperties(Lb, {
        enable_deletion_protection: false,
        internal: false,
        load_balancer_type: "application",
      });
      expect(json).toHaveResourceWithProperties(LbTargetGroup, {
        target_type: "ip",
        port: app.port,
        health_check: expect.objectContaining({ path: app.healthPath, interval: 30, matcher: "200" }),
      });
      expect(json).toHaveResourceWithProperties(EcsService, { health_check_grace_period_seconds: "${var.health_check_grace_period}" });
      expect(json).toHaveResourceWithProperties(AppautoscalingTarget, {
        min_capacity: "${var.min_count}",
        max_capacity: "${var.max_count}",
      });
      expect(json).toHaveResourceWithProperties(AppautoscalingPolicy, {
        target_tracking_scaling_policy_configuration: expect.objectContaining({ target_value: "${var.cpu_target}" }),
      });
      expect([doc.variable.min_count.default, doc.variable.max_count.default, doc.variable.cpu_target.default]).toEqual([2, 10, 75]);
      expect(doc.resource.aws_lb_target_group.targets.name.length).toBeLessThanOrEqual(32);
      // Tasks accept traffic from the ALB's security group only.
      const ingress = Object.values(doc.resource.aws_vpc_security_group_ingress_rule) as Array<Record<string, unknown>>;
      expect(ingress.filter((rule) => rule.from_port === app.port).map((rule) => rule.referenced_security_group_id)).toEqual([
        "${aws_security_group.alb_security_group.id}",
      ]);
      expect(doc.output.app_url.value).toContain("aws_lb.alb.dns_name");
    });
  }

  it("builds the app's Dockerfile for linux/amd64 in the docker form", () => {
    const docker = synth(app, arch);
    // The dockerfile is below the absolute context: docker provider 3.x resolves a relative one from terraform's cwd.
    expect(docker).toHaveResourceWithProperties(Image, {
      platform: "linux/amd64",
      build: expect.objectContaining({
        context: "${local.image_docker_build_context}",
        dockerfile: `\${local.image_docker_build_context}/${app.dockerfile}`,
        build_args: { APP: app.name, PYTHON_VERSION: app.pythonVersion },
        platform: "linux/amd64",
      }),
    });
    const doc = JSON.parse(docker);
    expect(doc.locals.image_docker_build_context).toBe('${abspath("${path.module}/../../../apps")}');
    expect(doc.variable.image_uri).toBeUndefined();
  });

  it("keeps pushed images and expires all but the newest image_keep_count", () => {
    const doc = JSON.parse(synth(app, arch));
    expect(doc.terraform.required_providers.docker).toEqual({ source: "kreuzwerker/docker", version: "3.6.2" });
    expect(Object.values(doc.resource.docker_registry_image)).toEqual([expect.objectContaining({ keep_remotely: true })]);
    expect(doc.variable.image_keep_count.default).toBe(10);
    const [policy] = Object.values(doc.resource.aws_ecr_lifecycle_policy) as Array<{ policy: string }>;
    expect(policy.policy).toContain(`"countNumber" = var.image_keep_count`);
    // registry_auth comes from values known at the first plan (the account id), not the new repository's registry_id.
    expect(doc.data.aws_ecr_authorization_token.image_ecr_token.registry_id).toBe("${data.aws_caller_identity.account.account_id}");
  });
});

describe("stack factory", () => {
  it("names stacks <arch>_<app>", () => {
    expect(stackName("ecs_alb", "flask-cnn-app-py39")).toBe("ecs_alb_flask-cnn-app-py39");
  });

  it.each([
    ["ec2", "ec2"],
    ["ECS", "ecs"],
    ["ecs-alb", "ecs_alb"],
    [" ecs_alb ", "ecs_alb"],
  ])("parses %j as %s", (text, arch) => {
    expect(parseArchitecture(text)).toBe(arch);
  });

  it.each(["lambda", "", "ecs alb"])("rejects %j with the valid names", (text) => {
    expect(() => parseArchitecture(text)).toThrow(UnknownArchitectureError);
    expect(() => parseArchitecture(text)).toThrow(/valid architectures: ec2, ecs, ecs_alb/);
  });

  it("adds one stack per (architecture, app)", () => {
    const stacks = addStacks(new App(), apps, ARCHITECTURES, { imageUri: IMAGE });
    expect(stacks.map((s) => s.node.id)).toEqual(ARCHITECTURES.flatMap((arch) => apps.map((app) => stackName(arch, app))));
  });
});
