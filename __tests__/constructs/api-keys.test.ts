// Types of the CDKTF matchers registered in __tests__/setup.ts.
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { apiKeyParameters, generatedKeyPrefix, type ApiKeysConfig } from "../../src/constructs/api-keys";
import { deploymentName } from "../../src/constructs/naming";
import { WafArchitectureError } from "../../src/constructs/waf";
import { renderDeploymentFiles } from "../../src/deployment-folder";
import type { OperationsOptions } from "../../src/operations/types";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import { ARCHITECTURES, type Architecture } from "../../src/types";
import { appsUnderTest, REPO_ROOT } from "../helpers/apps";

const app = appsUnderTest()[0];
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";
const KMS = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

type Statement = { sid?: string; actions: string[]; resources: string[]; condition?: Array<{ variable: string; values: string[] }> };
type Doc = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, { statement?: Statement[] }>>;
  variable: Record<string, { default?: unknown }>;
  output: Record<string, { value: unknown }>;
};

function synth(arch: Architecture, operations?: OperationsOptions): { json: string; doc: Doc } {
  const json = Testing.synth(new DeploymentStack(Testing.app(), `${arch}_x`, { app, arch, imageUri: IMAGE, operations }));
  return { json, doc: JSON.parse(json) as Doc };
}

/** The statements of the policy document of one role (execution role on ECS, instance role on EC2). */
function roleStatements(doc: Doc, arch: Architecture): Statement[] {
  const name = arch === "ec2" ? "instance_role_permissions" : "fargate_execution_role_permissions";
  return doc.data.aws_iam_policy_document[name].statement ?? [];
}

const arn = (path: string) =>
  `arn:\${data.aws_partition.partition.partition}:ssm:\${data.aws_region.region_info.name}:\${data.aws_caller_identity.account.account_id}:parameter/${path}`;

describe.each(ARCHITECTURES)("API keys on %s", (arch) => {
  const name = deploymentName(arch, app.name);
  const prefix = generatedKeyPrefix(name);
  const keys: ApiKeysConfig = { prefix, generated: true };
  const plain = synth(arch);
  const withKeys = synth(arch, { apiKeys: keys });

  it("names the parameters /dds/<deployment-name>/api-keys/<scope>, the deployment's resource prefix", () => {
    expect(apiKeyParameters(prefix)).toEqual({ scoring: `/dds/${name}/api-keys/scoring`, labelling: `/dds/${name}/api-keys/labelling` });
    const named = arch === "ec2" ? withKeys.doc.resource.aws_instance.instance.tags : withKeys.doc.resource.aws_ecs_cluster.fargate_cluster;
    expect(JSON.stringify(named)).toContain(name);
    expect(withKeys.doc.output.api_key_parameter_scoring.value).toBe(`/dds/${name}/api-keys/scoring`);
    expect(withKeys.doc.output.api_key_parameter_labelling.value).toBe(`/dds/${name}/api-keys/labelling`);
  });

  it("the role reads exactly the two key parameters and nothing when keys are off", () => {
    const read = roleStatements(withKeys.doc, arch).filter((s) => s.sid === "ReadSecretParameters");
    expect(read.map((s) => s.resources)).toEqual([[arn(`dds/${name}/api-keys/scoring`), arn(`dds/${name}/api-keys/labelling`)]]);
    expect(roleStatements(withKeys.doc, arch).flatMap((s) => s.actions)).not.toContain("ssm:GetParametersByPath");
    expect(plain.json).not.toContain("ReadSecretParameters");
    expect(plain.json).not.toMatch(/FRAUDKIT_(SCORING|LABELLING)_KEYS|FRAUDKIT_REQUIRE_KEYS/);
  });

  it("no parameter value is read by Terraform: no aws_ssm_parameter resource or data source for the keys", () => {
    expect(withKeys.doc.resource.aws_ssm_parameter).toBeUndefined();
    const ssmData = (withKeys.doc.data as Record<string, Record<string, { name?: string }>>).aws_ssm_parameter ?? {};
    expect(Object.values(ssmData).map((d) => d.name)).not.toContainEqual(expect.stringContaining("api-keys"));
  });

  it("a customer managed key: decrypt only that key, only via SSM", () => {
    const cmk = synth(arch, { apiKeys: { ...keys, kmsKeyArn: KMS } });
    const decrypt = roleStatements(cmk.doc, arch).filter((s) => s.sid === "DecryptApiKeysWithTheirKey");
    expect(decrypt.map((s) => s.resources)).toEqual([[KMS]]);
    expect(decrypt[0].condition?.map((c) => c.variable)).toEqual(["kms:ViaService"]);
    expect(withKeys.json).not.toContain("DecryptApiKeysWithTheirKey");
  });

  // EC2's key file and its refresh: __tests__/constructs/ec2-api-keys.test.ts.
  if (arch !== "ec2") {
    it("the task definition gets both keys by ARN and FRAUDKIT_REQUIRE_KEYS=1", () => {
      const containers = withKeys.doc.resource.aws_ecs_task_definition.fargate_task.container_definitions as string;
      expect(containers).toContain(
        `"secrets" = [{"name" = "FRAUDKIT_SCORING_KEYS", "valueFrom" = "${arn(`dds/${name}/api-keys/scoring`)}"}, {"name" = "FRAUDKIT_LABELLING_KEYS", "valueFrom" = "${arn(`dds/${name}/api-keys/labelling`)}"}]`,
      );
      expect(containers).toContain(`{"name" = "FRAUDKIT_REQUIRE_KEYS", "value" = "1"}`);
      // The app itself (task role) never reads the keys: at most the state store's elasticache:Connect.
      const taskRoleDocs = Object.entries(withKeys.doc.data?.aws_iam_policy_document ?? {}).filter(([id]) => id.includes("task_role"));
      expect(JSON.stringify(taskRoleDocs)).not.toContain("ssm:");
    });
  }

  it("keeps --secret parameters next to the keys", () => {
    const both = synth(arch, { apiKeys: keys, secrets: [{ name: "DB_URL", parameter: "/fraud/db" }] });
    const read = roleStatements(both.doc, arch).find((s) => s.sid === "ReadSecretParameters");
    expect(read?.resources).toEqual([arn("fraud/db"), arn(`dds/${name}/api-keys/scoring`), arn(`dds/${name}/api-keys/labelling`)]);
  });
});

