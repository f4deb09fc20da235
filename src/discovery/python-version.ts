import type { PythonVersionSource } from "../types";

/** The Python version used when no file names one (the newest line the project ships). */
export const DEFAULT_PYTHON_VERSION = "3.12";

/** The texts discovery reads the Python version from; undefined when the file is absent. */
export interface PythonVersionInputs {
  /** Text of the app's own Dockerfile (an override of the shared template). */
  dockerfile?: string;
  /** Text of runtime.txt (e.g. "python-3.9.18"). */
  runtimeTxt?: string;
  /** Text of .python-version (e.g. "3.9.18"). */
  pythonVersionFile?: string;
  /** The manifest's "python" field. */
  manifestPython?: string;
  /** The app folder's name (its -py39/_py39 suffix is the last resort). */
  appName: string;
}

/** A Python major.minor and where it was read from. */
export interface DetectedPythonVersion {
  /** Major.minor, e.g. "3.9". */
  version: string;
  /** The file (or rule) it came from. */
  source: PythonVersionSource;
}

/** Major.minor of the base image of the Dockerfile's last stage that starts FROM a python image. */
export function pythonFromDockerfile(text: string): string | undefined {
  const froms = [...text.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(?:\S*\/)?python:(\d+)\.(\d+)/gim)];
  const last = froms.at(-1);
  return last ? `${last[1]}.${last[2]}` : undefined;
}

/** Major.minor from a version text such as "3.9.18", "python-3.9" or "py39"; undefined when absent. */
export function majorMinor(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const dotted = /(?:^|[^\d])(3)\.(\d{1,2})(?:\.\d+)?(?:[^\d]|$)/.exec(text.trim());
  return dotted ? `${dotted[1]}.${dotted[2]}` : undefined;
}

/** Major.minor from a -py39 / _py312 suffix of an app name. */
export function pythonFromNameSuffix(name: string): string | undefined {
  const suffix = /[-_]py(3)(\d{1,2})$/.exec(name);
  return suffix ? `${suffix[1]}.${suffix[2]}` : undefined;
}

/**
 * The app's Python version from the most authoritative source that names one: the app's own Dockerfile (an
 * override builds what it says), then the manifest (what the shared template is built with), runtime.txt,
 * .python-version, the name suffix. apps/fraudkit/app_folders.py applies the same rules; a test compares them.
 */
export function detectPythonVersion(inputs: PythonVersionInputs): DetectedPythonVersion {
  const candidates: Array<[PythonVersionSource, string | undefined]> = [
    ["Dockerfile", inputs.dockerfile === undefined ? undefined : pythonFromDockerfile(inputs.dockerfile)],
    ["manifest", majorMinor(inputs.manifestPython)],
    ["runtime.txt", majorMinor(inputs.runtimeTxt)],
    [".python-version", majorMinor(inputs.pythonVersionFile)],
    ["name-suffix", pythonFromNameSuffix(inputs.appName)],
  ];
  const found = candidates.find(([, version]) => version !== undefined);
  return found ? { source: found[0], version: found[1] as string } : { source: "default", version: DEFAULT_PYTHON_VERSION };
}
