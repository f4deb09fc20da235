/**
 * EC2's API keys: the boot script installs and runs the refresh script (SSM -> key file, one rename), the container
 * gets the key folder read-only and FRAUDKIT_API_KEYS_FILE, the instance role gets what the SSM agent needs for Run
 * Command (and no more); the refresh script itself is run with a fake `aws` to check what it writes.
 */
import "cdktf/lib/testing/adapters/jest";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Testing } from "cdktf";
import { EC2_KEYS_DIR, EC2_KEYS_FILE, EC2_REFRESH_KEYS_SCRIPT, ec2ApiKeyFile } from "../../src/constructs/ec2-api-keys";
import { deploymentName } from "../../src/constructs/naming";
import { APP_UID } from "../../src/constructs/state-store";
import { generatedKeyPrefix } from "../../src/constructs/api-keys";
import type { OperationsOptions } from "../../src/operations/types";
import { DeploymentStack } from "../../src/stacks/deployment-stack";
import { appsUnderTest } from "../helpers/apps";

const app = appsUnderTest()[0];
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud/app:test";
const PREFIX = generatedKeyPrefix(deploymentName("ec2", app.name));
const KEYS = { prefix: PREFIX, generated: true };

type Statement = { sid?: string; actions: string[]; resources: string[] };
type Doc = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, { statement?: Statement[] }>>;
};

function synth(operations?: OperationsOptions): Doc {
  const stack = new DeploymentStack(Testing.app(), "ec2_x", { app, arch: "ec2", imageUri: IMAGE, operations });
  return JSON.parse(Testing.synth(stack)) as Doc;
}

const userData = (doc: Doc) => doc.resource.aws_instance.instance.user_data as string;
const statements = (doc: Doc) => doc.data.aws_iam_policy_document.instance_role_permissions.statement ?? [];

