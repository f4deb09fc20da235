// Types of the CDKTF matchers registered in __tests__/setup.ts.
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import type { StateStoreChoice } from "../../src/operations/state-store";
import { parseStateStore } from "../../src/operations/state-store";
import { ARCHITECTURES, type Architecture } from "../../src/types";
import { appsUnderTest } from "../helpers/apps";

const app = appsUnderTest().find((spec) => spec.name === "flask-xgboost-app") ?? appsUnderTest()[0]!;
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";

type Resources = Record<string, Record<string, Record<string, unknown>>>;
interface Doc {
  resource: Resources;
  data: Resources;
  variable: Record<string, { default?: unknown }>;
  output: Record<string, { value: unknown }>;
}

function synth(arch: Architecture, stateStore?: StateStoreChoice): { json: string; doc: Doc } {
  const options = { imageUri: IMAGE, operations: stateStore ? { stateStore } : undefined };
  const json = Testing.synth(new DeploymentStack(Testing.app(), `${arch}_x`, { ...options, app, arch }));
  return { json, doc: JSON.parse(json) as Doc };
}

const ref = (type: string, name: string, attribute: string) => `\${${type}.${name}.${attribute}}`;
const CACHE_SG = ref("aws_security_group", "state_store_security_group", "id");

/** The environment of the task definition's one container, as name -> value. */
function containerEnvironment(doc: Doc): Record<string, string> {
  const text = doc.resource.aws_ecs_task_definition.fargate_task.container_definitions as string;
  const pairs = [...text.matchAll(/\{"name" = "([A-Z_]+)", "value" = ((?:"[^"]*")|[^}]+)\}/g)];
  return Object.fromEntries(pairs.map(([, name, value]) => [name, value.trim().replace(/^"|"$/g, "")]));
}

/** Every statement of the IAM policy document `name`. */
function statements(doc: Doc, name: string): Array<{ actions: string[]; resources: string[] }> {
  return (doc.data.aws_iam_policy_document[name]?.statement ?? []) as Array<{ actions: string[]; resources: string[] }>;
}

function rulesOf(doc: Doc, kind: "ingress" | "egress", group: string): Array<Record<string, unknown>> {
  const rules = doc.resource[`aws_vpc_security_group_${kind}_rule`] ?? {};
  return Object.values(rules).filter((rule) => rule.security_group_id === group);
}

describe("ECS + ALB: an ElastiCache state store by default", () => {
  const { json, doc } = synth("ecs_alb");
  const group = doc.resource.aws_elasticache_replication_group.state_store_replication_group;

  test("Valkey, two nodes with automatic failover across zones, encrypted at rest with its own rotated key and in transit", () => {
    expect(json).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
      engine: "valkey",
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      transit_encryption_enabled: true,
      at_rest_encryption_enabled: "true",
      kms_key_id: ref("aws_kms_key", "state_store_key", "arn"),
      node_type: "${var.cache_node_type}",
      security_group_ids: [CACHE_SG],
      user_group_ids: [ref("aws_elasticache_user_group", "state_store_user_group", "user_group_id")],
    });
    expect(doc.resource.aws_kms_key.state_store_key.enable_key_rotation).toBe(true);
    expect(doc.variable.cache_node_type.default).toBe("cache.t4g.small");
    // IAM authentication: no AUTH token or password anywhere in the configuration.
    expect(group.auth_token).toBeUndefined();
    expect(json).not.toMatch(/"passwords"|auth_token"/);
  });

  test("in a subnet group of two private subnets, one per zone, whose route table leads nowhere", () => {
    const subnets = doc.resource.aws_subnet;
    expect(doc.resource.aws_elasticache_subnet_group.state_store_subnet_group.subnet_ids).toEqual([
      ref("aws_subnet", "network_private_0", "id"),
      ref("aws_subnet", "network_private_1", "id"),
    ]);
    expect([subnets.network_private_0.availability_zone, subnets.network_private_1.availability_zone]).toEqual([
      "${element(data.aws_availability_zones.network_zones.names, 0)}",
      "${element(data.aws_availability_zones.network_zones.names, 1)}",
    ]);
    const cidrs = Object.values(subnets).map((subnet) => subnet.cidr_block);
    expect(new Set(cidrs).size).toBe(4);
    expect(group.subnet_group_name).toBe(ref("aws_elasticache_subnet_group", "state_store_subnet_group", "name"));
    const routes = Object.values(doc.resource.aws_route ?? {});
    expect(routes.map((route) => route.route_table_id)).toEqual([ref("aws_route_table", "network_public_routes", "id")]);
  });

  test("reachable on 6379 from the tasks' security group only, and reaching nothing", () => {
    expect(rulesOf(doc, "ingress", CACHE_SG)).toEqual([
      expect.objectContaining({
        from_port: 6379,
        to_port: 6379,
        ip_protocol: "tcp",
        referenced_security_group_id: ref("aws_security_group", "tasks_security_group", "id"),
      }),
    ]);
    expect(rulesOf(doc, "ingress", CACHE_SG)[0]!.cidr_ipv4).toBeUndefined();
    expect(rulesOf(doc, "egress", CACHE_SG)).toEqual([]);
    const tasksOut = rulesOf(doc, "egress", ref("aws_security_group", "tasks_security_group", "id"));
    expect(tasksOut.filter((rule) => rule.from_port === 6379).map((rule) => rule.referenced_security_group_id)).toEqual([CACHE_SG]);
  });

  test("an IAM-authenticated user in the cache's user group, with a switched-off default user", () => {
    const users = doc.resource.aws_elasticache_user;
    expect(users.state_store_app_user).toMatchObject({ engine: "valkey", authentication_mode: { type: "iam" } });
    expect(users.state_store_app_user.user_id).toBe(users.state_store_app_user.user_name);
    expect(users.state_store_app_user.access_string).toBe("${var.cache_access_string}");
    expect(users.state_store_default_user).toMatchObject({ user_name: "default", access_string: "off -@all" });
    expect(doc.resource.aws_elasticache_user_group.state_store_user_group.user_ids).toEqual([
      ref("aws_elasticache_user", "state_store_default_user", "user_id"),
      ref("aws_elasticache_user", "state_store_app_user", "user_id"),
    ]);
  });

  test("the task role may elasticache:Connect to exactly this group as this user, nothing else", () => {
    expect(statements(doc, "fargate_task_role_permissions")).toEqual([
      expect.objectContaining({
        actions: ["elasticache:Connect"],
        resources: [
          ref("aws_elasticache_replication_group", "state_store_replication_group", "arn"),
          ref("aws_elasticache_user", "state_store_app_user", "arn"),
        ],
      }),
    ]);
    expect(doc.resource.aws_iam_role_policy.fargate_task_role_policy.role).toBe(ref("aws_iam_role", "fargate_task_role", "id"));
  });

  test("the container gets the store's TLS URL, the IAM settings and one worker per vCPU", () => {
    // Inside jsonencode(...) references are bare expressions, except within a string template.
    const bare = (type: string, name: string, attribute: string) => `${type}.${name}.${attribute}`;
    expect(containerEnvironment(doc)).toEqual({
      PORT: "8502",
      FRAUDKIT_STATE_STORE: `rediss://${ref("aws_elasticache_replication_group", "state_store_replication_group", "primary_endpoint_address")}:6379/0`,
      FRAUDKIT_STATE_STORE_IAM: "1",
      FRAUDKIT_STATE_STORE_USER: bare("aws_elasticache_user", "state_store_app_user", "user_name"),
      FRAUDKIT_STATE_STORE_CACHE_ID: bare("aws_elasticache_replication_group", "state_store_replication_group", "replication_group_id"),
      AWS_REGION: "var.region",
      FRAUDKIT_WORKERS: "tostring(max(1, floor((var.cpu / 1024))))",
    });
  });

  test("outputs name the store and its endpoint", () => {
    expect(Object.keys(doc.output)).toEqual(expect.arrayContaining(["state_store", "cache_endpoint", "cache_id", "cache_user"]));
    expect(doc.output.cache_endpoint.value).toBe(
      ref("aws_elasticache_replication_group", "state_store_replication_group", "primary_endpoint_address"),
    );
  });

  test("--state-store memory opts out: no cache, no private subnets, the in-process store of today", () => {
    const memory = synth("ecs_alb", { kind: "memory" }).doc;
    expect(Object.keys(memory.resource).filter((type) => type.startsWith("aws_elasticache"))).toEqual([]);
    expect(Object.keys(memory.resource.aws_subnet)).toEqual(["network_public_0", "network_public_1"]);
    expect(containerEnvironment(memory)).toEqual({ PORT: "8502" });
    expect(memory.variable.cache_node_type).toBeUndefined();
    expect(memory.output.state_store.value).toBe("memory");
  });
});

describe.each(["ec2", "ecs"] as const)("%s: in-process unless asked", (arch) => {
  const plain = synth(arch).doc;
  const cached = synth(arch, { kind: "elasticache" });

  test("no cache, no private subnet and no store variable by default", () => {
    expect(Object.keys(plain.resource).filter((type) => type.startsWith("aws_elasticache"))).toEqual([]);
    expect(Object.keys(plain.resource.aws_subnet)).toEqual(["network_public_0", "network_public_1"]);
    expect(plain.variable.cache_node_type).toBeUndefined();
  });

  test("--state-store elasticache creates the same replication group, reachable from this compute's group only", () => {
    expect(cached.json).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      transit_encryption_enabled: true,
      at_rest_encryption_enabled: "true",
    });
    const compute = arch === "ec2" ? "security_group" : "tasks_security_group";
    expect(rulesOf(cached.doc, "ingress", CACHE_SG).map((rule) => rule.referenced_security_group_id)).toEqual([
      ref("aws_security_group", compute, "id"),
    ]);
    const role = arch === "ec2" ? "instance_role_permissions" : "fargate_task_role_permissions";
    expect(statements(cached.doc, role).filter((s) => s.actions.includes("elasticache:Connect"))).toHaveLength(1);
  });

  if (arch === "ec2") {
    test("the in-process store snapshots to a host folder the container mounts; a shared one gets a worker per vCPU", () => {
      const userData = plain.resource.aws_instance.instance.user_data as string;
      expect(userData).toContain("install -d -o 10001 -g 10001 -m 0700 /var/lib/fraudkit\n");
      expect(userData).toContain("-v /var/lib/fraudkit:/var/lib/fraudkit");
      expect(userData).toMatch(/-e FRAUDKIT_STATE_SNAPSHOT='?\/var\/lib\/fraudkit\/state\.npz'?/);
      expect(userData).toContain("--stop-timeout 30");
      const shared = cached.doc.resource.aws_instance.instance.user_data as string;
      expect(shared).not.toContain("FRAUDKIT_STATE_SNAPSHOT");
      expect(shared).toContain('export FRAUDKIT_WORKERS="$(nproc)"');
      expect(shared).toContain("-e FRAUDKIT_WORKERS");
      expect(shared).toMatch(/-e FRAUDKIT_STATE_STORE='?[^ ]*rediss:\/\/\$\{[^ ]*aws_elasticache_replication_group/);
      expect(shared).toMatch(/-e FRAUDKIT_STATE_STORE_IAM='?1'?/);
    });
  } else {
    test("the in-process store leaves the container's environment as it was", () => {
      expect(containerEnvironment(plain)).toEqual({ PORT: "8502" });
    });
  }

  test("an existing URL: its port is opened outbound, its password comes from SSM by name", () => {
    const { doc, json } = synth(arch, parseStateStore("redis://10.1.2.3:6380/1", "/fraud/redis-password"));
    expect(Object.keys(doc.resource).filter((type) => type.startsWith("aws_elasticache"))).toEqual([]);
    const compute = arch === "ec2" ? "security_group" : "tasks_security_group";
    expect(rulesOf(doc, "egress", ref("aws_security_group", compute, "id")).map((rule) => [rule.from_port, rule.cidr_ipv4])).toEqual(
      expect.arrayContaining([[6380, "0.0.0.0/0"]]),
    );
    expect(json).toContain("parameter/fraud/redis-password");
    if (arch === "ec2") {
      const userData = doc.resource.aws_instance.instance.user_data as string;
      expect(userData).toMatch(
        /export FRAUDKIT_STATE_STORE_PASSWORD="\$\(aws ssm get-parameter --region "\$REGION" --name '?\/fraud\/redis-password'?/,
      );
      expect(userData).toMatch(/-e FRAUDKIT_STATE_STORE='?redis:\/\/10\.1\.2\.3:6380\/1'?/);
    } else {
      expect(containerEnvironment(doc).FRAUDKIT_STATE_STORE).toBe("redis://10.1.2.3:6380/1");
      const containers = doc.resource.aws_ecs_task_definition.fargate_task.container_definitions as string;
      expect(containers).toMatch(/"name" = "FRAUDKIT_STATE_STORE_PASSWORD", "valueFrom" = "arn:[^"]+parameter\/fraud\/redis-password"/);
    }
  });
});

test.each(ARCHITECTURES)("%s: every store variant synthesizes with an output naming the store", (arch) => {
  for (const choice of [undefined, { kind: "memory" } as const, { kind: "elasticache" } as const]) {
    expect(String(synth(arch, choice).doc.output.state_store.value)).toMatch(/^(memory|rediss:\/\/)/);
  }
});
