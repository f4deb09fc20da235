import { assessMachine, atLeast, formatCheck, MachineFacts } from "../../src/cli/doctor";

const GB = 1024 ** 3;
const healthy: MachineFacts = {
  bash: "5.2.15",
  terraform: { binary: "terraform", version: "1.11.4" },
  dockerClient: "28.2.2",
  dockerDaemon: { version: "28.2.2" },
  awsCli: "2.15.0",
  awsIdentity: { arn: "arn:aws:iam::123456789012:user/me" },
  node: "20.18.0",
  npm: "11.0.0",
  freeDiskBytes: 20 * GB,
  totalMemoryBytes: 8 * GB,
};

describe("assessMachine", () => {
  test("a complete machine passes every check", () => {
    const results = assessMachine(healthy);
    expect(results.map((r) => r.name)).toEqual([
      "bash",
      "terraform",
      "docker client",
      "docker daemon",
      "AWS CLI",
      "AWS credentials",
      "node",
      "npm",
      "free disk",
      "memory",
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  test.each<[string, Partial<MachineFacts>, string]>([
    ["bash 3.2", { bash: "3.2.57" }, "bash"],
    ["terraform 0.15", { terraform: { binary: "terraform", version: "0.15.5" } }, "terraform"],
    ["no terraform", { terraform: { binary: "terraform" } }, "terraform"],
    ["no docker daemon", { dockerDaemon: { reason: "Cannot connect to the Docker daemon" } }, "docker daemon"],
    ["no credentials", { awsIdentity: { reason: "Unable to locate credentials" } }, "AWS credentials"],
    ["node 18", { node: "18.19.0" }, "node"],
    ["9 GB disk", { freeDiskBytes: 9 * GB }, "free disk"],
    ["3 GB RAM", { totalMemoryBytes: 3 * GB }, "memory"],
  ])("%s fails exactly that check, with a fix", (_label, change, name) => {
    const failed = assessMachine({ ...healthy, ...change }).filter((r) => !r.ok);
    expect(failed.map((r) => r.name)).toEqual([name]);
    expect(failed[0]!.required).toBe(true);
    expect(formatCheck(failed[0]!)).toMatch(/^FAILED .* -> \S/);
  });

  test("OpenTofu counts as terraform", () => {
    expect(assessMachine({ ...healthy, terraform: { binary: "tofu", version: "1.8.0" } })[1]).toMatchObject({ name: "tofu", ok: true });
  });

  test.each([
    ["1.0.0", "1.0", true],
    ["0.9.9", "1.0", false],
    ["10.0", "9.1", true],
    [undefined, "1.0", false],
  ])("atLeast(%s, %s) = %s", (found, min, expected) => expect(atLeast(found, min)).toBe(expected));
});
