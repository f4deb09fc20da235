import { InputError } from "../validation/errors";

/** `--env dev|staging|prod|<text>`: a short name that goes into resource names, tags and the deployment folder. */

/** Raised for an environment name AWS names could not hold. */
export class EnvironmentNameError extends InputError {
  constructor(text: string) {
    super(`--env "${text}" must be 1-12 lowercase letters, digits or hyphens, starting with a letter (e.g. dev, staging, prod)`);
    this.name = "EnvironmentNameError";
  }
}

/** Kept short because it lands in names AWS caps at 32 characters (load balancers, target groups). */
const ENVIRONMENT = /^[a-z][a-z0-9-]{0,11}$/;

/** Validates an environment name (surrounding spaces dropped, case folded); undefined or empty means none. */
export function parseEnvironment(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const env = text.trim().toLowerCase();
  if (!ENVIRONMENT.test(env) || env.endsWith("-")) throw new EnvironmentNameError(text);
  return env;
}
