import { maskSecrets, secretsFromEnv } from "../../src/cli/mask";

describe("maskSecrets", () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  test.each([
    ["AKIAIOSFODNN7EXAMPLE in a line", "AKIAIOSFODNN7EXAMPLE"],
    [`aws_secret_access_key = ${secret}`, secret],
    [`{"SecretAccessKey": "${secret}"}`, secret],
    [`export AWS_SESSION_TOKEN=${"x".repeat(300)}`, "x".repeat(300)],
    [`password: hunter2hunter2`, "hunter2hunter2"],
  ])("hides the credential in %s", (line, value) => {
    const masked = maskSecrets(line);
    expect(masked).not.toContain(value);
    expect(masked).toContain("****");
  });

  test("keeps ordinary lines intact", () => {
    const line = "aws_ecs_service.app: Creation complete after 2s [id=arn:aws:ecs:us-east-1:123456789012:service/c/s]";
    expect(maskSecrets(line)).toBe(line);
  });

  test("hides exact values taken from the environment wherever they appear", () => {
    const env = { AWS_ACCESS_KEY_ID: "testing-key", AWS_SECRET_ACCESS_KEY: "short-but-secret", HOME: "/root" };
    expect(secretsFromEnv(env)).toEqual(["testing-key", "short-but-secret"]);
    expect(maskSecrets("key=testing-key;x=short-but-secret", secretsFromEnv(env))).toBe("key=****;x=****");
  });
});
