import { Construct } from "constructs";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KeyPair } from "@cdktf/provider-aws/lib/key-pair";
import { Fn, ref, Token } from "cdktf";
import { isSet, whenSet } from "./conditions";
import { skipCheck } from "./checkov";
import { ArchitectureConstruct, type FoundationProps } from "./foundation";
import { containerHealthCommand, HEALTH_CHECK } from "./health-check";
import { ServiceRole } from "./iam";
import { ec2SecretFetch, resolveSecrets, secretReadStatements } from "./secrets";
import type { Ec2Workload } from "./workload";
import type { SecretRef } from "../operations/secrets";
import { apiKeyKmsStatements, apiKeySecrets, type ApiKeysConfig } from "./api-keys";
import { ec2ApiKeyFile, ssmAgentStatements } from "./ec2-api-keys";
import { AppSecurityGroup, HTTPS_EGRESS } from "./security-group";
import { shellQuote, shellQuoteTerraform } from "../validation/shell";
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

/** One environment variable of the app's container on EC2 (the value is shell-quoted where the script is built). */
export interface ContainerEnvironment {
  /** Variable name (letters, digits, _). */
  name: string;
  /** Value: literal text or a Terraform reference. */
  value: string | number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The instance's boot script: install Docker, log in to ECR when the image is there, run the app with a restart
 * policy. Every value that is not a fixed word of the script (image, region, log group, app name, environment
 * values, secret names) is shell-quoted once, in Terraform when it is a reference, so no value can run a command.
 */
export function ec2UserData(props: {
  image: string;
  region: string;
  logGroup: string;
  port: number;
  healthPath: string;
  appName: string;
  secrets?: SecretRef[];
  environment?: ContainerEnvironment[];
  apiKeys?: ApiKeysConfig;
  stateStore?: ContainerStateStore;
}): string {
  if (!Number.isInteger(props.port) || props.port < 1 || props.port > 65535) throw new Error(`port ${props.port} is not a TCP port`);
  const store = ec2StateStoreScript(props.stateStore);
  const environment = [{ name: "PORT", value: props.port }, ...(props.environment ?? []), ...store.environment];
  const badName = environment.find((entry) => !ENV_NAME.test(entry.name));
  if (badName) throw new Error(`${JSON.stringify(badName.name)} is not an environment variable name`);
  const secrets = ec2SecretFetch(props.secrets ?? [], '"$REGION"');
  const keys = ec2ApiKeyFile(props.apiKeys, '"$REGION"');
  const [python, flag, code] = containerHealthCommand(props.port, props.healthPath);
  const q = shellQuoteTerraform;
  return [
    "#!/bin/bash",
    "set -euo pipefail",
    `IMAGE=${q(props.image)}`,
    `REGION=${q(props.region)}`,
    `LOG_GROUP=${q(props.logGroup)}`,
    "dnf install -y docker",
    "systemctl enable --now docker",
    'REGISTRY="$(echo "$IMAGE" | cut -d/ -f1)"',
    // <account>.dkr.ecr[-fips].<region>.amazonaws.com: the registry's own region, which may not be the deployment's.
    'case "$REGISTRY" in',
    '  *.dkr.ecr*.amazonaws.com*) aws ecr get-login-password --region "$(echo "$REGISTRY" | cut -d. -f4)" | docker login --username AWS --password-stdin "$REGISTRY" ;;',
    "esac",
    'docker pull "$IMAGE"',
    ...secrets.lines,
    ...store.lines,
    ...keys.lines,
    `docker run -d --name ${q(props.appName)} --restart unless-stopped -p ${props.port}:${props.port} \\`,
    `  ${environment.map((entry) => `-e ${entry.name}=${q(String(entry.value))}`).join(" ")} \\`,
    `  --health-cmd ${shellQuote(`${python} ${flag} "${code}"`)} --health-interval ${HEALTH_CHECK.intervalSeconds}s --health-retries 3 \\`,
    '  --log-driver awslogs --log-opt awslogs-region="$REGION" --log-opt awslogs-group="$LOG_GROUP" \\',
    `  ${store.dockerFlags.join(" ")} \\`,
    ...(secrets.dockerFlags.length > 0 ? [`  ${secrets.dockerFlags.join(" ")} \\`] : []),
    ...(keys.dockerFlags.length > 0 ? [`  ${keys.dockerFlags.join(" ")} \\`] : []),
    '  "$IMAGE"',
    "",
  ].join("\n");
}

/** One EC2 instance with an Elastic IP running the app's container under Docker. */
export class Ec2Deployment extends ArchitectureConstruct<Ec2Workload> {
  constructor(scope: Construct, id: string, props: Ec2DeploymentProps) {
    super(scope, id, props);
    const { base } = this;
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
      statements: [
        ...secretReadStatements(this, resolveSecrets(this, [...(props.secrets ?? []), ...apiKeySecrets(props.apiKeys)])),
        ...apiKeyKmsStatements(this, props.apiKeys),
        // rotate-keys re-runs the key refresh through the SSM agent (Run Command).
        ...ssmAgentStatements(this, props.apiKeys),
        ...store.container.roleStatements,
      ],
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
      // Hop limit 1: the container (one hop further, behind docker's bridge) cannot reach the instance role's
      // credentials; the host itself, which logs in to ECR, ships logs and reads the secrets, still can.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
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
        apiKeys: props.apiKeys,
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
