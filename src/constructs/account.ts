import { Construct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { TerraformStack } from "cdktf";

/** Partition, region and account of the provider, for building ARNs of resources the stack does not create. */
export interface AccountContext {
  /** "aws", "aws-cn", ... */
  partition: string;
  /** Region name. */
  region: string;
  /** Account id. */
  accountId: string;
}

/**
 * The stack's one set of partition / region / account data sources, created on first use, so every construct
 * that needs an ARN prefix shares them (Terraform names: partition, region_info, account).
 */
export function accountContext(scope: Construct): AccountContext {
  const stack = TerraformStack.of(scope);
  const find = <T>(id: string, make: () => T): T => (stack.node.tryFindChild(id) as T | undefined) ?? make();
  const partition = find("partition", () => new DataAwsPartition(stack, "partition"));
  const region = find("region_info", () => new DataAwsRegion(stack, "region_info"));
  const account = find("account", () => new DataAwsCallerIdentity(stack, "account"));
  return { partition: partition.partition, region: region.name, accountId: account.accountId };
}

/** "arn:<partition>:<service>:<region>:<account>:<resource>" for the stack's account and region. */
export function accountArn(scope: Construct, service: string, resource: string): string {
  const { partition, region, accountId } = accountContext(scope);
  return `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
}

/**
 * The key-policy statement that lets the account's IAM administer a customer managed key: without it nobody,
 * the account included, could manage or delete the key.
 */
export function accountAdministersKey(scope: Construct): DataAwsIamPolicyDocumentStatement {
  const { partition, accountId } = accountContext(scope);
  return {
    sid: "AccountAdministers",
    effect: "Allow",
    actions: ["kms:*"],
    resources: ["*"],
    principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
  };
}
