import { discoverApps, UnknownAppError } from "../../src/discovery";
import { UnknownArchitectureError } from "../../src/stacks/factory";
import { selectStacks } from "../../src/stacks/selection";
import { FIXTURE_APPS_DIR } from "../helpers/apps";

const discovery = discoverApps(FIXTURE_APPS_DIR);
const names = (env: NodeJS.ProcessEnv) => selectStacks(discovery, env).map((t) => `${t.arch}_${t.app.name}`);

describe("selectStacks", () => {
  it("selects every (architecture, app) by default", () => {
    expect(names({})).toHaveLength(3 * discovery.apps.length);
  });

  it("selects named stacks, telling ecs_ from ecs_alb_", () => {
    expect(names({ DDS_STACKS: "ecs_alb_flask-cnn-app-py39, ecs_zz-new-app" })).toEqual(["ecs_alb_flask-cnn-app-py39", "ecs_zz-new-app"]);
  });

  it("crosses DDS_ARCHS with DDS_APPS (names or menu positions)", () => {
    expect(names({ DDS_ARCHS: "ec2 ecs-alb", DDS_APPS: "1,zz-new-app" })).toEqual([
      "ec2_flask-cnn-app-py39",
      "ec2_zz-new-app",
      "ecs_alb_flask-cnn-app-py39",
      "ecs_alb_zz-new-app",
    ]);
  });

  it("throws the typed errors for unknown names", () => {
    expect(() => names({ DDS_STACKS: "lambda_flask-cnn-app-py39" })).toThrow(UnknownArchitectureError);
    expect(() => names({ DDS_STACKS: "ecs_nope" })).toThrow(UnknownAppError);
    expect(() => names({ DDS_APPS: "broken-json-app" })).toThrow(UnknownAppError);
  });
});
