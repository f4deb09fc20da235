/**
 * scripts/python_envs.sh --serve: a serving env holds only the app's requirements.txt (under its line's
 * constraints), is shared by apps with the same requirements and replaced when they change. Run with a
 * recording stand-in for python (PY312_PYTHON), so no packages are installed.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO = path.join(__dirname, "..", "..");

/** A scratch repository with the script, two constraint files and three apps. */
function scratch(): { root: string; log: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dds-envs-"));
  fs.mkdirSync(path.join(root, "scripts"));
  fs.copyFileSync(path.join(REPO, "scripts", "python_envs.sh"), path.join(root, "scripts", "python_envs.sh"));
  fs.mkdirSync(path.join(root, "apps", "constraints"), { recursive: true });
  fs.writeFileSync(path.join(root, "apps", "constraints", "py312.txt"), "flask==3.1.2\nnumpy==2.0.2\npytest==8.3.4\n");
  for (const [app, requirements] of [
    ["logreg", "flask==3.1.2\nnumpy==2.0.2\n"],
    ["logreg-copy", "flask==3.1.2\nnumpy==2.0.2\n"],
    ["xgb", "flask==3.1.2\nnumpy==2.0.2\nxgboost-cpu==2.1.4\n"],
  ]) {
    fs.mkdirSync(path.join(root, "apps", app as string));
    fs.writeFileSync(path.join(root, "apps", app as string, "requirements.txt"), requirements as string);
  }
  const log = path.join(root, "python.log");
  // `python -m venv DIR` makes DIR/bin/python (this same script); every call is logged.
  const fake = path.join(root, "fake-python");
  fs.writeFileSync(
    fake,
    `#!/usr/bin/env bash
echo "$*" >> ${JSON.stringify(log)}
if [ "$1" = "--version" ]; then echo "Python 3.12.1"; exit 0; fi
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin"; cp "$0" "$3/bin/python"; fi
exit 0
`,
    { mode: 0o755 },
  );
  return { root, log };
}

function serve(root: string, app: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("bash", [path.join(root, "scripts", "python_envs.sh"), "--serve", app, "py312"], {
    encoding: "utf8",
    env: { ...process.env, PY312_PYTHON: path.join(root, "fake-python") },
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

describe("python_envs.sh --serve", () => {
  test("installs the app's requirements only, under the constraints, into an env named by their hash", () => {
    const { root, log } = scratch();
    const first = serve(root, "logreg");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^${root}/\\.venvs/serve-py312-[0-9a-f]{12}$`));
    const installs = fs
      .readFileSync(log, "utf8")
      .split("\n")
      .filter((line) => line.includes("pip install"));
    expect(installs).toEqual([
      "-m pip install --disable-pip-version-check --progress-bar off -r apps/logreg/requirements.txt -c apps/constraints/py312.txt",
    ]);
    expect(fs.existsSync(path.join(first.stdout, ".complete"))).toBe(true);
  });

  test("an app with the same requirements reuses the env; other requirements get their own", () => {
    const { root, log } = scratch();
    const a = serve(root, "logreg").stdout;
    const b = serve(root, "logreg-copy");
    expect(b.stdout).toBe(a);
    expect(b.stderr).toContain("serving env ready");
    const c = serve(root, "xgb").stdout;
    expect(c).not.toBe(a);
    expect(fs.readFileSync(log, "utf8").match(/pip install/g)).toHaveLength(2);
  });

  test("an interrupted install (no .complete) is redone; an unknown app is an error", () => {
    const { root, log } = scratch();
    const env = serve(root, "logreg").stdout;
    fs.rmSync(path.join(env, ".complete"));
    expect(serve(root, "logreg").stdout).toBe(env);
    expect(fs.readFileSync(log, "utf8").match(/pip install/g)).toHaveLength(2);
    const missing = serve(root, "nope");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("apps/nope/requirements.txt not found");
  });
});
