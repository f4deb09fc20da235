import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { type CheckovSkip, skipCheck } from "./checkov";

/** One TCP rule of a security group. */
export interface TcpRule {
  /** Construct id and part of the Terraform name, e.g. "app_port". */
  id: string;
  /** Why the rule exists (shown in the console). */
  description: string;
  /** TCP port. */
  port: number;
  /** Peer CIDR (exactly one of cidr / peerSecurityGroupId). */
  cidr?: string;
  /** Peer security group. */
  peerSecurityGroupId?: string;
  /** Terraform count expression, for a rule that exists only when a variable is set. */
  count?: number;
  /** checkov checks that do not apply to this rule, with the reason. */
  skips?: CheckovSkip[];
}

/** Settings of a security group. */
export interface AppSecurityGroupProps {
  /** Group name. */
  name: string;
  /** What the group protects. */
  description: string;
  /** VPC id. */
  vpcId: string;
  /** Inbound rules. */
  ingress: TcpRule[];
  /** Outbound rules. */
  egress: TcpRule[];
}

/** HTTPS to anywhere: enough to pull images from ECR, write CloudWatch logs and install packages, nothing more. */
export const HTTPS_EGRESS: TcpRule = {
  id: "https_out",
  description: "HTTPS to AWS APIs, ECR and package mirrors",
  port: 443,
  cidr: "0.0.0.0/0",
};

/** A security group whose rules are separate resources (so one rule changes without replacing the group). */
export class AppSecurityGroup extends Construct {
  /** The group's id. */
  readonly id: string;
  private readonly ruleConfig: (rule: TcpRule) => ConstructorParameters<typeof VpcSecurityGroupIngressRule>[2];

  constructor(scope: Construct, id: string, props: AppSecurityGroupProps) {
    super(scope, id);
    const group = new SecurityGroup(this, "group", {
      name: props.name,
      description: props.description,
      vpcId: props.vpcId,
      tags: { Name: props.name },
    });
    this.id = group.id;
    this.ruleConfig = (rule: TcpRule) => ({
      securityGroupId: group.id,
      description: rule.description,
      ipProtocol: "tcp",
      fromPort: rule.port,
      toPort: rule.port,
      cidrIpv4: rule.cidr,
      referencedSecurityGroupId: rule.peerSecurityGroupId,
      count: rule.count,
      tags: { Name: `${props.name}-${rule.id}` },
    });
    props.ingress.forEach((rule) => this.allowIngress(rule));
    props.egress.forEach((rule) => this.allowEgress(rule));
  }

  /** Adds an inbound rule after creation, for two groups that reference each other. */
  allowIngress(rule: TcpRule): void {
    const resource = new VpcSecurityGroupIngressRule(this, `in_${rule.id}`, this.ruleConfig(rule));
    for (const skip of rule.skips ?? []) skipCheck(resource, skip.id, skip.reason);
  }

  /** Adds an outbound rule after creation, for a peer created later (the state store's group). */
  allowEgress(rule: TcpRule): void {
    const resource = new VpcSecurityGroupEgressRule(this, `out_${rule.id}`, this.ruleConfig(rule));
    for (const skip of rule.skips ?? []) skipCheck(resource, skip.id, skip.reason);
  }
}
