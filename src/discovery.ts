import * as fs from "fs";
import * as path from "path";
import type { AppSpec, DiscoveryProblem, DiscoveryResult } from "./types";
import { InputError } from "./validation/errors";
import { parseManifest, type Manifest } from "./discovery/manifest";
import { menuOrder } from "./discovery/menu";
import { detectPythonVersion } from "./discovery/python-version";
import { parseRequirements } from "./discovery/requirements";
import { defaultResources, fargateSizeError, isDeepLearning } from "./discovery/resources";

/** The Dockerfile every app is built from (relative to the build context) unless the app folder has its own. */
export const TEMPLATE_DOCKERFILE = "Dockerfile";

/** Container port when the app does not name one. */
export const DEFAULT_PORT = 8502;
/** Health-check path when the app does not name one. */
export const DEFAULT_HEALTH_PATH = "/health";

/** Thrown by findApp when no app has that name or menu position; the message lists the valid ones. */
export class UnknownAppError extends InputError {
  constructor(
    readonly requested: string,
    readonly valid: string[],
  ) {
    super(`unknown app "${requested}"; valid apps: ${valid.join(", ") || "(none found)"}`);
    this.name = "UnknownAppError";
  }
}

/** Thrown by discoverApps when the apps folder itself cannot be read. */
export class AppsDirError extends Error {
  constructor(readonly appsDir: string) {
    super(`apps folder not found: ${appsDir}`);
    this.name = "AppsDirError";
  }
}

// App names end up in stack names, ECR repositories and IAM roles, which take only these characters.
const VALID_APP_NAME = /^[a-z0-9][a-z0-9_-]*$/;

// Top-level files in an app folder that configure it (the rest is code and model artifacts).
const CONFIG_FILE = /^(Dockerfile|\.dockerignore|\.python-version|.*\.(json|txt|toml|cfg|ini|ya?ml|conf))$/;

/** Infers type and family from an app name, for an app folder without a manifest. */
function inferFromName(name: string): Pick<Manifest, "type" | "modelFamily"> {
  const families: Array<[RegExp, string]> = [
    [/stacking-dl/, "stacking-dl"],
    [/cnn/, "cnn"],
    [/lstm/, "lstm"],
    [/transformer/, "transformer"],
    [/stacking/, "stacking"],
    [/lgbm|lightgbm/, "lightgbm"],
    [/logreg|logistic/, "logistic-regression"],
    [/xgboost|xgb/, "xgboost"],
  ];
  const modelFamily = families.find(([pattern]) => pattern.test(name))?.[1] ?? "unknown";
  return { modelFamily, type: isDeepLearning("", modelFamily) ? "deep-learning" : "machine-learning" };
}

