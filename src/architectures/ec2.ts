/** EC2: one instance with an Elastic IP running the app's container under Docker. */
import { Ec2Deployment } from "../constructs/ec2-deployment";
import { atLeast, cidrValidation } from "../stacks/variable-spec";
import type { ArchitectureDefinition } from "./definition";

/** AL2023 x86_64 AMI, resolved through AWS's public SSM parameter so it is always the latest. */
export const AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

/** EC2's defaults (the seed's t3.xlarge for ML), used by the variables, the cost estimate and the CLI help. */
export const EC2_DEFAULTS = { instanceType: "t3.xlarge", rootVolumeSize: 30 } as const;

/** The EC2 architecture. */
export const ec2: ArchitectureDefinition = {
  id: "ec2",
  flag: "ec2",
  label: "EC2 (single instance)",
  shortLabel: "EC2",
  compute: "instance",
  url: "output",
  loadBalancer: false,
  defaultStateStore: "memory",
  alarmVariables: [],
  variables: () => ({
    instance_type: {
      type: "string",
      description: "EC2 instance type",
      default: EC2_DEFAULTS.instanceType,
      validation: {
        condition: `can(regex("^[a-z][a-z0-9-]*[.][a-z0-9-]+$", var.instance_type))`,
        errorMessage: `instance_type must be an EC2 instance type such as ${EC2_DEFAULTS.instanceType}.`,
      },
    },
    ssh_cidr: {
      type: "string",
      description: "CIDR allowed to SSH in; empty opens no SSH port",
      default: "",
      validation: cidrValidation("ssh_cidr", true),
    },
    key_name: { type: "string", description: "Existing EC2 key pair for SSH; empty for none", default: "" },
    public_key: {
      type: "string",
      description: "Public key to register as a new key pair (wins over key_name); empty for none",
      default: "",
    },
    root_volume_size: {
      type: "number",
      description: "Root volume size in GiB (images with ML libraries are large)",
      default: EC2_DEFAULTS.rootVolumeSize,
      validation: atLeast("root_volume_size", 8),
    },
    ami_ssm_parameter: { type: "string", description: "SSM public parameter holding the AMI id", default: AL2023_AMI_PARAMETER },
  }),
  build: (scope, foundation, vars) =>
    new Ec2Deployment(scope, "ec2", {
      ...foundation,
      instanceType: vars.instance_type.stringValue,
      sshCidr: vars.ssh_cidr.stringValue,
      keyName: vars.key_name.stringValue,
      publicKey: vars.public_key.stringValue,
      rootVolumeSize: vars.root_volume_size.numberValue,
      amiSsmParameter: vars.ami_ssm_parameter.stringValue,
    }),
  costSizes: (flags) => ({ instanceType: flags.instanceType }),
  cost: (request, sheet) => {
    const type = request.instanceType ?? EC2_DEFAULTS.instanceType;
    const price = sheet.price("instance type", sheet.prices.ec2_hourly, type);
    sheet.hourly("EC2 instance", `1 x ${type}${sheet.scheduled}`, price * sheet.running);
    const volume = sheet.usage.root_volume_gb;
    sheet.monthly("EBS root volume (gp3)", `${volume} GB`, volume * sheet.prices.ebs_gp3_gb_month);
    sheet.publicIps += 1;
    sheet.assumptions.push(
      sheet.running < 1
        ? `The instance runs only ${request.scheduleText ?? "on its schedule"}; stopped, it still pays for the Elastic IP and the volume.`
        : "The instance runs around the clock; stopping it saves the instance hours but not the Elastic IP or the volume.",
    );
  },
};
