/**
 * The shape of a Terraform variable the stacks declare, and the validations several of them share.
 * Pure data: the architecture definitions and the stack's variable lists both build on it.
 */

type Value = string | number | boolean;

/** One Terraform variable: type, description, default and an optional validation. */
export interface VariableSpec {
  type: "string" | "number" | "bool";
  description: string;
  default?: Value;
  validation?: { condition: string; errorMessage: string };
}

/** A validation that the variable is a CIDR (or, with `emptyAllowed`, empty). */
export function cidrValidation(name: string, emptyAllowed: boolean): NonNullable<VariableSpec["validation"]> {
  return {
    condition: `${emptyAllowed ? `var.${name} == "" || ` : ""}can(cidrhost(var.${name}, 0))`,
    errorMessage: `${name} must be a CIDR such as 203.0.113.0/24${emptyAllowed ? " or empty" : ""}.`,
  };
}

/** A validation that the number variable is at least `min`. */
export function atLeast(name: string, min = 1): NonNullable<VariableSpec["validation"]> {
  return { condition: `var.${name} >= ${min}`, errorMessage: `${name} must be at least ${min}.` };
}
