/**
 * Lines of terraform's machine-readable UI (`-json`), built from its documented event schema with the fields
 * terraform 1.11 prints (compare __tests__/fixtures/terraform-json/, recorded from a real run).
 */

function resource(address: string): Record<string, unknown> {
  const local = address.replace(/^(module\.[^.]+\.)+/, "").replace(/\[.*\]$/, "");
  const [type, name] = local.split(".");
  return {
    addr: address,
    module: "",
    resource: address,
    implied_provider: "aws",
    resource_type: type,
    resource_name: name,
    resource_key: null,
  };
}

function line(type: string, message: string, fields: Record<string, unknown>): string {
  return JSON.stringify({
    "@level": "info",
    "@message": message,
    "@module": "terraform.ui",
    "@timestamp": "2026-01-01T00:00:00Z",
    ...fields,
    type,
  });
}

/** Events of terraform's JSON UI. */
export const tf = {
  version: (): string => line("version", "Terraform 1.11.4", { terraform: "1.11.4", ui: "1.2" }),
  planned: (address: string, action = "create"): string =>
    line("planned_change", `${address}: Plan to ${action}`, { change: { resource: resource(address), action } }),
  summary: (operation: "plan" | "apply" | "destroy", add: number, change: number, remove: number): string =>
    line("change_summary", operation === "plan" ? `Plan: ${add} to add, ${change} to change, ${remove} to destroy.` : "Apply complete!", {
      changes: { add, change, remove, import: 0, operation },
    }),
  start: (address: string, action = "create"): string =>
    line("apply_start", `${address}: Creating...`, { hook: { resource: resource(address), action } }),
  progress: (address: string, seconds: number, action = "create"): string =>
    line("apply_progress", `${address}: Still creating... [${seconds}s elapsed]`, {
      hook: { resource: resource(address), action, elapsed_seconds: seconds },
    }),
  complete: (address: string, seconds: number, action = "create"): string =>
    line("apply_complete", `${address}: Creation complete after ${seconds}s`, {
      hook: { resource: resource(address), action, id_key: "id", id_value: "x", elapsed_seconds: seconds },
    }),
  errored: (address: string, seconds: number, action = "create"): string =>
    line("apply_errored", `${address}: Creation errored after ${seconds}s`, {
      hook: { resource: resource(address), action, elapsed_seconds: seconds },
    }),
  outputs: (values: Record<string, unknown>): string =>
    line("outputs", "Outputs: n", {
      outputs: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { sensitive: false, type: "string", value: v }])),
    }),
  error: (summary: string, detail = "", address?: string): string =>
    JSON.stringify({
      "@level": "error",
      "@message": `Error: ${summary}`,
      "@module": "terraform.ui",
      diagnostic: { severity: "error", summary, detail, ...(address ? { address } : {}) },
      type: "diagnostic",
    }),
};
