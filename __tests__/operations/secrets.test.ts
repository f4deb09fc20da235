import { parameterArnPath, parseSecret, parseSecrets, SecretSpecError } from "../../src/operations/secrets";
import { EnvironmentNameError, parseEnvironment } from "../../src/operations/environment";

describe("--secret", () => {
  it("splits NAME=/ssm/path at the first =", () => {
    expect(parseSecret("API_KEY=/fraud/api-key")).toEqual({ name: "API_KEY", parameter: "/fraud/api-key" });
    expect(parseSecret("db_url=fraud/db.url")).toEqual({ name: "db_url", parameter: "fraud/db.url" });
  });

  it("builds the ARN path with or without the leading slash", () => {
    expect(parameterArnPath("/fraud/api-key")).toBe("parameter/fraud/api-key");
    expect(parameterArnPath("fraud/api-key")).toBe("parameter/fraud/api-key");
  });

  it.each([
    ["API_KEY", /must look like NAME=/],
    ["=/x", /must look like NAME=/],
    ["1KEY=/x", /not an environment variable name/],
    ["MY-KEY=/x", /not an environment variable name/],
    ["PORT=/x", /reserved/],
    ["image=/x", /reserved/],
    ["KEY=/a//b", /not an SSM parameter name/],
    ["KEY=/a b", /not an SSM parameter name/],
    ["KEY=/aws/reserved", /not an SSM parameter name/],
  ])("rejects %j", (text, reason) => {
    expect(() => parseSecret(text)).toThrow(SecretSpecError);
    expect(() => parseSecret(text)).toThrow(reason);
  });

  it("refuses a variable given twice", () => {
    expect(() => parseSecrets(["A=/x", "B=/y", "A=/z"])).toThrow(/--secret A is given twice/);
    expect(parseSecrets([])).toEqual([]);
  });
});

describe("--env", () => {
  it.each([
    ["dev", "dev"],
    [" Staging ", "staging"],
    ["prod-eu1", "prod-eu1"],
    ["", undefined],
    [undefined, undefined],
  ])("reads %j as %j", (text, env) => {
    expect(parseEnvironment(text)).toBe(env);
  });

  it.each(["1dev", "dev_1", "my env", "averyveryverylongenv", "dev-"])("rejects %j", (text) => {
    expect(() => parseEnvironment(text)).toThrow(EnvironmentNameError);
  });
});
