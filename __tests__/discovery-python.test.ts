import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { discoverApps } from "../src/discovery";
import { DEEP_LEARNING_FAMILIES, isDeepFamily, isDeepLearning } from "../src/discovery/resources";
import { FIXTURE_APPS_DIR, REPO_ROOT } from "./helpers/apps";

/** What `python -m fraudkit.app_folders --json` prints for one app folder. */
interface PythonApp {
  name: string;
  python?: string;
  python_source?: string;
  family?: string | null;
  deep?: boolean;
  dockerfile?: string;
  build_args?: Record<string, string>;
  error?: string;
}

/** Runs the Python side's discovery (standard library only, so any python3 will do) over an apps folder. */
function pythonDiscovery(appsDir: string): PythonApp[] {
  const result = spawnSync("python3", ["-m", "fraudkit.app_folders", "--json", "--root", appsDir], {
    cwd: path.join(REPO_ROOT, "apps"),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`fraudkit.app_folders --json failed: ${result.stderr || result.error}`);
  return JSON.parse(result.stdout) as PythonApp[];
}

describe("the Python and TypeScript discoveries agree", () => {
  it("on every real app's name, Python version, family, deep-ness, Dockerfile and build arguments", () => {
    const ts = discoverApps(path.join(REPO_ROOT, "apps"));
    expect(ts.problems).toEqual([]);
    const py = pythonDiscovery(path.join(REPO_ROOT, "apps"));
    const fromTs = ts.apps
      .map((app) => ({
        name: app.name,
        python: app.pythonVersion,
        python_source: app.pythonVersionSource,
        family: app.modelFamily,
        deep: isDeepFamily(app.modelFamily),
        dockerfile: app.dockerfile,
        build_args: app.buildArgs,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(py.sort((a, b) => a.name.localeCompare(b.name))).toEqual(fromTs);
    expect(fromTs).toHaveLength(12);
    expect(fromTs.filter((app) => app.deep)).toHaveLength(7);
    // The container size follows the same answer (the manifests' "type" never contradicts the family).
    for (const app of ts.apps) expect(isDeepLearning(app.type, app.modelFamily)).toBe(isDeepFamily(app.modelFamily));
  });

  it("on the fixtures' Python version and its source, rule by rule (override, manifest, .python-version, name)", () => {
    const ts = discoverApps(FIXTURE_APPS_DIR);
    const py = new Map(pythonDiscovery(FIXTURE_APPS_DIR).map((app) => [app.name, app]));
    const sources = new Set(ts.apps.map((app) => app.pythonVersionSource));
    expect(sources).toEqual(new Set(["Dockerfile", ".python-version", "name-suffix"]));
    for (const app of ts.apps) {
      expect({ name: app.name, python: py.get(app.name)?.python, source: py.get(app.name)?.python_source }).toEqual({
        name: app.name,
        python: app.pythonVersion,
        source: app.pythonVersionSource,
      });
      expect(py.get(app.name)?.dockerfile).toBe(app.dockerfile);
    }
    // A manifest TypeScript rejects is an error entry on the Python side, not a crash.
    expect(py.get("broken-json-app")?.error).toMatch(/delimiter/);
  });

  it("on which model families are deep, for every family either side knows", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-families-"));
    const families = [...DEEP_LEARNING_FAMILIES, "xgboost", "lightgbm", "logistic-regression", "stacking", "other"];
    try {
      for (const family of families) {
        const name = `app-${family}`;
        fs.mkdirSync(path.join(dir, name));
        const manifest = { name, type: "machine-learning", model_family: family, description: "d", python: "3.12" };
        fs.writeFileSync(path.join(dir, name, "manifest.json"), JSON.stringify(manifest));
      }
      const py = pythonDiscovery(dir);
      expect(py.map((app) => [app.family, app.deep]).sort()).toEqual(families.map((f) => [f, isDeepFamily(f)]).sort());
      expect(new Set(py.filter((app) => app.deep).map((app) => app.family))).toEqual(new Set(DEEP_LEARNING_FAMILIES));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on generated folders where every source competes with the ones below it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-parity-"));
    const manifest = (name: string, python?: string) =>
      JSON.stringify({ name, type: "machine-learning", model_family: "xgboost", description: "d", ...(python ? { python } : {}) });
    const folders: Record<string, Record<string, string>> = {
      "override-app": {
        Dockerfile: "FROM python:3.12-slim AS build\nFROM --platform=linux/amd64 python:3.9.18-slim\n",
        "manifest.json": manifest("override-app", "3.12"),
      },
      "manifest-app-py39": { "manifest.json": manifest("manifest-app-py39", "3.12"), "runtime.txt": "python-3.9.18" },
      "runtime-app": { "manifest.json": manifest("runtime-app"), "runtime.txt": "python-3.10.4", ".python-version": "3.11" },
      "pyversion-app_py39": { "app.py": "", ".python-version": "3.11.2\n" },
      "suffix-app_py313": { "app.py": "" },
      "plain-app": { "app.py": "" },
    };
    try {
      for (const [name, files] of Object.entries(folders)) {
        fs.mkdirSync(path.join(dir, name));
        for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, file), text);
      }
      const ts = discoverApps(dir).apps.map((app) => [app.name, app.pythonVersion, app.pythonVersionSource, app.dockerfile]);
      const py = pythonDiscovery(dir).map((app) => [app.name, app.python, app.python_source, app.dockerfile]);
      expect(py.sort()).toEqual(ts.sort());
      expect(new Set(ts.map((row) => row[2]))).toEqual(
        new Set(["Dockerfile", "manifest", "runtime.txt", ".python-version", "name-suffix", "default"]),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
