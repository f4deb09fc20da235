import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { listDeployments, parseDeploymentDirName, parseRegion, parseState } from "../../src/cli/deployments";
import { stateText } from "./helpers/fakes";

describe("deployment folders", () => {
  test.each([
    ["deployment_ecs_alb_flask-cnn-app-py39", { target: "ecs_alb", app: "flask-cnn-app-py39" }],
    ["deployment_ecs_flask-lgbm-app_py39", { target: "ecs", app: "flask-lgbm-app_py39" }],
    ["deployment_ec2_flask-xgboost-app", { target: "ec2", app: "flask-xgboost-app" }],
    ["deployment_local_flask-logreg-app", { target: "local", app: "flask-logreg-app" }],
    ["deployment_ecs_", undefined],
    ["something_else", undefined],
  ])("parseDeploymentDirName(%s)", (name, expected) => expect(parseDeploymentDirName(name)).toEqual(expected));

  const known = ["flask-lgbm-app", "flask-lgbm-app_py39", "flask-xgboost-app"];
  test.each([
    ["deployment_ecs_flask-lgbm-app_py39", { target: "ecs", app: "flask-lgbm-app_py39" }],
    ["deployment_ecs_flask-lgbm-app_py39_staging", { target: "ecs", app: "flask-lgbm-app_py39", environment: "staging" }],
    ["deployment_ecs_flask-lgbm-app_dev", { target: "ecs", app: "flask-lgbm-app", environment: "dev" }],
    ["deployment_ecs_alb_flask-xgboost-app_prod", { target: "ecs_alb", app: "flask-xgboost-app", environment: "prod" }],
    ["deployment_ec2_gone-app_dev", { target: "ec2", app: "gone-app_dev" }],
  ])("with the discovered apps, parseDeploymentDirName(%s) tells an --env suffix apart", (name, expected) =>
    expect(parseDeploymentDirName(name, known)).toEqual(expected),
  );

  test("parseState counts managed resource instances and reads outputs", () => {
    const text = JSON.stringify({
      resources: [
        { mode: "managed", instances: [{}, {}] },
        { mode: "data", instances: [{}] },
      ],
      outputs: { app_url: { value: "http://x" } },
    });
    expect(parseState(text)).toEqual({ resources: 2, outputs: { app_url: "http://x" } });
  });

  test.each([
    ['region = "eu-west-1"\ninstance_type = "t3.large"\n', "eu-west-1"],
    ['{"region": "us-west-2"}', "us-west-2"],
    ['instance_type = "t3.large"\n', undefined],
  ])("parseRegion(%j)", (text, region) => expect(parseRegion(text)).toBe(region));

  test("listDeployments reads every folder, with or without state", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "dds-deps-"));
    fs.mkdirSync(path.join(root, "deployment_ecs_app-a"));
    fs.writeFileSync(path.join(root, "deployment_ecs_app-a", "terraform.tfstate"), stateText(3, { app_url: "http://a" }));
    fs.writeFileSync(path.join(root, "deployment_ecs_app-a", "terraform.tfvars"), 'region = "eu-central-1"\n');
    fs.mkdirSync(path.join(root, "deployment_ec2_app-b"));
    fs.mkdirSync(path.join(root, "unrelated"));
    const found = listDeployments(root);
    expect(found.map((d) => [d.target, d.app, d.resources, d.hasState, d.region])).toEqual([
      ["ec2", "app-b", 0, false, undefined],
      ["ecs", "app-a", 3, true, "eu-central-1"],
    ]);
  });
});
