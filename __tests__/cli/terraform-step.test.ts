import * as fs from "fs";
import * as path from "path";
import { PassThrough } from "stream";
import type { RunningProcess } from "../../src/cli/adapters/process";
import type { TerraformAdapter } from "../../src/cli/adapters/terraform";
import { fitToWidth, isCiEnvironment, StreamOutput } from "../../src/cli/io";
import { machineReadableArgs, runTerraformStep } from "../../src/cli/terraform-step";
import { RecordingOutput } from "./helpers/fakes";
import { tf } from "./helpers/tf-events";
import { fakeWorld, tempRepo } from "./helpers/world";

describe("machineReadableArgs", () => {
  test.each([
    [
      ["plan", "-input=false", "-no-color", "-out=tfplan"],
      ["plan", "-input=false", "-out=tfplan", "-json"],
    ],
    [
      ["apply", "-input=false", "-no-color", "tfplan"],
      ["apply", "-input=false", "-json", "tfplan"],
    ],
    [
      ["destroy", "-auto-approve", "-input=false", "-no-color"],
      ["apply", "-destroy", "-auto-approve", "-input=false", "-json"],
    ],
    [
      ["init", "-input=false", "-no-color"],
      ["init", "-input=false", "-no-color"],
    ],
  ])("%j runs as %j", (args, expected) => expect(machineReadableArgs(args)).toEqual(expected));
});

/** A terraform whose events the test hands over one at a time while it moves the clock and the timers. */
class SteppedTerraform implements TerraformAdapter {
  readonly binary = "terraform";
  private onLine: (line: string) => void = () => undefined;
  private finish: (code: number) => void = () => undefined;
  args: string[] = [];
  async version(): Promise<string> {
    return "1.11.4";
  }
  run(args: string[], _cwd: string, _env: NodeJS.ProcessEnv, onLine: (line: string) => void): RunningProcess {
    this.args = args;
    this.onLine = onLine;
    return { done: new Promise((resolve) => (this.finish = resolve)), interrupt: () => this.finish(1) };
  }
  emit(line: string): void {
    this.onLine(line);
  }
  exit(code: number): void {
    this.finish(code);
  }
}

describe("runTerraformStep on a pipe or in CI", () => {
  afterEach(() => jest.useRealTimers());

  test("a slow resource gets a line at least every 15 s; terraform.log keeps every event; the plan is listed", async () => {
    jest.useFakeTimers();
    const world = fakeWorld(tempRepo());
    const terraform = new SteppedTerraform();
    const out = new RecordingOutput(false);
    const at: number[] = [];
    const record = out.out.bind(out);
    out.out = (line: string) => {
      at.push(world.clock.now());
      record(line);
    };
    const dir = fs.mkdtempSync(path.join(world.ctx.repoRoot, "deployment_"));
    const ctx = { ...world.ctx, out, adapters: { ...world.ctx.adapters, terraform } };
    const running = runTerraformStep(ctx, {
      label: "apply",
      args: ["apply", "-no-color", "tfplan"],
      dir,
      env: {},
      total: 2,
      interruptHints: [],
    });
    const started = world.clock.now();
    terraform.emit(tf.start("aws_lb.alb"));
    for (let second = 1; second <= 62; second += 1) {
      world.clock.time += 1000;
      jest.advanceTimersByTime(1000);
      if (second % 10 === 0) terraform.emit(tf.progress("aws_lb.alb", second));
    }
    terraform.emit(tf.complete("aws_lb.alb", 62));
    terraform.emit(tf.summary("apply", 1, 0, 0));
    terraform.exit(0);
    await running;

    expect(terraform.args).toEqual(["apply", "-json", "tfplan"]);
    const reminders = out.lines.filter((line) => line.includes("still creating"));
    expect(reminders).toEqual([
      "  aws_lb.alb: still creating, 15s",
      "  aws_lb.alb: still creating, 30s",
      "  aws_lb.alb: still creating, 45s",
      "  aws_lb.alb: still creating, 1m00s",
    ]);
    const gaps = [started, ...at].map((time, i, all) => (i === 0 ? 0 : time - (all[i - 1] as number)));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(15_000);
    expect(out.lines).toContain("  [1/2] aws_lb.alb created after 1m02s");
    expect(out.statuses.filter((line) => line !== "")).toEqual([]);
    const log = fs.readFileSync(path.join(dir, "terraform.log"), "utf8");
    expect(log).toContain("terraform apply -json tfplan");
    expect(log.split("\n").filter((line) => line.startsWith("{"))).toHaveLength(9);
  });

  test("on a terminal: a status line with the resource in flight, no reminder lines, cleared at the end", async () => {
    const world = fakeWorld(tempRepo());
    const terraform = new SteppedTerraform();
    const out = new RecordingOutput(true);
    const dir = fs.mkdtempSync(path.join(world.ctx.repoRoot, "deployment_"));
    const ctx = { ...world.ctx, out, adapters: { ...world.ctx.adapters, terraform } };
    const running = runTerraformStep(ctx, { label: "plan", args: ["plan", "-no-color"], dir, env: {}, interruptHints: [] });
    terraform.emit(tf.planned("aws_lb.alb"));
    terraform.emit(tf.planned("aws_ecs_service.app", "update"));
    terraform.emit(tf.summary("plan", 1, 1, 0));
    terraform.emit(tf.start("aws_lb.alb"));
    world.clock.time += 20_000;
    terraform.emit(tf.progress("aws_lb.alb", 20));
    terraform.exit(0);
    await running;
    expect(out.statuses).toContain("[plan] 0/2 resources, 20s elapsed (creating: aws_lb.alb 20s)");
    expect(out.statuses[out.statuses.length - 1]).toBe("");
    expect(out.lines.filter((line) => line.includes("still"))).toEqual([]);
    expect(out.lines).toEqual([
      "plan done: 1 to create, 1 to change, 0 to destroy, 20s",
      "  create (1):",
      "    + aws_lb alb",
      "  change (1):",
      "    ~ aws_ecs_service app",
    ]);
  });
});

