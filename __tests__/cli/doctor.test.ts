import * as fs from "fs";
import * as path from "path";
import { assessMachine, atLeast, formatCheck, MachineFacts, readiness, usesOf } from "../../src/cli/doctor";
import { needsParagraph, REQUIREMENTS, requirementsFor, USES } from "../../src/cli/prerequisites";

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
  python: { "3.9": "3.9.18", "3.12": "3.12.1", "3.11": "3.11.7" },
  tmux: "3.3",
};

describe("assessMachine", () => {
  test("a complete machine passes every check, and every check belongs to a requirement", () => {
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
      "python 3.9",
      "python 3.12",
      "python line",
      "python 3.11",
      "tmux",
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.every((r) => usesOf(r.requirement).length > 0)).toBe(true);
    // Every requirement is checked by at least one check.
    expect(REQUIREMENTS.filter((req) => !results.some((r) => r.requirement === req.id))).toEqual([]);
  });

  test.each<[string, Partial<MachineFacts>, string]>([
    ["bash 3.2", { bash: "3.2.57" }, "bash"],
    ["terraform 1.4", { terraform: { binary: "terraform", version: "1.4.7" } }, "terraform"],
    ["no terraform", { terraform: { binary: "terraform" } }, "terraform"],
    ["no credentials", { awsIdentity: { reason: "Unable to locate credentials" } }, "AWS credentials"],
    ["node 18", { node: "18.19.0" }, "node"],
    ["9 GB disk", { freeDiskBytes: 9 * GB }, "free disk"],
    ["3 GB RAM", { totalMemoryBytes: 3 * GB }, "memory"],
  ])("%s fails exactly that check, required by default, with a fix", (_label, change, name) => {
    const failed = assessMachine({ ...healthy, ...change }).filter((r) => !r.ok);
    expect(failed.map((r) => r.name)).toEqual([name]);
    expect(failed[0]!.required).toBe(true);
    expect(formatCheck(failed[0]!)).toMatch(/^FAILED .* -> \S/);
  });

  test("Docker is needed only for a local build: a warning by default, required with --for build", () => {
    const noDaemon = { ...healthy, dockerDaemon: { reason: "Cannot connect to the Docker daemon" } };
    const byDefault = assessMachine(noDaemon).find((r) => r.name === "docker daemon")!;
    expect(byDefault).toMatchObject({ ok: false, required: false });
    expect(formatCheck(byDefault)).toMatch(/^warn .*--image-uri or --build remote/);
    expect(assessMachine(noDaemon, ["build"]).find((r) => r.name === "docker daemon")!.required).toBe(true);
    const ready = readiness(assessMachine(noDaemon));
    expect(ready.filter((use) => !use.ready).map((use) => use.use)).toEqual(["build"]);
    expect(ready.find((use) => use.use === "build")!.missing).toEqual(["docker daemon"]);
  });

  test("local serve needs one Python line, the tests both", () => {
    const only312 = { ...healthy, python: { "3.12": "3.12.1", "3.11": "3.11.7" } };
    const ready = readiness(assessMachine(only312));
    expect(ready.find((use) => use.use === "serve")!.ready).toBe(true);
    expect(ready.find((use) => use.use === "tests")!.missing).toEqual(["python 3.9"]);
    const none = readiness(assessMachine({ ...healthy, python: {} }));
    expect(none.find((use) => use.use === "serve")!.missing).toEqual(["python line"]);
  });

  test("without credentials local serve is still ready and no deploy is", () => {
    const ready = readiness(assessMachine({ ...healthy, awsIdentity: { reason: "none" } }));
    expect(ready.filter((use) => use.ready).map((use) => use.use)).toEqual(["serve", "tests", "training"]);
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

describe("one requirements list", () => {
  test("the README's Needs paragraph is the list's (needsParagraph)", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    expect(readme).toContain(needsParagraph());
  });

  test("Docker is needed by the local build only; every deploy needs terraform and the AWS CLI", () => {
    expect(REQUIREMENTS.find((req) => req.id === "docker")!.uses).toEqual(["build"]);
    for (const use of ["image", "remote", "build"] as const) {
      expect(requirementsFor(use).map((req) => req.id)).toEqual(expect.arrayContaining(["terraform", "aws"]));
    }
    expect(requirementsFor("serve").map((req) => req.id)).not.toEqual(expect.arrayContaining(["terraform"]));
    expect(USES.every((use) => requirementsFor(use).length > 0)).toBe(true);
  });
});
