import { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA as S3BucketVersioning } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { skipCheck } from "./checkov";
import { privateTlsOnlyBucket } from "./private-bucket";
import { MANAGED_BY } from "./naming";
import { InputError } from "../validation/errors";
import { parseRegion } from "../validation/regions";
import { parseBucketName, parseTableName } from "../validation/values";

/** What the state bootstrap creates. */
export interface StateBackendProps {
  /** S3 bucket for every deployment's state (one key per deployment). */
  bucket: string;
  /** DynamoDB table that locks a state while terraform runs (hash key LockID). */
  lockTable: string;
  /** Region of both. */
  region: string;
}

/** Raised for a bucket or table name AWS would refuse. */
export class StateBackendNameError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = "StateBackendNameError";
  }
}

/** Checks the names before Terraform runs, so a typo is one line and not a failed apply. */
export function checkStateBackendNames(props: StateBackendProps): void {
  parseBucketName(props.bucket, "state bucket");
  parseTableName(props.lockTable, "lock table");
  parseRegion(props.region, "state region");
}

/**
 * The one-off Terraform that creates the shared state backend: a versioned, encrypted, private S3 bucket that
 * refuses plain HTTP, and a pay-per-request DynamoDB lock table. Its own state stays in its folder.
 */
export class StateBackendStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: StateBackendProps) {
    super(scope, id);
    checkStateBackendNames(props);
    new LocalBackend(this, { path: "terraform.tfstate" });
    new AwsProvider(this, "aws", {
      region: props.region,
      defaultTags: [{ tags: { purpose: "terraform-state", "managed-by": MANAGED_BY } }],
    });
    const bucket = new S3Bucket(this, "state", { bucket: props.bucket });
    skipCheck(bucket, "CKV_AWS_18", "access logging needs a second bucket; the state is versioned and private");
    skipCheck(bucket, "CKV_AWS_144", "cross-region replication doubles the cost; versioning keeps every state version");
    skipCheck(bucket, "CKV2_AWS_62", "nothing listens to state changes");
    skipCheck(bucket, "CKV_AWS_145", "SSE-S3 (AES256) at rest; a customer KMS key adds cost and must outlive every deployment");
    skipCheck(bucket, "CKV2_AWS_61", "old state versions are kept on purpose: they are the undo of a bad apply");
    new S3BucketVersioning(this, "state_versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    privateTlsOnlyBucket(this, "state", bucket);
    const table = new DynamodbTable(this, "locks", {
      name: props.lockTable,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
    });
    skipCheck(table, "CKV_AWS_119", "encrypted with the AWS-owned key; lock entries hold no data worth a customer key");
    new TerraformOutput(this, "state_bucket", { value: bucket.bucket, description: "Pass as --state-bucket" });
    new TerraformOutput(this, "state_lock_table", { value: table.name, description: "Pass as --state-lock-table" });
  }
}
