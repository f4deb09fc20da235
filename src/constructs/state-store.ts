import { Construct } from "constructs";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Fn, Op, Token } from "cdktf";
import { CACHE_NODES, DEFAULT_CACHE_NODE_TYPE, DEFAULT_REDIS_PORT, type StateStoreChoice } from "../operations/state-store";
import { accountAdministersKey } from "./account";
import { skipCheck } from "./checkov";
import type { OutputSpec } from "./foundation";
import { awsName } from "./naming";
import type { Network } from "./network";
import { AppSecurityGroup } from "./security-group";

/** Engine and version of the replication group: Valkey 7.2 (Redis 7.2-compatible, IAM auth, priced below Redis OSS). */
export const CACHE_ENGINE = { engine: "valkey", version: "7.2", parameterGroup: "default.valkey7" } as const;

/**
 * Default ACL of the app's user (Terraform variable cache_access_string): every key and command except the dangerous
 * ones (FLUSHALL, KEYS, CONFIG, DEBUG, ...), INFO given back because clients use it for health.
 */
export const DEFAULT_CACHE_ACCESS_STRING = "on ~* +@all -@dangerous +info";

/** Host folder of the EC2 memory store's snapshot, mounted at the same path in the container. */
export const SNAPSHOT_DIR = "/var/lib/fraudkit";

/** The snapshot file the apps' memory store writes (FRAUDKIT_STATE_SNAPSHOT). */
export const SNAPSHOT_FILE = `${SNAPSHOT_DIR}/state.npz`;

/** uid of the non-root user the app images run as (apps/fraudkit/serving/docker/install.sh): it must own the snapshot folder. */
export const APP_UID = 10001;

/**
 * The EC2 boot script's part of the store: the lines to run before `docker run` and the flags it adds. A shared store
 * gets one worker per vCPU of the instance; the in-process one a host folder for its snapshot, so a container restart
 * resumes from the last one; either way docker gives the app 30 s after SIGTERM to write it or finish requests.
 */
export function ec2StateStoreScript(store: ContainerStateStore | undefined): {
  lines: string[];
  dockerFlags: string[];
  environment: Array<{ name: string; value: string }>;
} {
  const stop = "--stop-timeout 30";
  if (store?.shared) {
    const environment = Object.entries(store.environment).map(([name, value]) => ({ name, value }));
    return { lines: ['export FRAUDKIT_WORKERS="$(nproc)"'], dockerFlags: [stop, "-e FRAUDKIT_WORKERS"], environment };
  }
  return {
    lines: [`install -d -o ${APP_UID} -g ${APP_UID} -m 0700 ${SNAPSHOT_DIR}`],
    dockerFlags: [stop, `-v ${SNAPSHOT_DIR}:${SNAPSHOT_DIR}`],
    environment: [{ name: "FRAUDKIT_STATE_SNAPSHOT", value: SNAPSHOT_FILE }],
  };
}

/** What the compute of a deployment needs to use the store: container variables and the role's permissions. */
export interface ContainerStateStore {
  /** True for a store every task shares (gunicorn then runs one worker per vCPU). */
  shared: boolean;
  /** Variables for the container (FRAUDKIT_STATE_STORE and, with IAM auth, the user, cache id and region). */
  environment: Record<string, string>;
  /** Permissions the container's role needs (elasticache:Connect with IAM auth). */
  roleStatements: DataAwsIamPolicyDocumentStatement[];
}

/** The store a deployment asked for, with the cache's settings. */
export interface StateStoreSettings {
  /** Which store (already resolved to the architecture's default). */
  choice: StateStoreChoice;
  /** Node type (Terraform variable cache_node_type). */
  nodeType?: string;
  /** ACL of the app's user (Terraform variable cache_access_string). */
  accessString?: string;
}

/** Settings of a deployment's state store. */
export interface StateStoreProps extends StateStoreSettings {
  /** Prefix of every name. */
  namePrefix: string;
  /** The deployment's network (private subnets are created for a cache). */
  network: Network;
  /** Security group of the compute: the only group the cache admits, given an egress rule to the store. */
  clients: AppSecurityGroup;
  /** AWS region (the apps sign IAM auth tokens for it). */
  region: string;
}

/** FRAUDKIT_WORKERS on Fargate: one gunicorn worker per whole vCPU of the task, at least one. */
export function fargateWorkers(cpu: number): string {
  return Token.asString(Fn.tostring(Fn.max([1, Fn.floor(Token.asNumber(Op.div(cpu, 1024)))])));
}

/**
 * Where the apps keep their online state. In-process: nothing is created. An existing URL: the compute may reach its
 * port. ElastiCache: a Valkey replication group of two nodes in private subnets of both zones with automatic failover,
 * encrypted at rest (a key of its own) and in transit, admitting only the compute's security group, and reached with
 * IAM authentication, so no password exists: the apps sign short-lived tokens with their role.
 */
export class StateStore extends Construct {
  /** What the container and its role get. */
  readonly container: ContainerStateStore;
  /** Outputs the store adds (state_store, and the cache's endpoint and id). */
  readonly outputs: Record<string, OutputSpec>;

