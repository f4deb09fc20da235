/**
 * Types shared by discovery, the stack factory, the deployment-folder writer and the CLI.
 * This file is the contract between those modules: change it deliberately.
 */

/** The AWS architectures a stack can be built for, in menu order (their definitions: src/architectures/). */
export { ARCHITECTURE_IDS as ARCHITECTURES, type Architecture } from "./architectures/ids";

/** Where an app's Python version was read from, most authoritative first. */
export type PythonVersionSource = "Dockerfile" | "runtime.txt" | ".python-version" | "manifest" | "name-suffix" | "default";

/** One parsed line of an app's requirements.txt. */
export interface Dependency {
  /** Distribution name as written (e.g. "xgboost"). */
  name: string;
  /** The full version specifier as written (e.g. "==2.1.4", ">=1.0,<2"); empty when unpinned. */
  specifier: string;
  /** The exact version when pinned with ==, otherwise undefined. */
  version?: string;
  /** 1-based line number in requirements.txt. */
  line: number;
}

/** CPU units and memory (MiB) for a container, in Fargate's terms. */
export interface ContainerResources {
  /** Fargate CPU units (256, 512, 1024, 2048, 4096). */
  cpu: number;
  /** Memory in MiB, valid for the CPU size. */
  memory: number;
}

/** Everything the deployer knows about one app folder under apps/. */
export interface AppSpec {
  /** Folder name, also the app's name (e.g. "flask-cnn-app-py39"). */
  name: string;
  /** Path of the app folder relative to the repository root (e.g. "apps/flask-cnn-app-py39"). */
  path: string;
  /** Python major.minor the app runs on (e.g. "3.9"). */
  pythonVersion: string;
  /** Which file the Python version was read from. */
  pythonVersionSource: PythonVersionSource;
  /** Parsed requirements.txt. */
  dependencies: Dependency[];
  /** Config files present in the app folder (relative to it), e.g. ["Dockerfile", "manifest.json", "requirements.txt"]. */
  configFiles: string[];
  /** "deep-learning" or "machine-learning" (from the manifest). */
  type: string;
  /** Model family from the manifest, e.g. "cnn", "lstm", "transformer", "xgboost", "lightgbm", "logistic-regression", "stacking". */
  modelFamily: string;
  /** One-line description from the manifest. */
  description: string;
  /** Container port (8502 unless the manifest says otherwise). */
  port: number;
  /** Health-check path (/health unless the manifest says otherwise). */
  healthPath: string;
  /** 1-based position in the menu. */
  menuPosition: number;
  /** Dockerfile path relative to the build context: the shared template "Dockerfile", or "<app>/Dockerfile" when the app overrides it. */
  dockerfile: string;
  /** The image's --build-arg values (APP, PYTHON_VERSION); the template needs them, an override may ignore them. */
  buildArgs: Record<string, string>;
  /** Docker build context relative to the repository root (the whole apps/ tree, so apps can copy the shared package). */
  buildContext: string;
  /** Default container size, by model family, overridable per app in the manifest. */
  resources: ContainerResources;
}

/** A broken app: reported with the file and line, never fatal for the other apps. */
export interface DiscoveryProblem {
  /** App folder name. */
  app: string;
  /** File relative to the repository root. */
  file: string;
  /** 1-based line, when the problem is on one line. */
  line?: number;
  /** What is wrong, one line. */
  message: string;
}

/** What a scan of apps/ found. */
export interface DiscoveryResult {
  /** Valid apps in menu order. */
  apps: AppSpec[];
  /** Broken apps, each with a reason. */
  problems: DiscoveryProblem[];
}
