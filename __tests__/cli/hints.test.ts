import * as path from "path";
import { discoverApps, findApp } from "../../src/discovery";
import type { DeployRequest } from "../../src/cli/aws-deploy";
import { deploymentFlags } from "../../src/cli/hints";

const app = findApp(discoverApps(path.join(__dirname, "..", "..", "apps")), "flask-xgboost-app");

const request = (extra: Partial<DeployRequest>): DeployRequest => ({
  app,
  arch: "ecs",
  region: "us-east-1",
  variables: {},
  operations: { apiKeys: { prefix: "/dds/ecs-flask-xgboost-app/api-keys", generated: true } },
  healthTimeoutMs: 900_000,
  ...extra,
});

describe("deploymentFlags", () => {
  it("repeats --build remote and brought API keys, and says when keys were turned off", () => {
    expect(deploymentFlags(request({ build: "remote" }))).toEqual(["--build", "remote", "--region", "us-east-1"]);
    expect(deploymentFlags(request({ operations: { apiKeys: { prefix: "/team/keys", generated: false } } }))).toEqual([
      "--region",
      "us-east-1",
      "--api-key-parameter",
      "/team/keys",
    ]);
    expect(deploymentFlags(request({ operations: {} }))).toEqual(["--region", "us-east-1", "--no-api-keys"]);
  });
});
