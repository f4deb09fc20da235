/** The real process adapters with real child processes (no terraform or AWS needed). */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { NodeHttpProbe } from "../../src/cli/adapters/http";
import { ProcessLocalRunner } from "../../src/cli/adapters/local";
import { startProcess, whichBinary } from "../../src/cli/adapters/process";
import { chooseTerraformBinary, parseTerraformVersion, TerraformCli } from "../../src/cli/adapters/terraform";
import { BinaryMissingError } from "../../src/cli/errors";

jest.setTimeout(60_000);
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "dds-proc-"));

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
  return file;
}

describe("startProcess", () => {
  test("streams stdout and stderr lines and returns the exit code", async () => {
    const lines: string[] = [];
    const run = startProcess("bash", ["-c", "echo one; echo two >&2; printf three; exit 3"], {
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(await run.done).toBe(3);
    expect(lines.sort()).toEqual(["stderr:two", "stdout:one", "stdout:three"]);
  });

  test("a missing binary rejects with BinaryMissingError", async () => {
    await expect(startProcess("no-such-binary-dds", []).done).rejects.toBeInstanceOf(BinaryMissingError);
  });

  test("interrupt sends exactly one SIGINT the child can handle gracefully", async () => {
    const dir = tmp();
    const fake = script(
      dir,
      "fake-terraform",
      "trap 'echo \"got INT\"; sleep 0.2; echo saved; exit 1' INT\necho started\nwhile true; do sleep 0.1; done",
    );
    const lines: string[] = [];
    const run = startProcess(fake, [], { onLine: (line) => lines.push(line) });
    while (!lines.includes("started")) await new Promise((resolve) => setTimeout(resolve, 20));
    run.interrupt();
    expect(await run.done).toBe(1);
    expect(lines).toEqual(["started", "got INT", "saved"]);
  });
});

describe("terraform adapter", () => {
  test("DDS_TERRAFORM_BIN wins; otherwise terraform, then tofu", () => {
    expect(chooseTerraformBinary({ DDS_TERRAFORM_BIN: "/opt/tofu", PATH: "" })).toBe("/opt/tofu");
    const dir = tmp();
    script(dir, "tofu", "echo 'OpenTofu v1.8.0'");
    expect(chooseTerraformBinary({ PATH: dir })).toBe("tofu");
    expect(chooseTerraformBinary({ PATH: "" })).toBe("terraform");
    expect(whichBinary("tofu", { PATH: dir })).toBe(path.join(dir, "tofu"));
  });

  test("version: JSON from terraform, plain text from OpenTofu, undefined when missing", async () => {
    expect(parseTerraformVersion('{"terraform_version":"1.11.4","platform":"linux_amd64"}')).toBe("1.11.4");
    expect(parseTerraformVersion("OpenTofu v1.8.0\non linux_amd64")).toBe("1.8.0");
    expect(await new TerraformCli("no-such-terraform-dds", process.env).version()).toBeUndefined();
    const dir = tmp();
    const tofu = script(dir, "tofu", "echo 'OpenTofu v1.8.0'");
    expect(await new TerraformCli(tofu, process.env).version()).toBe("1.8.0");
  });
});

describe("ProcessLocalRunner", () => {
  test("pythonFor runs scripts/app_env.sh and returns the last line it prints", async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, "scripts"));
    script(path.join(root, "scripts"), "app_env.sh", 'echo "creating env for $1" >&2\necho /envs/$1/bin/python');
    const progress: string[] = [];
    expect(await new ProcessLocalRunner().pythonFor(root, "app-a", (line) => progress.push(line))).toBe("/envs/app-a/bin/python");
    expect(progress).toEqual(["creating env for app-a"]);
  });

  test("pythonFor hands the app's Python version to scripts/app_env.sh as its second argument", async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, "scripts"));
    script(path.join(root, "scripts"), "app_env.sh", 'echo "$# args" >&2\necho /envs/$1-$2/bin/python');
    const progress: string[] = [];
    expect(await new ProcessLocalRunner().pythonFor(root, "app-a", (line) => progress.push(line), "3.9")).toBe(
      "/envs/app-a-3.9/bin/python",
    );
    expect(progress).toEqual(["2 args"]);
  });

  test("pythonFor failing is an error with the script's last message", async () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, "scripts"));
    script(path.join(root, "scripts"), "app_env.sh", 'echo "pyenv: 3.9.18 not installed" >&2\nexit 1');
    await expect(new ProcessLocalRunner().pythonFor(root, "app-a", () => undefined)).rejects.toThrow(/exit 1.*3\.9\.18 not installed/);
  });

  test("a background server: started detached with its log, healthy over HTTP, stopped by pid", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const address = server.address() as net.AddressInfo;
        server.close(() => resolve(address.port));
      });
    });
    const dir = tmp();
    const runner = new ProcessLocalRunner();
    const log = path.join(dir, "serve.log");
    const pid = runner.startBackground("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1"], dir, process.env, log);
    const http = new NodeHttpProbe();
    let status: number | undefined;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      status = (await http.get(`http://127.0.0.1:${port}/`, 1000)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
    expect(runner.isAlive(pid)).toBe(true);
    expect(await runner.stop(pid, 5000)).toBe(true);
    expect(runner.isAlive(pid)).toBe(false);
    expect(fs.readFileSync(log, "utf8")).toMatch(/GET \/ HTTP/);
    expect((await http.get(`http://127.0.0.1:${port}/`, 1000)).error).toBe("ECONNREFUSED");
  });
});

describe("ProcessLocalRunner.portFree", () => {
  test("false while something listens on 127.0.0.1:port, true once it is closed", async () => {
    const runner = new ProcessLocalRunner();
    const server = net.createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)),
    );
    expect(await runner.portFree(port)).toBe(false);
    await new Promise((resolve) => server.close(resolve));
    expect(await runner.portFree(port)).toBe(true);
  });
});
