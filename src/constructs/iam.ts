import { Construct } from "constructs";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, Token } from "cdktf";
import { accountContext } from "./account";

/** An ECR image reference: <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]. */
const ECR_IMAGE = "^([0-9]{12})[.]dkr[.]ecr(?:-fips)?[.]([a-z0-9-]+)[.]amazonaws[.]com(?:[.]cn)?/([^:@]+)";

/**
 * The ARN of the ECR repository an image reference names, in whatever account and region it is, or "" for an
 * image of another registry (which needs no ECR permission). Terraform computes it, so it follows image_uri.
 */
export function imageRepositoryArn(scope: Construct, imageUri: string): string {
  const { partition } = accountContext(scope);
  return Token.asString(
    Fn.conditional(
      Fn.can(Fn.regex(ECR_IMAGE, imageUri)),
      Fn.join("", ["arn:", partition, Fn.replace(imageUri, `/${ECR_IMAGE}.*$/`, ":ecr:$2:$1:repository/$3")]),
      "",
    ),
  );
}

/** A role a service assumes, with an optional inline policy of exactly the permissions it needs. */
export interface ServiceRoleProps {
  /** Role name. */
  name: string;
  /** Service principal that assumes the role, e.g. "ecs-tasks.amazonaws.com". */
  principal: string;
  /** Repositories the role may pull images from (none: no ECR permissions). */
  pullRepositoryArns?: string[];
  /** Log group the role may write to (none: no CloudWatch permissions). */
  logGroupArn?: string;
  /** Further exact permissions (SSM parameters to read, schedules' API calls). */
  statements?: DataAwsIamPolicyDocumentStatement[];
  /** Only this account's resources of the service may assume the role (confused-deputy guard, aws:SourceAccount). */
  onlyFromOwnAccount?: boolean;
}

/**
 * An IAM role with least privilege: pull from the given ECR repositories, write to the given log group,
 * nothing else. Shared by the ECS execution role and the EC2 instance role; the ECS task role has no policy.
 */
export class ServiceRole extends Construct {
  /** The role's ARN. */
  readonly arn: string;
  /** The role's name. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const sourceAccount = props.onlyFromOwnAccount
      ? [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountContext(this).accountId] }]
      : undefined;
    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: [props.principal] }],
          condition: sourceAccount,
        },
      ],
    });
    const role = new IamRole(this, "role", { name: props.name, assumeRolePolicy: trust.json });
    this.arn = role.arn;
    this.name = role.name;

    const statements: DataAwsIamPolicyDocumentStatement[] = [];
    if (props.pullRepositoryArns && props.pullRepositoryArns.length > 0) {
      // GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
      statements.push({ sid: "EcrLogin", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
      statements.push({
        sid: "EcrPull",
        effect: "Allow",
        actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        // compact: an image from another registry than ECR adds "" (see imageRepositoryArn).
        resources: Token.asList(Fn.compact(props.pullRepositoryArns)),
      });
    }
    if (props.logGroupArn !== undefined) {
      statements.push({
        sid: "WriteLogs",
        effect: "Allow",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        resources: [props.logGroupArn, `${props.logGroupArn}:*`],
      });
    }
    statements.push(...(props.statements ?? []));
    if (statements.length === 0) return;
    const policy = new DataAwsIamPolicyDocument(this, "permissions", { statement: statements });
    new IamRolePolicy(this, "policy", { name: `${props.name}-permissions`, role: role.id, policy: policy.json });
  }
}
