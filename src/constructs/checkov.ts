import type { TerraformDataSource, TerraformResource } from "cdktf";
import type { IConstruct } from "constructs";

/** A checkov check that does not apply to one resource, and why (the reason goes into the emitted Terraform). */
export interface CheckovSkip {
  /** Check id, e.g. "CKV_AWS_51". */
  id: string;
  /** Why the check is skipped for this resource, one line. */
  reason: string;
}

const SKIPS_KEY = "dds:checkov-skips";

/** Records that `check` is skipped for `resource`; the HCL writer emits it as `#checkov:skip=ID:reason`. */
export function skipCheck(resource: TerraformResource | TerraformDataSource, id: string, reason: string): void {
  resource.node.addMetadata(SKIPS_KEY, { id, reason } satisfies CheckovSkip);
}

/** The checkov skips of every resource under `scope`, keyed by Terraform address (type.name). */
export function collectCheckovSkips(scope: IConstruct): Map<string, CheckovSkip[]> {
  const skips = new Map<string, CheckovSkip[]>();
  for (const node of scope.node.findAll()) {
    const entries = node.node.metadata.filter((m) => m.type === SKIPS_KEY).map((m) => m.data as CheckovSkip);
    if (entries.length === 0) continue;
    const resource = node as unknown as TerraformResource;
    skips.set(`${resource.terraformResourceType}.${resource.friendlyUniqueId}`, entries);
  }
  return skips;
}