  constructor(scope: Construct, id: string, props: StateStoreProps) {
    super(scope, id);
    const { choice } = props;
    if (choice.kind === "memory") {
      this.container = { shared: false, environment: {}, roleStatements: [] };
      this.outputs = { state_store: { value: "memory", description: "Where the app keeps its online state: in-process" } };
      return;
    }
    if (choice.kind === "url") {
      props.clients.allowEgress({
        id: "to_state_store",
        description: `Redis protocol to the state store ${choice.host}`,
        port: choice.port,
        cidr: "0.0.0.0/0",
      });
      this.container = { shared: true, environment: { FRAUDKIT_STATE_STORE: choice.url }, roleStatements: [] };
      this.outputs = {
        state_store: { value: choice.url, description: "The shared Redis-protocol store the app keeps its online state in" },
      };
      return;
    }
    const cache = this.elastiCache(props);
    this.container = {
      shared: true,
      environment: {
        FRAUDKIT_STATE_STORE: `rediss://${cache.endpoint}:${DEFAULT_REDIS_PORT}/0`,
        FRAUDKIT_STATE_STORE_IAM: "1",
        FRAUDKIT_STATE_STORE_USER: cache.userName,
        FRAUDKIT_STATE_STORE_CACHE_ID: cache.id,
        AWS_REGION: props.region,
      },
      roleStatements: [{ sid: "ConnectToStateStore", effect: "Allow", actions: ["elasticache:Connect"], resources: cache.connectArns }],
    };
    this.outputs = {
      state_store: {
        value: `rediss://${cache.endpoint}:${DEFAULT_REDIS_PORT}/0`,
        description: "The ElastiCache (Valkey) replication group the app keeps its online state in (TLS, IAM auth)",
      },
      cache_endpoint: { value: cache.endpoint, description: "Primary endpoint of the state store (moves to the replica on failover)" },
      cache_id: { value: cache.id, description: "Replication group id of the state store" },
      cache_user: { value: cache.userName, description: "ElastiCache user the app connects as (IAM authentication)" },
    };
  }

  private elastiCache(props: StateStoreProps): { endpoint: string; id: string; userName: string; connectArns: string[] } {
    // ElastiCache ids: at most 40 lowercase letters, digits and hyphens.
    const cacheId = awsName([props.namePrefix], 40);
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key_policy", {
      statement: [accountAdministersKey(this)],
    });
    for (const check of ["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"])
      skipCheck(keyPolicy, check, "a key policy's resource * is the key itself");
    const key = new KmsKey(this, "key", {
      description: `${props.namePrefix} state store at rest`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: keyPolicy.json,
    });

    const group = new AppSecurityGroup(this, "security_group", {
      name: `${props.namePrefix}-state-store`,
      description: "State store: Redis protocol from the app's security group only, nothing out",
      vpcId: props.network.vpcId,
      ingress: [
        { id: "from_app", description: "Redis protocol from the app", port: DEFAULT_REDIS_PORT, peerSecurityGroupId: props.clients.id },
      ],
      egress: [],
    });
    props.clients.allowEgress({
      id: "to_state_store",
      description: "Redis protocol (TLS) to the state store",
      port: DEFAULT_REDIS_PORT,
      peerSecurityGroupId: group.id,
    });
    const subnets = new ElasticacheSubnetGroup(this, "subnet_group", {
      name: cacheId,
      description: `${props.namePrefix} state store: private subnets in two zones`,
      subnetIds: props.network.privateSubnetIds(),
    });

    // IAM authentication wants the user id and name equal; a user group must hold a user named "default", which is
    // kept switched off so that only the app's user can connect.
    const appUser = new ElasticacheUser(this, "app_user", {
      userId: cacheId,
      userName: cacheId,
      engine: CACHE_ENGINE.engine,
      accessString: props.accessString ?? DEFAULT_CACHE_ACCESS_STRING,
      authenticationMode: { type: "iam" },
    });
    const defaultUser = new ElasticacheUser(this, "default_user", {
      userId: awsName([props.namePrefix, "off"], 40),
      userName: "default",
      engine: CACHE_ENGINE.engine,
      accessString: "off -@all",
      authenticationMode: { type: "no-password-required" },
    });
    const users = new ElasticacheUserGroup(this, "user_group", {
      userGroupId: cacheId,
      engine: CACHE_ENGINE.engine,
      userIds: [defaultUser.userId, appUser.userId],
    });

    const replicationGroup = new ElasticacheReplicationGroup(this, "replication_group", {
      replicationGroupId: cacheId,
      description: `${props.namePrefix} online feature state`,
      engine: CACHE_ENGINE.engine,
      engineVersion: CACHE_ENGINE.version,
      parameterGroupName: CACHE_ENGINE.parameterGroup,
      nodeType: props.nodeType ?? DEFAULT_CACHE_NODE_TYPE,
      numCacheClusters: CACHE_NODES,
      port: DEFAULT_REDIS_PORT,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      subnetGroupName: subnets.name,
      securityGroupIds: [group.id],
      atRestEncryptionEnabled: "true",
      kmsKeyId: key.arn,
      transitEncryptionEnabled: true,
      userGroupIds: [users.userGroupId],
      // One daily snapshot is kept free of charge per cluster; it restores the windows after losing both nodes.
      snapshotRetentionLimit: 1,
      snapshotWindow: "03:00-04:00",
      maintenanceWindow: "sun:05:00-sun:06:00",
      autoMinorVersionUpgrade: "true",
      applyImmediately: true,
    });
    skipCheck(
      replicationGroup,
      "CKV_AWS_31",
      "IAM authentication (user group with an iam user) replaces the AUTH token, which would sit in the Terraform state",
    );
    return {
      endpoint: replicationGroup.primaryEndpointAddress,
      id: replicationGroup.replicationGroupId,
      userName: appUser.userName,
      connectArns: [replicationGroup.arn, appUser.arn],
    };
  }
}
