import type { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";

/**
 * The controls every bucket the tool creates gets: SSE-S3 at rest, all public access blocked, and a policy
 * denying plain HTTP. Resource ids are `<prefix>_encryption`, `<prefix>_private`, `<prefix>_tls_only` and
 * `<prefix>_policy`, so each bucket's Terraform names say whose they are.
 */
export function privateTlsOnlyBucket(scope: Construct, prefix: string, bucket: S3Bucket): void {
  new S3BucketServerSideEncryptionConfiguration(scope, `${prefix}_encryption`, {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new S3BucketPublicAccessBlock(scope, `${prefix}_private`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  const tlsOnly = new DataAwsIamPolicyDocument(scope, `${prefix}_tls_only`, {
    statement: [
      {
        sid: "DenyPlainHttp",
        effect: "Deny",
        actions: ["s3:*"],
        resources: [bucket.arn, `${bucket.arn}/*`],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ],
  });
  new S3BucketPolicy(scope, `${prefix}_policy`, { bucket: bucket.id, policy: tlsOnly.json });
}
