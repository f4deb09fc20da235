import {
  clashingApp,
  deploymentDirName,
  localDirName,
  parseDeploymentDirName,
  parseStackName,
  stackName,
  type Target,
} from "../src/deployment-names";
import { requestNames } from "../src/deployment-request";
import { ARCHITECTURES } from "../src/types";
import { appsUnderTest } from "./helpers/apps";

const apps = appsUnderTest();
// Real names plus the shapes that make parsing hard: a prefix of another app, underscores, a name ending like an env.
const names = [...apps.map((app) => app.name), "flask-lgbm-app", "flask-lgbm-app_py39", "a_b_c", "ecs_alb-lookalike"];
const appNames = [...new Set(names)];
const environments = [undefined, "dev", "prod-2", "staging"];
const targets: Target[] = [...ARCHITECTURES, "local"];

describe("deployment names", () => {
  const cases = targets.flatMap((target) => appNames.flatMap((app) => environments.map((env) => [target, app, env] as const)));

  test.each(cases)("folder %s / %s / %s reads back as what it was made from", (target, app, environment) => {
    if (clashingApp(app, environment, appNames)) return;
    const name = deploymentDirName(target, app, environment);
    expect(name).toBe(`deployment_${target}_${app}${environment ? `_${environment}` : ""}`);
    expect(parseDeploymentDirName(name, appNames)).toEqual({ target, app, ...(environment ? { environment } : {}) });
  });

  test.each(cases.filter(([target]) => target !== "local"))(
    "stack %s / %s / %s reads back as what it was made from",
    (arch, app, environment) => {
      if (clashingApp(app, environment, appNames)) return;
      const name = stackName(arch as Exclude<Target, "local">, app, environment);
      expect(`deployment_${name}`).toBe(deploymentDirName(arch, app, environment));
      expect(parseStackName(name, appNames)).toEqual({ target: arch, app, ...(environment ? { environment } : {}) });
    },
  );

  test("ecs is a prefix of ecs_alb: the longer id wins, the shorter still parses", () => {
    expect(parseStackName("ecs_alb_x")).toEqual({ target: "ecs_alb", app: "x" });
    expect(parseStackName("ecs_albx")).toEqual({ target: "ecs", app: "albx" });
    expect(parseStackName("ecs_")).toBeUndefined();
    expect(parseStackName("lambda_x")).toBeUndefined();
    expect(parseDeploymentDirName("deployment_local_x")).toEqual({ target: "local", app: "x" });
    expect(localDirName("x")).toBe("deployment_local_x");
  });

  test("an environment that would turn an app's folder into another app's is named as a clash", () => {
    expect(clashingApp("flask-lgbm-app", "py39", appNames)).toBe("flask-lgbm-app_py39");
    expect(clashingApp("a", "b", ["a", "a_b"])).toBe("a_b");
    expect(clashingApp("flask-lgbm-app", "dev", appNames)).toBeUndefined();
    expect(clashingApp("flask-lgbm-app_py39", "py39", appNames)).toBeUndefined();
    expect(clashingApp("flask-lgbm-app", undefined, appNames)).toBeUndefined();
  });

  test.each(ARCHITECTURES)("a request's stack and folder name on %s carry its environment", (arch) => {
    const app = apps[0]!;
    expect(requestNames({ app, arch, operations: { environment: "prod" } })).toEqual({
      stack: `${arch}_${app.name}_prod`,
      dir: `deployment_${arch}_${app.name}_prod`,
    });
    expect(requestNames({ app, arch })).toEqual({ stack: `${arch}_${app.name}`, dir: `deployment_${arch}_${app.name}` });
  });
});
