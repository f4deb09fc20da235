import type { ContainerResources } from "../types";

/** The fields of an app's manifest.json, validated; optional ones are undefined when absent. */
export interface Manifest {
  /** Must equal the folder name. */
  name: string;
  /** "deep-learning" or "machine-learning". */
  type: string;
  /** e.g. "cnn", "xgboost". */
  modelFamily: string;
  /** One line. */
  description: string;
  /** Requested 1-based menu position. */
  menuPosition?: number;
  /** Python major.minor, e.g. "3.12". */
  python?: string;
  /** Container port. */
  port?: number;
  /** Health-check path, starting with "/". */
  healthPath?: string;
  /** CPU/memory override. */
  resources?: ContainerResources;
}

/** Why a manifest could not be used, with the line when the problem is on one. */
export interface ManifestProblem {
  /** 1-based line in manifest.json. */
  line?: number;
  /** What is wrong, one line. */
  message: string;
}

/** A parsed manifest, or the reason it could not be parsed. */
export type ManifestResult = { manifest: Manifest } | { problem: ManifestProblem };

/** The 1-based line of a JSON.parse error, from "(line N ...)" or "at position N" in its message. */
export function jsonErrorLine(text: string, message: string): number | undefined {
  const explicit = /line (\d+)/.exec(message);
  if (explicit) return Number(explicit[1]);
  const position = /position (\d+)/.exec(message);
  if (!position) return undefined;
  return text.slice(0, Number(position[1])).split("\n").length;
}

/** The 1-based line on which `"key"` first appears, for pointing at a bad field. */
function keyLine(text: string, key: string): number | undefined {
  const index = text.indexOf(`"${key}"`);
  return index === -1 ? undefined : text.slice(0, index).split("\n").length;
}

type Raw = Record<string, unknown>;

class FieldError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

function requiredString(raw: Raw, key: string): string {
  const value = raw[key];
  if (typeof value !== "string" || value.trim() === "") throw new FieldError(key, `"${key}" must be a non-empty string`);
  return value.trim();
}

function optionalString(raw: Raw, key: string): string | undefined {
  return raw[key] === undefined ? undefined : requiredString(raw, key);
}

function optionalInteger(raw: Raw, key: string, min: number, max: number): number | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new FieldError(key, `"${key}" must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalResources(raw: Raw): ContainerResources | undefined {
  const value = raw.resources;
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FieldError("resources", `"resources" must be an object {"cpu": N, "memory": N}`);
  }
  const inner = value as Raw;
  const cpu = optionalInteger(inner, "cpu", 256, 16384);
  const memory = optionalInteger(inner, "memory", 512, 122880);
  if (cpu === undefined || memory === undefined) {
    throw new FieldError("resources", `"resources" needs both "cpu" and "memory"`);
  }
  return { cpu, memory };
}

/** Parses and validates the text of a manifest.json; never throws. */
export function parseManifest(text: string): ManifestResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    return { problem: { line: jsonErrorLine(text, message), message: `invalid JSON: ${message}` } };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { problem: { line: 1, message: "manifest must be a JSON object" } };
  }
  const fields = raw as Raw;
  try {
    const healthPath = optionalString(fields, "health_path");
    // It lands in a shell script, a Python string and ALB settings: plain URL path characters only.
    if (healthPath !== undefined && !/^\/[A-Za-z0-9._~/-]{0,1023}$/.test(healthPath)) {
      throw new FieldError("health_path", `"health_path" must start with "/" and hold only letters, digits and . _ ~ / -`);
    }
    return {
      manifest: {
        name: requiredString(fields, "name"),
        type: requiredString(fields, "type"),
        modelFamily: requiredString(fields, "model_family"),
        description: requiredString(fields, "description"),
        menuPosition: optionalInteger(fields, "menu_position", 1, 10_000),
        python: optionalString(fields, "python"),
        port: optionalInteger(fields, "port", 1, 65535),
        healthPath,
        resources: optionalResources(fields),
      },
    };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    return { problem: { line: keyLine(text, error.key), message: error.message } };
  }
}
