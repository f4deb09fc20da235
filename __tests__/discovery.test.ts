import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppsDirError, discoverApps, findApp, UnknownAppError } from "../src/discovery";
import { FIXTURE_APPS_DIR, REPO_ROOT } from "./helpers/apps";

describe("discoverApps on the fixtures", () => {
  const result = discoverApps(FIXTURE_APPS_DIR);
  const byName = (name: string) => result.apps.find((app) => app.name === name);

  it("loads the valid apps in menu order and skips folders that are not apps", () => {
    expect(result.apps.map((app) => app.name)).toEqual([
      "flask-cnn-app-py39", // manifest position 1
      "flask-xgboost-app", // manifest position 12
      "flask-lgbm-app_py39", // no manifest, so no position: after the positioned apps, by name
      "zz-new-app", // manifest without a position
    ]);
    expect(result.apps.map((app) => app.menuPosition)).toEqual([1, 2, 3, 4]);
  });

  it("reports a manifest with bad JSON with its file and line, and still loads the others", () => {
    const problem = result.problems.find((p) => p.app === "broken-json-app");
    expect(problem).toMatchObject({ file: "apps/broken-json-app/manifest.json", line: 4 });
    expect(problem?.message).toMatch(/invalid JSON/);
  });

  it("reports a bad requirement line with its file and line", () => {
    expect(result.problems.find((p) => p.app === "broken-req-app")).toMatchObject({
      file: "apps/broken-req-app/requirements.txt",
      line: 2,
    });
    expect(result.problems).toHaveLength(2);
  });

  it("reads the Python version from the most authoritative file", () => {
    expect(byName("flask-cnn-app-py39")).toMatchObject({ pythonVersion: "3.9", pythonVersionSource: "Dockerfile" });
    // The Dockerfile (3.12, last stage) wins over the manifest's 3.11.
    expect(byName("flask-xgboost-app")).toMatchObject({ pythonVersion: "3.12", pythonVersionSource: "Dockerfile" });
    expect(byName("zz-new-app")).toMatchObject({ pythonVersion: "3.11", pythonVersionSource: ".python-version" });
    expect(byName("flask-lgbm-app_py39")).toMatchObject({ pythonVersion: "3.9", pythonVersionSource: "name-suffix" });
  });

  it("parses requirements with versions, skipping comments and pip options", () => {
    expect(byName("flask-cnn-app-py39")?.dependencies).toEqual([
      { name: "flask", specifier: "==3.0.3", version: "3.0.3", line: 3 },
      { name: "onnxruntime", specifier: "==1.19.2", version: "1.19.2", line: 4 },
      { name: "numpy", specifier: ">=1.24,<2", version: undefined, line: 5 },
      { name: "gunicorn", specifier: "", version: undefined, line: 6 },
    ]);
  });

  it("applies defaults, manifest overrides and family sizing", () => {
    const cnn = byName("flask-cnn-app-py39");
    expect(cnn).toMatchObject({ port: 8502, healthPath: "/health", type: "deep-learning", modelFamily: "cnn" });
    expect(cnn?.resources).toEqual({ cpu: 2048, memory: 4096 });
    expect(byName("flask-xgboost-app")?.resources).toEqual({ cpu: 512, memory: 1024 });
    expect(byName("zz-new-app")).toMatchObject({ port: 9000, healthPath: "/healthz" });
    expect(byName("flask-lgbm-app_py39")).toMatchObject({ modelFamily: "lightgbm", type: "machine-learning" });
    expect(byName("flask-lgbm-app_py39")?.resources).toEqual({ cpu: 1024, memory: 2048 });
  });

  it("gives repository-relative paths and the shared build context", () => {
    const xgb = byName("flask-xgboost-app");
    expect(xgb).toMatchObject({ path: "apps/flask-xgboost-app", dockerfile: "flask-xgboost-app/Dockerfile", buildContext: "apps" });
    expect(xgb?.configFiles).toEqual(["Dockerfile", "config.json", "manifest.json", "requirements.txt"]);
  });
});