describe("no key value anywhere in the deployment folder", () => {
  it.each(ARCHITECTURES)("%s: main.tf and terraform.tfvars hold names, not values", (arch) => {
    const value = "ddsk_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const files = renderDeploymentFiles({
      repoRoot: REPO_ROOT,
      app,
      arch,
      imageUri: IMAGE,
      operations: { apiKeys: { prefix: generatedKeyPrefix(deploymentName(arch, app.name)), generated: true } },
    });
    const text = Object.values(files).join("\n");
    expect(text).toContain("api-keys/scoring");
    expect(text).not.toContain(value);
    // Nothing in the folder could hold a value: no ssm parameter resource, no value attribute, no tfvars entry.
    expect(text).not.toMatch(/resource "aws_ssm_parameter"|data "aws_ssm_parameter" "api/);
    expect(files["terraform.tfvars"]).not.toMatch(/key/i);
  });
});

describe("WAF rate limit", () => {
  const waf = synth("ecs_alb", { waf: true });

  it("adds a regional web ACL with a per-IP rate-based rule on the ALB, limit from a variable", () => {
    expect(waf.json).toHaveResourceWithProperties(Wafv2WebAcl, {
      scope: "REGIONAL",
      default_action: { allow: {} },
    });
    const acl = waf.doc.resource.aws_wafv2_web_acl.waf_web_acl as { rule: Array<{ statement: unknown; action: unknown }> };
    expect(acl.rule).toHaveLength(1);
    expect(acl.rule[0].statement).toEqual({ rate_based_statement: { limit: "${var.waf_rate_limit}", aggregate_key_type: "IP" } });
    expect(acl.rule[0].action).toEqual({ block: {} });
    expect(waf.json).toHaveResourceWithProperties(Wafv2WebAclAssociation, {
      resource_arn: "${aws_lb.alb.arn}",
      web_acl_arn: "${aws_wafv2_web_acl.waf_web_acl.arn}",
    });
    expect(waf.doc.variable.waf_rate_limit.default).toBe(3000);
  });

  it("the ALB's 'no WAF' checkov skip goes once the WAF is there; the Log4j one comes with it", () => {
    const hcl = (waf: boolean) =>
      renderDeploymentFiles({ repoRoot: REPO_ROOT, app, arch: "ecs_alb", imageUri: IMAGE, operations: { waf } })["main.tf"];
    expect(hcl(true)).not.toContain("checkov:skip=CKV2_AWS_28");
    expect(hcl(true)).toContain("checkov:skip=CKV2_AWS_76");
    expect(hcl(false)).toContain("checkov:skip=CKV2_AWS_28");
    expect(hcl(false)).not.toContain("checkov:skip=CKV2_AWS_76");
  });

  it("only when asked", () => {
    const plain = synth("ecs_alb");
    expect(plain.doc.resource.aws_wafv2_web_acl).toBeUndefined();
    expect(plain.doc.variable.waf_rate_limit).toBeUndefined();
  });

  it.each(["ec2", "ecs"] as const)("only on ECS + ALB: %s is refused with one line", (arch) => {
    expect(() => synth(arch, { waf: true })).toThrow(WafArchitectureError);
    expect(() => synth(arch, { waf: true })).toThrow(/^--waf needs --arch ecs-alb/);
  });
});
