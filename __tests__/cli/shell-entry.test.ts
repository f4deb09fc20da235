/**
 * The real ./dynamic_deployment_system.sh and ./verify_prerequisites.sh with piped stdin, in a scratch
 * DDS_REPO_ROOT whose apps/ are the fixtures, without AWS credentials (nothing can reach AWS).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FIXTURE_APPS_DIR, REPO_ROOT } from "../helpers/apps";

jest.setTimeout(300_000);

let root: string;
let env: NodeJS.ProcessEnv;

function run(script: string, args: string[], stdin: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(REPO_ROOT, script), args, { input: stdin, env, encoding: "utf8", timeout: 240_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "dds-shell-"));
  fs.symlinkSync(FIXTURE_APPS_DIR, path.join(root, "apps"));
  env = {
    PATH: process.env.PATH,
    HOME: root,
    DDS_REPO_ROOT: root,
    AWS_CONFIG_FILE: path.join(root, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(root, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    CHECKPOINT_DISABLE: "1",
  };
  // The first call builds the CLI if needed; later calls find it fresh.
  run("dynamic_deployment_system.sh", ["--help"], "");
});

describe("./dynamic_deployment_system.sh", () => {
  test('echo -e "3\\n1\\ny" | ... without credentials: menu, summary, folder written, exit 3 with what is missing', () => {
    const result = run("dynamic_deployment_system.sh", [], "3\n1\ny\n");
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("Select infrastructure:");
    expect(result.stdout).toMatch(/1\) flask-cnn-app-py39\s+Python 3\.9\s+deep-learning \(cnn\)/);
    expect(result.stdout).toMatch(/Estimated cost: \$\d+\.\d\d\/day/);
    expect(result.stdout).toContain("> y");
    expect(result.stderr).toMatch(/missing: no working AWS credentials/);
    expect(result.stderr).toContain("./dynamic_deployment_system.sh deploy --arch ecs-alb --app flask-cnn-app-py39");
    expect(fs.existsSync(path.join(root, "deployment_ecs_alb_flask-cnn-app-py39", "main.tf"))).toBe(true);
    expect(fs.existsSync(path.join(root, "deployment_ecs_alb_flask-cnn-app-py39", "terraform.tfstate"))).toBe(false);
  });

  test.each([
    ["9\n", /^error: invalid answer "9"/],
    ["3\n", /^error: end of input/],
    ["", /^error: end of input/],
  ])("stdin %j: exit 2 and one error line, no stack trace", (stdin, message) => {
    const result = run("dynamic_deployment_system.sh", [], stdin);
    expect(result.code).toBe(2);
    const errors = result.stderr.split("\n").filter((line) => line.startsWith("error:"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  test("list --json prints only JSON on stdout", () => {
    const result = run("dynamic_deployment_system.sh", ["list", "--json"], "");
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as Array<{ name: string }>)[0]!.name).toBe("flask-cnn-app-py39");
  });

  test("an unknown app is exit 2 with the valid names", () => {
    const result = run("dynamic_deployment_system.sh", ["deploy", "--arch", "ecs", "--app", "nope", "--yes"], "");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: .*nope.*flask-cnn-app-py39/m);
  });
});

describe("./verify_prerequisites.sh", () => {
  test("one line per check, FAILED lines carry a fix, then the uses; exit code follows the failures", () => {
    const result = run("verify_prerequisites.sh", [], "");
    const lines = result.stdout.split("\n").filter((line) => /^(ok|FAILED|warn)\s/.test(line));
    expect(lines.map((line) => line.split(/\s{2,}/)[1]?.trim())).toEqual([
      "bash",
      expect.stringMatching(/^(terraform|tofu)$/),
      "docker client",
      "docker daemon",
      "AWS CLI",
      "AWS credentials",
      "node",
      "npm",
      "free disk",
      "memory",
      "python 3.9",
      "python 3.12",
      "python line",
      "python 3.11",
      "tmux",
    ]);
    expect(result.stdout).toMatch(/^not ready {2}deploy with --image-uri \(missing: .*AWS credentials/m);
    const failed = lines.filter((line) => line.startsWith("FAILED"));
    expect(failed.every((line) => line.includes(" -> "))).toBe(true);
    // No credentials are configured for this test, so at least that check fails.
    expect(failed.some((line) => line.includes("AWS credentials"))).toBe(true);
    expect(result.code).toBe(1);
  });
});
