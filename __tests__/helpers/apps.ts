import * as path from "path";
import { discoverApps } from "../../src/discovery";
import type { AppSpec } from "../../src/types";

/** The repository root (tests run from anywhere). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** Fixture apps, including broken ones. */
export const FIXTURE_APPS_DIR = path.join(REPO_ROOT, "__tests__", "fixtures", "apps");

/** Every real app under apps/, or the valid fixture apps while apps/ holds none yet. */
export function appsUnderTest(): AppSpec[] {
  const real = discoverApps(path.join(REPO_ROOT, "apps")).apps;
  return real.length > 0 ? real : discoverApps(FIXTURE_APPS_DIR).apps;
}