/** A writable that pretends to be a terminal of `columns` columns. */
function fakeTerminal(columns: number): PassThrough & { isTTY: boolean; columns: number } {
  return Object.assign(new PassThrough(), { isTTY: true, columns });
}

describe("status line on a terminal", () => {
  test("fitToWidth leaves the last column free and counts code points", () => {
    expect(fitToWidth("x".repeat(79), 80)).toBe("x".repeat(79));
    expect([...fitToWidth("x".repeat(200), 80)]).toHaveLength(79);
    expect(fitToWidth("x".repeat(200), 80).endsWith("…")).toBe(true);
    expect([...fitToWidth("│".repeat(100), 40)]).toHaveLength(39);
  });

  test("every redraw fits in the terminal's width, so no row is left behind", () => {
    const terminal = fakeTerminal(80);
    const output = new StreamOutput(terminal, new PassThrough());
    for (let i = 0; i < 50; i += 1) output.status(`[destroy] ${i}/131 resources (destroying: ${"module.x.".repeat(20)}aws_lb.alb)`);
    const drawn = String(terminal.read()).split("\r\x1b[2K").filter(Boolean);
    expect(drawn).toHaveLength(50);
    expect(drawn.every((text) => [...text].length <= 79 && !text.includes("\n"))).toBe(true);
  });

  test("a resize redraws the status at the new width, from the first row the old one was re-wrapped into", () => {
    const terminal = fakeTerminal(80);
    const output = new StreamOutput(terminal, new PassThrough());
    output.status("s".repeat(150));
    terminal.read();
    terminal.columns = 30;
    terminal.emit("resize");
    const redraw = String(terminal.read());
    // 79 characters drawn at 80 columns take 3 rows at 30 columns: up 2 rows, clear to the end of the screen.
    expect(redraw).toBe(`\r\x1b[2A\x1b[J${"s".repeat(28)}…`);
  });

  test('a normal line clears the status first; status("") clears it; after that a resize draws nothing', () => {
    const terminal = fakeTerminal(80);
    const output = new StreamOutput(terminal, new PassThrough());
    output.status("working");
    output.out("done");
    output.status("again");
    output.status("");
    terminal.emit("resize");
    expect(String(terminal.read())).toBe("\r\x1b[2Kworking\r\x1b[2Kdone\n\r\x1b[2Kagain\r\x1b[2K");
  });

  test("plain mode (CI) drops status lines even on a terminal", () => {
    const terminal = fakeTerminal(80);
    const output = new StreamOutput(terminal, new PassThrough(), [], { plain: true });
    expect(output.isTTY).toBe(false);
    output.status("working");
    output.out("line");
    expect(String(terminal.read())).toBe("line\n");
  });

  test.each([
    ["true", true],
    ["1", true],
    ["false", false],
    ["0", false],
    ["", false],
  ])("CI=%j is a CI console: %s", (value, expected) => expect(isCiEnvironment({ CI: value })).toBe(expected));
});
