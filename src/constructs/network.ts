import { Construct } from "constructs";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn } from "cdktf";
import { skipCheck } from "./checkov";

/** Settings of the deployment's own VPC. */
export interface NetworkProps {
  /** Prefix for Name tags, e.g. "ecs-alb-flask-cnn-app-py39". */
  namePrefix: string;
  /** CIDR of the VPC; the public subnets take its first /24s (Terraform variable vpc_cidr). */
  vpcCidr: string;
}

/** Number of public subnets: an ALB needs two availability zones. */
export const PUBLIC_SUBNET_COUNT = 2;

/** Private subnets take the /24s from this index on (10.0.128.0/24, 10.0.129.0/24 in the default VPC), clear of the public ones. */
export const PRIVATE_SUBNET_OFFSET = 128;

/**
 * A VPC of its own per deployment (so destroy leaves nothing and deployments never share rules), with
 * public subnets in two availability zones and an internet gateway. No NAT: tasks and the instance
 * get public IPs, which keeps an idle deployment free of NAT-gateway charges.
 */
export class Network extends Construct {
  /** The VPC id. */
  readonly vpcId: string;
  /** Ids of the public subnets, one per availability zone. */
  readonly publicSubnetIds: string[];
  private privateIds?: string[];
  private readonly zoneNames: string[];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: NetworkProps,
  ) {
    super(scope, id);
    const zones = new DataAwsAvailabilityZones(this, "zones", { state: "available" });
    this.zoneNames = zones.names;
    skipCheck(zones, "CKV_AWS_394", "only the first two zone names are used; a zone AWS adds later does not move existing subnets");
    const vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.namePrefix },
    });
    skipCheck(vpc, "CKV2_AWS_11", "VPC flow logs cost money per deployment; the app's own logs go to CloudWatch");
    // Taking over the default security group with no rules closes it (nothing here uses it).
    new DefaultSecurityGroup(this, "default_security_group", { vpcId: vpc.id, tags: { Name: `${props.namePrefix}-default-closed` } });
    const gateway = new InternetGateway(this, "internet_gateway", { vpcId: vpc.id, tags: { Name: props.namePrefix } });
    const routes = new RouteTable(this, "public_routes", { vpcId: vpc.id, tags: { Name: `${props.namePrefix}-public` } });
    new Route(this, "internet_route", { routeTableId: routes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: gateway.id });
    this.vpcId = vpc.id;
    this.publicSubnetIds = Array.from({ length: PUBLIC_SUBNET_COUNT }, (_, index) => {
      const subnet = new Subnet(this, `public_${index}`, {
        vpcId: vpc.id,
        cidrBlock: Fn.cidrsubnet(props.vpcCidr, 8, index),
        availabilityZone: Fn.element(zones.names, index),
        // Public IPs are asked for explicitly by the ECS service and the EC2 instance instead.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.namePrefix}-public-${index}` },
      });
      new RouteTableAssociation(this, `public_${index}_routes`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet.id;
    });
  }

  /**
   * Ids of private subnets in the same two zones, created on first use (only a state store needs them): their route
   * table has no route out, so what runs there is reached from inside the VPC only and costs no NAT gateway.
   */
  privateSubnetIds(): string[] {
    if (this.privateIds) return this.privateIds;
    const routes = new RouteTable(this, "private_routes", { vpcId: this.vpcId, tags: { Name: `${this.props.namePrefix}-private` } });
    this.privateIds = Array.from({ length: PUBLIC_SUBNET_COUNT }, (_, index) => {
      const subnet = new Subnet(this, `private_${index}`, {
        vpcId: this.vpcId,
        cidrBlock: Fn.cidrsubnet(this.props.vpcCidr, 8, PRIVATE_SUBNET_OFFSET + index),
        availabilityZone: Fn.element(this.zoneNames, index),
        mapPublicIpOnLaunch: false,
        tags: { Name: `${this.props.namePrefix}-private-${index}` },
      });
      new RouteTableAssociation(this, `private_${index}_routes`, { subnetId: subnet.id, routeTableId: routes.id });
      return subnet.id;
    });
    return this.privateIds;
  }
}