function readIfPresent(file: string): string | undefined {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

/** True when a folder under apps/ is an app (it has a manifest or at least an app.py). */
function isAppFolder(dir: string, name: string): boolean {
  if (name.startsWith(".") || name.startsWith("_")) return false;
  return fs.existsSync(path.join(dir, "manifest.json")) || fs.existsSync(path.join(dir, "app.py"));
}

/** Reads one app folder: an AppSpec without its menu position, or the problems that make it unusable. */
function readApp(
  appsDir: string,
  name: string,
): { spec: Omit<AppSpec, "menuPosition">; requested?: number } | { problems: DiscoveryProblem[] } {
  const dir = path.join(appsDir, name);
  const rel = (file: string) => path.posix.join(path.basename(appsDir), name, file);
  const problem = (file: string, message: string, line?: number): { problems: DiscoveryProblem[] } => ({
    problems: [{ app: name, file: rel(file), line, message }],
  });
  if (!VALID_APP_NAME.test(name)) {
    return problem("", "app folder name must be lowercase letters, digits, '-' or '_'");
  }

  const manifestText = readIfPresent(path.join(dir, "manifest.json"));
  let manifest: Partial<Manifest> = inferFromName(name);
  if (manifestText !== undefined) {
    const parsed = parseManifest(manifestText);
    if ("problem" in parsed) return problem("manifest.json", parsed.problem.message, parsed.problem.line);
    if (parsed.manifest.name !== name) {
      return problem("manifest.json", `"name" is "${parsed.manifest.name}" but the folder is "${name}"`);
    }
    manifest = parsed.manifest;
  }

  const requirements = parseRequirements(readIfPresent(path.join(dir, "requirements.txt")) ?? "");
  if (requirements.problems.length > 0) {
    return {
      problems: requirements.problems.map((p) => ({ app: name, file: rel("requirements.txt"), line: p.line, message: p.message })),
    };
  }

  const type = manifest.type ?? "machine-learning";
  const modelFamily = manifest.modelFamily ?? "unknown";
  const resources = manifest.resources ?? defaultResources(type, modelFamily);
  const sizeError = fargateSizeError(resources);
  if (sizeError !== undefined) return problem("manifest.json", sizeError);

  const override = readIfPresent(path.join(dir, "Dockerfile"));
  const python = detectPythonVersion({
    dockerfile: override,
    runtimeTxt: readIfPresent(path.join(dir, "runtime.txt")),
    pythonVersionFile: readIfPresent(path.join(dir, ".python-version")),
    manifestPython: manifest.python,
    appName: name,
  });
  const configFiles = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && CONFIG_FILE.test(entry.name))
    .map((entry) => entry.name)
    .sort();

  return {
    requested: manifest.menuPosition,
    spec: {
      name,
      path: rel("").replace(/\/$/, ""),
      pythonVersion: python.version,
      pythonVersionSource: python.source,
      dependencies: requirements.dependencies,
      configFiles,
      type,
      modelFamily,
      description: manifest.description ?? "",
      port: manifest.port ?? DEFAULT_PORT,
      healthPath: manifest.healthPath ?? DEFAULT_HEALTH_PATH,
      dockerfile: override === undefined ? TEMPLATE_DOCKERFILE : `${name}/Dockerfile`,
      buildArgs: { APP: name, PYTHON_VERSION: python.version },
      buildContext: path.basename(appsDir),
      resources,
    },
  };
}

/**
 * Scans `appsDir` (e.g. <repo>/apps) and returns every app in menu order plus the broken ones.
 * Reads files only. Folders that are not apps (no manifest.json and no app.py, dot-folders) are skipped
 * silently; one broken app never hides the others. Paths in the result are relative to the parent of appsDir.
 */
export function discoverApps(appsDir: string): DiscoveryResult {
  if (!fs.existsSync(appsDir) || !fs.statSync(appsDir).isDirectory()) throw new AppsDirError(appsDir);
  const names = fs
    .readdirSync(appsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && isAppFolder(path.join(appsDir, entry.name), entry.name))
    .map((entry) => entry.name)
    .sort();

  const specs = new Map<string, Omit<AppSpec, "menuPosition">>();
  const requested = new Map<string, number | undefined>();
  const problems: DiscoveryProblem[] = [];
  for (const name of names) {
    const result = readApp(appsDir, name);
    if ("problems" in result) {
      problems.push(...result.problems);
      continue;
    }
    specs.set(name, result.spec);
    requested.set(name, result.requested);
  }

  const order = menuOrder([...specs.keys()].map((name) => ({ name, requested: requested.get(name) })));
  const apps = order.map((name, index) => ({ ...(specs.get(name) as Omit<AppSpec, "menuPosition">), menuPosition: index + 1 }));
  return { apps, problems };
}

/** The app named `nameOrPosition`, or at that 1-based menu position; throws UnknownAppError otherwise. */
export function findApp(result: DiscoveryResult, nameOrPosition: string): AppSpec {
  const wanted = nameOrPosition.trim();
  const byName = result.apps.find((app) => app.name === wanted);
  if (byName) return byName;
  if (/^\d+$/.test(wanted)) {
    const byPosition = result.apps.find((app) => app.menuPosition === Number(wanted));
    if (byPosition) return byPosition;
  }
  throw new UnknownAppError(
    wanted,
    result.apps.map((app) => `${app.menuPosition}=${app.name}`),
  );
}
