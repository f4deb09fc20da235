import * as fs from "fs";
import * as path from "path";
import { EXIT } from "../../src/cli/errors";
import { cliVersion, unknownCommand } from "../../src/cli/main";
import { COMMANDS, EXAMPLES } from "../../src/cli/registry";
import { stateText } from "./helpers/fakes";
import { tf } from "./helpers/tf-events";
import { fakeWorld, FakeWorld } from "./helpers/world";

const APP = "flask-cnn-app-py39";
const OUTPUTS = {
  app_url: "http://fraud-alb-123.us-east-1.elb.amazonaws.com",
  ecr_repository_url: "1.dkr.ecr.us-east-1.amazonaws.com/dds/x",
};

function world(): FakeWorld {
  const w = fakeWorld();
  w.terraform.scripts = {
    init: { lines: ["Terraform has been successfully initialized!"] },
    plan: { lines: [tf.planned("aws_lb.alb"), tf.planned("aws_ecs_service.app"), tf.summary("plan", 2, 0, 0)] },
    apply: {
      lines: [
        tf.start("aws_lb.alb"),
        tf.complete("aws_lb.alb", 3),
        tf.complete("aws_ecs_service.app", 5),
        tf.summary("apply", 2, 0, 0),
        tf.outputs(OUTPUTS),
      ],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(2, OUTPUTS)),
    },
    destroy: {
      lines: [tf.complete("aws_lb.alb", 2, "delete"), tf.summary("destroy", 0, 0, 2)],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(0)),
    },
  };
  return w;
}

/** stdout must be exactly one JSON object. */
function outcome(w: FakeWorld): Record<string, unknown> {
  return JSON.parse(w.out.lines.join("\n")) as Record<string, unknown>;
}

describe("--json outcome", () => {
  test("deploy: URL, outputs, counts, folder on stdout; the human lines on stderr", async () => {
    const w = world();
    expect(await w.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--json"])).toBe(EXIT.ok);
    const result = outcome(w);
    expect(result).toMatchObject({
      command: "deploy",
      ok: true,
      exitCode: 0,
      reason: null,
      app: APP,
      arch: "ecs_alb",
      folder: `deployment_ecs_alb_${APP}`,
      url: OUTPUTS.app_url,
      outputs: OUTPUTS,
      counts: { planned: { add: 2, change: 0, remove: 0 }, applied: { add: 2, change: 0, remove: 0 } },
    });
    expect((result.steps as Array<{ step: string }>).map((step) => step.step)).toEqual(["init", "plan", "apply"]);
    expect(w.out.errors.join("\n")).toContain("[1/2] aws_lb.alb created");
  });

  test("plan: the changes by type and name", async () => {
    const w = world();
    expect(await w.run(["plan", "--arch", "ecs-alb", "--app", APP, "--json"])).toBe(EXIT.ok);
    expect(outcome(w).changes).toEqual([
      { action: "create", type: "aws_lb", name: "alb", address: "aws_lb.alb" },
      { action: "create", type: "aws_ecs_service", name: "app", address: "aws_ecs_service.app" },
    ]);
    expect(w.out.errors).toEqual(expect.arrayContaining(["  create (2):", "    + aws_ecs_service app", "    + aws_lb alb"]));
  });

  test("a failure still prints the JSON, with the exit code and the reason, and exits the same", async () => {
    const w = world();
    w.terraform.scripts.apply = { lines: [tf.error("creating ELBv2 Load Balancer: AccessDenied")], code: 1 };
    expect(await w.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes", "--json"])).toBe(EXIT.failed);
    const result = outcome(w);
    expect(result).toMatchObject({ ok: false, exitCode: EXIT.failed });
    expect(result.reason).toMatch(/terraform apply failed \(exit code 1\)/);
    expect(result.details).toContain("Error: creating ELBv2 Load Balancer: AccessDenied");
  });

  test("destroy: counts of the destroy", async () => {
    const w = world();
    expect(await w.run(["deploy", "--arch", "ecs-alb", "--app", APP, "--yes"])).toBe(EXIT.ok);
    w.out.lines.length = 0;
    expect(await w.run(["destroy", "--arch", "ecs-alb", "--app", APP, "--yes", "--json"])).toBe(EXIT.ok);
    expect(outcome(w)).toMatchObject({ command: "destroy", ok: true, counts: { applied: { add: 0, change: 0, remove: 2 } } });
  });

  test("doctor: every check, and ok false with the exit code when one fails", async () => {
    const w = world();
    w.aws.credentialsError = "Unable to locate credentials";
    const code = await w.run(["doctor", "--json"]);
    const result = outcome(w);
    expect(code).toBe(EXIT.failed);
    expect(result).toMatchObject({ command: "doctor", ok: false, exitCode: EXIT.failed });
    const checks = result.checks as Array<{ name: string; ok: boolean }>;
    expect(checks.find((check) => check.name === "AWS credentials")?.ok).toBe(false);
  });
});

describe("CLI surface", () => {
  test("--version prints package.json's version", async () => {
    const w = fakeWorld();
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    expect(cliVersion()).toBe(pkg.version);
    expect(await w.run(["--version"])).toBe(EXIT.ok);
    expect(w.out.lines).toEqual([pkg.version]);
  });

  test.each([
    ["lsit", "list"],
    ["serv", "serve"],
    ["destory", "destroy"],
    ["doctr", "doctor"],
  ])("a typo (%s) is a usage error suggesting %s", async (typo, suggestion) => {
    const w = fakeWorld();
    expect(await w.run([typo, "--app", "1"])).toBe(EXIT.usage);
    expect(w.out.errors[0]).toBe(`error: unknown command "${typo}"; did you mean "${suggestion}"? (--help lists the commands)`);
    expect(w.terraform.calls).toEqual([]);
  });

  test("a word far from every command gets no suggestion; flags and known commands are left to yargs", () => {
    expect(unknownCommand(["zzzzzz"], ["list", "deploy"])?.message).toBe('unknown command "zzzzzz" (--help lists the commands)');
    expect(unknownCommand(["--help"], ["list"])).toBeUndefined();
    expect(unknownCommand(["list", "--json"], ["list"])).toBeUndefined();
    expect(unknownCommand([], ["list"])).toBeUndefined();
  });

  test("an unknown flag is a usage error", async () => {
    const w = fakeWorld();
    expect(await w.run(["list", "--jsn"])).toBe(EXIT.usage);
    expect(w.out.errors[0]).toContain("Unknown argument: jsn");
  });

  test("completion prints a bash completion script and runs nothing else", async () => {
    const w = fakeWorld();
    expect(await w.run(["completion"])).toBe(EXIT.ok);
    const script = w.out.lines.join("\n");
    expect(script).toContain("dynamic_deployment_system.sh --get-yargs-completions");
    expect(script).toContain("complete -o bashdefault -o default -F");
    expect(script).not.toContain("Select infrastructure");
  });

  test.each(COMMANDS.map((def) => [def.command]))("%s --help shows its own flags and an example", async (name) => {
    const w = fakeWorld();
    expect(await w.run(name === "$0" ? ["--help"] : [name, "--help"])).toBe(EXIT.ok);
    const help = w.out.lines.join("\n");
    expect(EXAMPLES[name]?.length).toBeGreaterThan(0);
    expect(help).toContain("Examples:");
    if (name !== "$0") {
      expect(help).not.toMatch(/^Commands:/m);
      // --lock-table belongs to bootstrap-state only: no other command's help may show it.
      if (name === "bootstrap-state") expect(help).toContain("--lock-table");
      else expect(help).not.toContain("--lock-table");
    }
  });
});
