import * as fs from "fs";
import * as path from "path";
import { App } from "cdktf";
import { collectCheckovSkips } from "./constructs/checkov";
import { StateBackendStack, type StateBackendProps } from "./constructs/remote-state";
import { terraformJsonToHcl } from "./terraform/hcl";

/** Folder (under the repository root) of the one-off Terraform that creates the state bucket and lock table. */
export const STATE_BOOTSTRAP_DIR = "state_bootstrap";

/** main.tf of the state bootstrap, as plain Terraform. */
export function renderStateBootstrap(props: StateBackendProps): string {
  const stack = new StateBackendStack(new App(), "state_bootstrap", props);
  const header = "# Shared Terraform state: S3 bucket + DynamoDB lock table. Created once (bootstrap-state); its own state stays here.\n";
  return header + terraformJsonToHcl(stack.toTerraform() as Parameters<typeof terraformJsonToHcl>[0], collectCheckovSkips(stack));
}

/** Writes <dir>/main.tf (the state file already there is kept) and returns the folder. */
export function writeStateBootstrap(dir: string, props: StateBackendProps): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "main.tf"), renderStateBootstrap(props));
  return dir;
}