describe("discoverApps on generated folders", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-apps-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function app(name: string, files: Record<string, string>): void {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, file), text);
  }
  const manifest = (fields: Record<string, unknown>) =>
    JSON.stringify({ type: "machine-learning", model_family: "xgboost", description: "d", ...fields }, null, 2);

  it("finds a new app folder without editing any list", () => {
    app("flask-xgboost-app", { "manifest.json": manifest({ name: "flask-xgboost-app", menu_position: 12 }) });
    app("aaa-brand-new", { "app.py": "" });
    expect(discoverApps(dir).apps.map((a) => [a.name, a.menuPosition])).toEqual([
      ["flask-xgboost-app", 1],
      ["aaa-brand-new", 2],
    ]);
  });

  it.each([
    [{ name: "other" }, /folder is "x"/],
    [{ name: "x", port: 70000 }, /"port" must be an integer/],
    [{ name: "x", health_path: "health" }, /must start with "\/"/],
    [{ name: "x", resources: { cpu: 300, memory: 1024 } }, /"cpu" must be|not a Fargate size/],
    [{ name: "x", resources: { cpu: 256, memory: 8192 } }, /not valid with cpu 256/],
    [{ name: "x", description: "" }, /"description" must be a non-empty string/],
  ])("reports the invalid manifest %j", (fields, message) => {
    app("x", { "manifest.json": manifest(fields) });
    const result = discoverApps(dir);
    expect(result.apps).toEqual([]);
    expect(result.problems[0].message).toMatch(message);
    expect(result.problems[0].file).toBe(`${path.basename(dir)}/x/manifest.json`);
  });

  it("rejects a folder name that cannot be an AWS resource name", () => {
    app("Bad App", { "app.py": "" });
    expect(discoverApps(dir).problems[0].message).toMatch(/lowercase/);
  });

  it("throws a typed error when the apps folder is missing", () => {
    expect(() => discoverApps(path.join(dir, "nope"))).toThrow(AppsDirError);
  });
});

describe("findApp", () => {
  const result = discoverApps(FIXTURE_APPS_DIR);

  it("finds by name and by menu position", () => {
    expect(findApp(result, "zz-new-app").menuPosition).toBe(4);
    expect(findApp(result, "1").name).toBe("flask-cnn-app-py39");
  });

  it.each(["nope", "0", "99", ""])("throws UnknownAppError listing the valid apps for %j", (wanted) => {
    expect(() => findApp(result, wanted)).toThrow(UnknownAppError);
    expect(() => findApp(result, wanted)).toThrow(/valid apps: 1=flask-cnn-app-py39, .*4=zz-new-app$/);
  });
});

// Runs over the real apps as soon as their folders exist.
const realAppsDir = path.join(REPO_ROOT, "apps");
const real = discoverApps(realAppsDir);
// The seed's menu (the product description): 1 = flask-cnn-app-py39 ... 12 = flask-xgboost-app.
const SEED_ORDER = [
  "flask-cnn-app-py39",
  "flask-cnn-app",
  "flask-lstm-app-py39",
  "flask-lstm-app",
  "flask-transformers-app-py39",
  "flask-transformers-app",
  "flask-stacking-app",
  "flask-stacking-dl-app",
  "flask-lgbm-app",
  "flask-lgbm-app_py39",
  "flask-logreg-app",
  "flask-xgboost-app",
];
const shipped = SEED_ORDER.filter((name) => fs.existsSync(path.join(realAppsDir, name)));

describe("discoverApps on apps/", () => {
  it("reports no broken app", () => {
    expect(real.problems).toEqual([]);
  });

  if (shipped.length > 0) {
    it.each(shipped)("loads shipped app %s in the seed's order with the right Python", (name) => {
      const spec = findApp(real, name);
      expect(spec.menuPosition).toBe(shipped.indexOf(name) + 1);
      expect(spec.pythonVersion.startsWith("3.9")).toBe(/[-_]py39$/.test(name));
    });
  }
});