describe("EC2 API keys from a file the app re-reads", () => {
  const withKeys = synth({ apiKeys: KEYS });
  const without = synth();

  it("the boot script installs the refresh script, runs it before docker, and mounts the key folder read-only", () => {
    const script = userData(withKeys);
    expect(script).toContain(`install -d -m 0750 -o root -g ${APP_UID} ${EC2_KEYS_DIR}`);
    expect(script).toContain(`} > ${EC2_REFRESH_KEYS_SCRIPT}\nchmod 0700 ${EC2_REFRESH_KEYS_SCRIPT}\n${EC2_REFRESH_KEYS_SCRIPT}\n`);
    expect(script.indexOf(`\n${EC2_REFRESH_KEYS_SCRIPT}\n`)).toBeLessThan(script.indexOf("docker run"));
    expect(script).toMatch(
      /-v \/etc\/fraudkit:\/run\/fraudkit-keys:ro -e FRAUDKIT_API_KEYS_FILE=\/run\/fraudkit-keys\/api-keys\.env \\\n {2}"\$IMAGE"/,
    );
    // The values never reach a command line or the container's environment.
    expect(script).not.toMatch(/-e FRAUDKIT_SCORING_KEYS|--env-file|set -x|echo "\$scoring_keys"/);
    // Terraform would interpolate "${" or "%{" inside user_data.
    const refresh = ec2ApiKeyFile(KEYS, '"$REGION"').lines.join("\n");
    expect(refresh).not.toMatch(/\$\{|%\{/);
    expect(userData(without)).not.toContain(EC2_REFRESH_KEYS_SCRIPT);
  });

  it("the instance role may receive Run Commands (agent messaging only), but reads no other parameter", () => {
    const sids = statements(withKeys).map((s) => s.sid);
    expect(sids).toEqual(expect.arrayContaining(["SsmAgentRegisters", "SsmAgentReceivesCommands"]));
    const agent = statements(withKeys).find((s) => s.sid === "SsmAgentReceivesCommands")!;
    expect(agent.actions.every((action) => /^(ec2messages|ssmmessages):/.test(action))).toBe(true);
    const register = statements(withKeys).find((s) => s.sid === "SsmAgentRegisters")!;
    expect(register.resources).toEqual([
      "arn:${data.aws_partition.partition.partition}:ec2:${data.aws_region.region_info.name}:${data.aws_caller_identity.account.account_id}:instance/*",
    ]);
    // ssm:GetParameter stays on the deployment's own parameters only (AmazonSSMManagedInstanceCore would grant all).
    const reads = statements(withKeys).filter((s) => s.actions.some((action) => action.startsWith("ssm:GetParameter")));
    expect(reads.flatMap((s) => s.resources).every((arn) => arn.includes(`parameter${PREFIX}/`))).toBe(true);
    expect(withKeys.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(statements(without).map((s) => s.sid)).not.toContain("SsmAgentReceivesCommands");
  });
});

// The refresh script needs root for chgrp, as on the instance; elsewhere the rendering checks above still run.
(process.getuid?.() === 0 ? describe : describe.skip)("the refresh script, run with a fake aws", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dds-refresh-"));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** The boot lines with the host paths moved under `work`, the fake aws first on PATH; returns the run. */
  function boot(values: Record<string, string | undefined>) {
    const dir = path.join(work, "etc");
    const bin = path.join(work, "bin");
    fs.mkdirSync(bin, { recursive: true });
    // The fake answers get-parameter from its environment; a missing value is an SSM error (exit 254).
    const fake = [
      "#!/bin/bash",
      'name=""; while [ $# -gt 0 ]; do [ "$1" = --name ] && name="$2"; shift; done',
      'case "$name" in',
      ...Object.entries(values).map(([name, value]) =>
        value === undefined ? `  ${name}) echo "ParameterNotFound" >&2; exit 254 ;;` : `  ${name}) echo '${value}' ;;`,
      ),
      "esac",
    ];
    fs.writeFileSync(path.join(bin, "aws"), `${fake.join("\n")}\n`, { mode: 0o755 });
    const lines = ec2ApiKeyFile(KEYS, '"$REGION"')
      .lines.join("\n")
      .replaceAll(EC2_KEYS_DIR, dir)
      .replaceAll(EC2_REFRESH_KEYS_SCRIPT, path.join(bin, "refresh"));
    const script = `set -euo pipefail\nREGION=us-east-1\n${lines}\n`;
    const run = spawnSync("bash", ["-c", script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" });
    return { run, file: path.join(dir, path.basename(EC2_KEYS_FILE)), dir };
  }

  const SCORING = `ddsk_${"a".repeat(64)}`;
  const LABELLING = `ddsk_${"b".repeat(64)}`;

  it("writes both keys as NAME=value lines, 0640 to the app's group, in one rename, printing no value", () => {
    const { run, file, dir } = boot({ [`${PREFIX}/scoring`]: `${SCORING},old`, [`${PREFIX}/labelling`]: LABELLING });
    expect(run.status).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe(
      `FRAUDKIT_SCORING_KEYS=${SCORING},old\nFRAUDKIT_LABELLING_KEYS=${LABELLING}\nFRAUDKIT_REQUIRE_KEYS=1\n`,
    );
    const stat = fs.statSync(file);
    expect([stat.mode & 0o777, stat.gid]).toEqual([0o640, APP_UID]);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
    expect(fs.readdirSync(dir)).toEqual(["api-keys.env"]); // no staged file left
    expect(`${run.stdout}${run.stderr}`).not.toContain(SCORING);
    expect(run.stdout).toContain("API keys refreshed from SSM");
  });

  it("a parameter it cannot read fails the run and leaves the old file as it was", () => {
    const { file } = boot({ [`${PREFIX}/scoring`]: SCORING, [`${PREFIX}/labelling`]: LABELLING });
    const before = fs.readFileSync(file, "utf8");
    const { run, dir } = boot({ [`${PREFIX}/scoring`]: `ddsk_${"c".repeat(64)}`, [`${PREFIX}/labelling`]: undefined });
    expect(run.status).not.toBe(0);
    expect(fs.readFileSync(file, "utf8")).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(["api-keys.env"]);
  });
});
