import { Construct } from "constructs";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { Fn, ref, Token } from "cdktf";
import { isSet, whenSet } from "./conditions";
import { skipCheck } from "./checkov";
import { Foundation, type FoundationProps, type OutputSpec } from "./foundation";
import { containerHealthCommand, HEALTH_CHECK } from "./health-check";
import { ServiceRole } from "./iam";
import { ec2SecretFetch, resolveSecrets, secretReadStatements } from "./secrets";
import type { Ec2Workload } from "./workload";
import type { SecretRef } from "../operations/secrets";
import { AppSecurityGroup, HTTPS_EGRESS } from "./security-group";
import { type ContainerStateStore, ec2StateStoreScript } from "./state-store";

/** Settings of the single-instance architecture. */
export interface Ec2DeploymentProps extends FoundationProps {
  /** Instance type (Terraform variable instance_type). */
  instanceType: string;
  /** CIDR allowed to SSH in; empty opens no SSH at all (Terraform variable ssh_cidr). */
  sshCidr: string;
  /** Name of an existing key pair; empty for none (Terraform variable key_name). */
  keyName: string;
  /** Public key to register as a new key pair; wins over key_name (Terraform variable public_key). */
  publicKey: string;
  /** Root volume size in GiB (Terraform variable root_volume_size). */
  rootVolumeSize: number;
  /** SSM public parameter holding the AMI id (Terraform variable ami_ssm_parameter). */
  amiSsmParameter: string;
}

/** The instance's boot script: install Docker, log in to ECR when the image is there, run the app with a restart policy. */
export function ec2UserData(props: {
  image: string;
  region: string;
  logGroup: string;
  port: number;
  healthPath: string;
  appName: string;
  secrets?: SecretRef[];
  stateStore?: ContainerStateStore;
}): string {
  const secrets = ec2SecretFetch(props.secrets ?? [], props.region);
  const store = ec2StateStoreScript(props.stateStore);
  const [python, flag, code] = containerHealthCommand(props.port, props.healthPath);
  // Inside the double-quoted --health-cmd argument, so the inner quotes are escaped for bash.
  const health = `${python} ${flag} \\"${code}\\"`;
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    "dnf install -y docker",
    "systemctl enable --now docker",
    `IMAGE='${props.image}'`,
    'REGISTRY="$(echo "$IMAGE" | cut -d/ -f1)"',
    'case "$REGISTRY" in',
    `  *.dkr.ecr.*) aws ecr get-login-password --region '${props.region}' | docker login --username AWS --password-stdin "$REGISTRY" ;;`,
    "esac",
    'docker pull "$IMAGE"',
    ...secrets.lines,
    ...store.lines,
    `docker run -d --name '${props.appName}' --restart unless-stopped -p ${props.port}:${props.port} -e PORT=${props.port} \\`,
    `  --health-cmd "${health}" --health-interval ${HEALTH_CHECK.intervalSeconds}s --health-retries 3 \\`,
    `  --log-driver awslogs --log-opt awslogs-region='${props.region}' --log-opt awslogs-group='${props.logGroup}' \\`,
    `  ${store.dockerFlags.join(" ")} \\`,
    ...(secrets.dockerFlags.length > 0 ? [`  ${secrets.dockerFlags.join(" ")} \\`] : []),
    '  "$IMAGE"',
    "",
  ].join("\n");
}

/** One EC2 instance with an Elastic IP running the app's container under Docker. */
export class Ec2Deployment extends Construct {
  /** Outputs the stack emits. */
  readonly outputs: Record<string, OutputSpec>;
  /** The instance, for alarms and schedules. */
  readonly workload: Ec2Workload;

  constructor(scope: Construct, id: string, props: Ec2DeploymentProps) {
    super(scope, id);
    const base = new Foundation(this, "base", props);
    const { app } = props;
    const group = new AppSecurityGroup(this, "security_group", {
      name: props.namePrefix,
      description: `${app.name} on EC2: app port from allowed_cidr, SSH only from ssh_cidr`,
      vpcId: base.network.vpcId,
      ingress: [
        { id: "app_port", description: "App port from allowed_cidr", port: app.port, cidr: props.allowedCidr },
        {
          id: "ssh",
          description: "SSH from ssh_cidr only when it is set",
          port: 22,
          cidr: props.sshCidr,
          count: whenSet(props.sshCidr),
        },
      ],
      egress: [HTTPS_EGRESS],
    });
    const store = base.stateStore(group);
    const role = new ServiceRole(this, "instance_role", {
      name: `${props.namePrefix}-instance`,
      principal: "ec2.amazonaws.com",
      pullRepositoryArns: base.image.pullRepositoryArns,
      logGroupArn: base.logs.arn,
      statements: [...secretReadStatements(this, resolveSecrets(this, props.secrets ?? [])), ...store.container.roleStatements],
    });
    const profile = new IamInstanceProfile(this, "instance_profile", { name: `${props.namePrefix}-instance`, role: role.name });
    const keyPair = new KeyPair(this, "key_pair", {
      keyName: props.namePrefix,
      publicKey: props.publicKey,
      count: whenSet(props.publicKey),
    });
    // The key pair has a count, so its name is read through a splat: one() gives null when it does not exist.
    const newKeyName = Fn.one(Token.asList(ref(`${keyPair.terraformResourceType}.${keyPair.friendlyUniqueId}[*].key_name`)));
    const ami = new DataAwsSsmParameter(this, "ami", { name: props.amiSsmParameter });

    const instance = new Instance(this, "instance", {
      ami: ami.insecureValue,
      instanceType: props.instanceType,
      subnetId: base.network.publicSubnetIds[0],
      vpcSecurityGroupIds: [group.id],
      iamInstanceProfile: profile.name,
      keyName: Token.asString(
        Fn.conditional(isSet(props.publicKey), newKeyName, Fn.conditional(isSet(props.keyName), props.keyName, Token.nullValue())),
      ),
      // The boot script needs the internet before the Elastic IP is attached.
      associatePublicIpAddress: true,
      monitoring: true,
      ebsOptimized: true,
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
      rootBlockDevice: {
        volumeSize: props.rootVolumeSize,
        volumeType: "gp3",
        encrypted: true,
        deleteOnTermination: true,
        // default_tags do not reach the root volume.
        tags: { Name: props.namePrefix, app: app.name, architecture: props.architecture },
      },
      userData: ec2UserData({
        image: base.image.imageReference,
        region: props.region,
        logGroup: base.logs.name,
        port: app.port,
        healthPath: app.healthPath,
        appName: app.name,
        secrets: props.secrets,
        stateStore: store.container,
      }),
      // A new image or setting means a new instance: the boot script runs only once.
      userDataReplaceOnChange: true,
      tags: { Name: props.namePrefix },
    });
    skipCheck(instance, "CKV_AWS_88", "a single public instance is this architecture; the Elastic IP is its address");
    const address = new Eip(this, "address", { domain: "vpc", instance: instance.id, tags: { Name: props.namePrefix } });

    this.workload = { kind: "ec2", instanceId: instance.id, instanceArn: instance.arn };
    this.outputs = {
      ...base.commonOutputs(),
      app_url: { value: `http://${address.publicIp}:${app.port}`, description: "URL of the app" },
      public_ip: { value: address.publicIp, description: "Elastic IP of the instance" },
      instance_id: { value: instance.id, description: "EC2 instance id" },
      ...store.outputs,
    };
  }
}
