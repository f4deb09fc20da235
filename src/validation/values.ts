/**
 * Checks of the values users give (flags, environment variables), each against what AWS itself accepts, so a
 * typo is one line and exit 2 instead of a failed apply or, worse, text that reaches Terraform or a shell.
 */
import { fargateSizeError } from "../discovery/resources";
import type { ContainerResources } from "../types";
import { InputError } from "./errors";

/** What `text` looks like in a message: quoted, control characters escaped, long values cut. */
export function shown(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
}

/**
 * The OCI / Docker image reference grammar (distribution/reference): [registry[:port]/]path[:tag][@digest].
 * RE2-compatible and backslash-free, so the same text is the Terraform validation of image_uri.
 */
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
const DOMAIN_PART = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
// IPv6 registry hosts ([::1]:5000) are left out: bracket classes read differently in JavaScript and RE2.
// As docker reads it: the first part is a registry only with a dot, a port or as localhost (else it is a path).
const DOMAIN = `(?:localhost(?::[0-9]+)?|${DOMAIN_PART}(?:[.]${DOMAIN_PART})+(?::[0-9]+)?|${DOMAIN_PART}:[0-9]+)`;
const TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
/** The whole reference, anchored. */
export const IMAGE_REFERENCE_PATTERN = `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::${TAG})?(?:@${DIGEST})?$`;
const IMAGE_REFERENCE = new RegExp(IMAGE_REFERENCE_PATTERN);
/** distribution/reference's cap on the name part (registry and path). */
const MAX_IMAGE_NAME = 255;

/** Validates an image reference (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:v1). */
export function parseImageReference(text: string, source = "--image-uri"): string {
  const name = text.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
  if (!IMAGE_REFERENCE.test(text) || name.length > MAX_IMAGE_NAME) {
    throw new InputError(
      `${source} ${shown(text)} is not an image reference such as <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`,
    );
  }
  return text;
}

/** An IPv4 CIDR block in canonical form (no leading zeros, prefix 0-32, no host bits set). */
export function parseCidr(text: string, flag: string): string {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  const octets = match ? match.slice(1, 5) : [];
  const prefix = match ? Number(match[5]) : NaN;
  const bad =
    !match ||
    octets.some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith("0"))) ||
    prefix > 32 ||
    (match[5].length > 1 && match[5].startsWith("0"));
  if (bad) throw new InputError(`${flag} ${shown(text)} is not an IPv4 CIDR block such as 203.0.113.0/24`);
  const address = octets.reduce((sum, o) => sum * 256 + Number(o), 0);
  const network = prefix === 0 ? 0 : address - (address % 2 ** (32 - prefix));
  if (network !== address) {
    const canonical = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    throw new InputError(`${flag} ${shown(text)} has host bits set: did you mean ${canonical}/${prefix}?`);
  }
  return text;
}

/** A whole number from `min` to `max` (yargs hands NaN for text that is not a number). */
export function parseWholeNumber(value: number, flag: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`${flag} must be a whole number from ${min} to ${max}${Number.isNaN(value) ? "" : ` (got ${value})`}`);
  }
  return value;
}

/** A Fargate task size: one of the CPU/memory pairs Fargate offers. */
export function checkFargateSize(resources: ContainerResources): ContainerResources {
  const error = fargateSizeError(resources);
  if (error) throw new InputError(`--cpu ${resources.cpu} --memory ${resources.memory}: ${error}`);
  return resources;
}

/** Families whose instances are ARM (Graviton): the AMI and the images are x86_64. */
const ARM_FAMILY = /^(a1|[a-z]+[0-9]+[a-z-]*g[a-z-]*|mac[0-9]*-m[0-9a-z]*)$/;

/** An EC2 instance type in AWS's family.size form, x86_64 (e.g. t3.xlarge, m7i-flex.large, c7i.metal-24xl). */
export function parseInstanceType(text: string): string {
  const match = /^([a-z][a-z0-9-]{0,23}[a-z0-9])\.([a-z0-9][a-z0-9-]{0,15})$/.exec(text);
  if (!match) throw new InputError(`--instance-type ${shown(text)} is not an EC2 instance type such as t3.xlarge`);
  if (ARM_FAMILY.test(match[1])) {
    throw new InputError(
      `--instance-type ${text} is an ARM (Graviton) type; the AMI and the images are x86_64 (e.g. t3.xlarge, m7i.large)`,
    );
  }
  return text;
}

/** Prefixes and suffixes S3 reserves for its own bucket kinds. */
const RESERVED_BUCKET = /^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/;

/** A general-purpose S3 bucket name (AWS's naming rules). */
export function parseBucketName(text: string, flag: string): string {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(text) &&
    !text.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(text) &&
    !RESERVED_BUCKET.test(text);
  if (!valid) {
    throw new InputError(
      `${flag} ${shown(text)} is not an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit`,
    );
  }
  return text;
}

/** A DynamoDB table name. */
export function parseTableName(text: string, flag: string): string {
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(text)) throw new InputError(`${flag} ${shown(text)} must be 3-255 letters, digits, _ . or -`);
  return text;
}

/** An ACM certificate ARN (the region is checked against the deployment's by the caller). */
export function parseCertificateArn(text: string): { arn: string; region: string } {
  const match =
    /^arn:aws(?:-[a-z]+)*:acm:([a-z0-9-]+):[0-9]{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(text);
  if (!match) {
    throw new InputError(
      `--certificate-arn ${shown(text)} is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`,
    );
  }
  return { arn: text, region: match[1] };
}

/** An e-mail address SNS can subscribe (the common form; SNS's confirmation proves it). */
export function parseEmail(text: string, flag: string): string {
  if (text.length > 254 || !/^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/.test(text)) {
    throw new InputError(`${flag} ${shown(text)} is not an e-mail address`);
  }
  return text;
}
