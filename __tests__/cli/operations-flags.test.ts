import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { InputError } from "../../src/validation/errors";
import { environmentFromFlags, hasRemoteState, operationsFromFlags, s3BackendFromFlags } from "../../src/cli/operations-flags";
import { operationsSummary } from "../../src/cli/summary";

const usage = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).not.toContain("\n");
    return (error as InputError).message;
  }
  throw new Error("expected a usage error");
};

describe("operations flags", () => {
  it("turns nothing on by default", () => {
    expect(operationsFromFlags({})).toEqual({
      alarms: false,
      alertEmail: undefined,
      schedule: undefined,
      secrets: [],
      environment: undefined,
    });
    expect(s3BackendFromFlags({})).toBeUndefined();
    // API keys are the one feature on by default on AWS.
    expect(operationsSummary({})).toEqual(["API keys:       generated into SSM SecureStrings (kept on re-deploy)"]);
    expect(operationsSummary({ apiKeys: false })).toEqual([
      "API keys:       off (--no-api-keys): anyone who reaches the URL can score and label",
    ]);
  });

  it("reads every feature, an alert e-mail implying alarms", () => {
    const ops = operationsFromFlags({
      alertEmail: "ops@example.com",
      schedule: "weekdays 08:00-18:00 UTC",
      secret: ["A=/x/a", "B=/x/b"],
      env: "Prod",
    });
    expect(ops.alarms).toBe(true);
    expect(ops.schedule?.days).toHaveLength(5);
    expect(ops.secrets?.map((s) => s.name)).toEqual(["A", "B"]);
    expect(ops.environment).toBe("prod");
    expect(s3BackendFromFlags({ stateBucket: "tf-state-b", stateLockTable: "locks" })).toEqual({
      bucket: "tf-state-b",
      dynamodbTable: "locks",
      region: undefined,
    });
    expect(operationsSummary({ alertEmail: "ops@example.com", env: "prod", stateBucket: "tf-state-b" })).toEqual([
      "Environment:    prod",
      "Alarms:         on (SNS topic, dashboard), e-mail to ops@example.com",
      "API keys:       generated into SSM SecureStrings (kept on re-deploy)",
      "State:          s3://tf-state-b",
    ]);
  });

  it.each([
    [{ schedule: "mon-fri 8-19 Europe/Paris" }, /invalid schedule/],
    [{ secret: ["NOPE"] }, /NAME=\/ssm/],
    [{ env: "my env" }, /--env/],
    [{ alertEmail: "not-an-address" }, /not an e-mail/],
    [{ alarms: false, alertEmail: "a@b.io" }, /--no-alarms/],
  ])("refuses %j as a one-line usage error", (flags, reason) => {
    expect(usage(() => operationsFromFlags(flags))).toMatch(reason);
  });

  it("needs a bucket for the other state flags and validates --env on its own", () => {
    expect(usage(() => s3BackendFromFlags({ stateLockTable: "t" }))).toMatch(/need --state-bucket/);
    expect(usage(() => environmentFromFlags({ env: "1x" }))).toMatch(/--env/);
    expect(environmentFromFlags({ env: "dev" })).toBe("dev");
  });

  it("tells remote-state folders by their backend.tf", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-remote-"));
    expect(hasRemoteState(dir)).toBe(false);
    fs.writeFileSync(path.join(dir, "backend.tf"), 'terraform {\n  backend "s3" {}\n}\n');
    expect(hasRemoteState(dir)).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });
});
