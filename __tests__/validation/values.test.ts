import { hclLiteral, hclString } from "../../src/terraform/hcl";
import { InputError } from "../../src/validation/errors";
import { AWS_REGIONS, parseRegion, partitionOf } from "../../src/validation/regions";
import { IMAGE_REFERENCE_PATTERN, parseBucketName, parseCidr, parseImageReference, parseInstanceType } from "../../src/validation/values";

describe("image references (OCI / docker grammar)", () => {
  test.each([
    "python",
    "python:3.12-slim",
    "library/python:3.12",
    "docker.io/library/python:3.12",
    "localhost/app",
    "localhost:5000/team/app:v1",
    "registry:5000/app",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:v1",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "ghcr.io/org/my_app__x-y.z:TAG_1.0",
  ])("accepts %s", (ref) => {
    expect(parseImageReference(ref)).toBe(ref);
  });

  test.each([
    "",
    "UPPER/case",
    "app:",
    "app:tag:tag",
    "-app",
    "app/",
    "//app",
    "app:-tag",
    "app@sha256:abc",
    "a b",
    "app:${x}",
    "app'",
    "a".repeat(256),
  ])("refuses %j", (ref) => {
    expect(() => parseImageReference(ref)).toThrow(InputError);
  });

  test("the Terraform validation uses the same pattern and it has nothing HCL or RE2 would read differently", () => {
    expect(IMAGE_REFERENCE_PATTERN).not.toMatch(/[\\"]|\$\{|%\{/);
  });
});

describe("regions", () => {
  test("the list holds every partition's regions once and the partitions are known", () => {
    expect(new Set(AWS_REGIONS).size).toBe(AWS_REGIONS.length);
    expect(partitionOf("cn-north-1")).toBe("aws-cn");
    expect(partitionOf("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOf("mars-1")).toBeUndefined();
  });
  test.each(["mars-1", "us-east-1 ", "US-EAST-1", "us_east_1", "us-east-1\n", ""])("refuses %j", (region) => {
    if (region.trim() === "us-east-1") expect(parseRegion(region, "--region")).toBe("us-east-1");
    else expect(() => parseRegion(region, "--region")).toThrow(/--region .* is not an AWS region/);
  });
});

describe("CIDR, instance types, buckets", () => {
  test.each(["0.0.0.0/0", "10.0.0.0/8", "203.0.113.7/32", "192.168.0.0/16"])("accepts %s", (cidr) => {
    expect(parseCidr(cidr, "--allowed-cidr")).toBe(cidr);
  });
  test.each(["10.0.0.0", "10.0.0.0/", "10.0.0.0/08", "1.2.3.4/33", "1.2.3/24", "::/0", " 10.0.0.0/8", "10.0.0.0/8\n"])(
    "refuses CIDR %j",
    (cidr) => {
      expect(() => parseCidr(cidr, "--allowed-cidr")).toThrow(InputError);
    },
  );
  test.each(["t3.xlarge", "m7i-flex.large", "c7i.metal-24xl", "u-6tb1.metal", "g5.xlarge", "p4d.24xlarge"])("instance type %s", (type) => {
    expect(parseInstanceType(type)).toBe(type);
  });
  test.each(["t4g.large", "c7gn.xlarge", "a1.large", "T3.large", "t3", "t3.large;id"])("refuses instance type %s", (type) => {
    expect(() => parseInstanceType(type)).toThrow(InputError);
  });
  test.each(["my-bucket", "a.b.c", "123"])("bucket %s", (name) => {
    expect(parseBucketName(name, "--state-bucket")).toBe(name);
  });
  test.each(["sthree-x", "amzn-s3-demo-x", "x-s3alias", "x--ol-s3", "x.mrap", "x--x-s3", "-ab", "ab-", "a_b", "A-b"])(
    "refuses bucket %s",
    (name) => {
      expect(() => parseBucketName(name, "--state-bucket")).toThrow(InputError);
    },
  );
});

describe("the HCL writer", () => {
  test.each([
    ['say "hi"', '"say \\"hi\\""'],
    ["${var.x}", '"$${var.x}"'],
    ["%{if x}", '"%%{if x}"'],
    ["$${kept}", '"$$${kept}"'],
    ["a\nb\r\tc\\", '"a\\nb\\r\\tc\\\\"'],
    ["\u0000\u001b\u2028", '"\\u0000\\u001b\\u2028"'],
  ])("writes %j as %s", (value, hcl) => {
    expect(hclString(value)).toBe(hcl);
  });
  test("numbers and booleans are bare", () => {
    expect([hclLiteral(3), hclLiteral(true)]).toEqual(["3", "true"]);
  });
});
