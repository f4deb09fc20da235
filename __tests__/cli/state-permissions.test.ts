/** Terraform's state and plan files are created 0600 (umask of the child) and older ones are tightened after a run. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TerraformCli } from "../../src/cli/adapters/terraform";

const mode = (file: string) => fs.statSync(file).mode & 0o777;

test("files the terraform child creates are 0600; a state left 0644 by an older run is made 0600", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-perm-"));
  fs.writeFileSync(path.join(dir, "terraform.tfstate.backup"), "{}", { mode: 0o644 });
  fs.chmodSync(path.join(dir, "terraform.tfstate.backup"), 0o644);
  // A stand-in for terraform: writes a state the way terraform does (plain create, default permissions).
  const cli = new TerraformCli("/bin/sh", process.env);
  const code = await cli.run(["-c", "echo '{}' > terraform.tfstate && echo '{}' > other.json"], dir, process.env, () => undefined).done;
  expect(code).toBe(0);
  expect(mode(path.join(dir, "terraform.tfstate"))).toBe(0o600);
  expect(mode(path.join(dir, "other.json"))).toBe(0o600);
  expect(mode(path.join(dir, "terraform.tfstate.backup"))).toBe(0o600);
  // The CLI's own umask is back to what it was.
  const probe = path.join(dir, "probe");
  fs.writeFileSync(probe, "");
  const umask = process.umask(0o022);
  process.umask(umask);
  expect(mode(probe)).toBe(0o666 & ~umask);
  fs.rmSync(dir, { recursive: true, force: true });
});
