import * as fs from "fs";
import * as path from "path";
import {
  advance,
  describePlan,
  describeProgress,
  dueReminders,
  errorExcerpt,
  formatElapsed,
  initialProgress,
  ProgressState,
} from "../../src/cli/progress";

function feed(lines: string[], start: ProgressState = initialProgress()): { state: ProgressState; events: string[] } {
  let state = start;
  const events: string[] = [];
  for (const line of lines) {
    const next = advance(state, line);
    state = next.state;
    if (next.event) events.push(next.event);
  }
  return { state, events };
}

describe("terraform progress", () => {
  test("counts completed resources against the plan's total", () => {
    const { state, events } = feed([
      "Plan: 3 to add, 1 to change, 1 to destroy.",
      "aws_vpc.main: Creating...",
      "aws_vpc.main: Creation complete after 2s [id=vpc-1]",
      "aws_subnet.a: Still creating... [10s elapsed]",
      "data.aws_region.current: Read complete after 0s",
      "aws_subnet.a: Creation complete after 12s [id=subnet-1]",
      "aws_sg.old: Destruction complete after 1s",
      "aws_ecs_service.app: Modifications complete after 3s",
    ]);
    expect(state.total).toBe(5);
    expect(state.done).toBe(4);
    expect(events).toEqual(["aws_vpc.main created", "aws_subnet.a created", "aws_sg.old destroyed", "aws_ecs_service.app modified"]);
    expect(describeProgress(state, 65_000)).toMatch(/^4\/5 resources, 1m05s elapsed/);
  });

  test("an Error line marks the run failed; the excerpt starts at the error, box drawing removed", () => {
    const lines = ["aws_vpc.main: Creating...", "╷", "│ Error: creating VPC: UnauthorizedOperation", "│ ", "│   with aws_vpc.main,", "╵"];
    expect(feed(lines).state.failed).toBe(true);
    expect(errorExcerpt(lines)).toEqual(["Error: creating VPC: UnauthorizedOperation", "  with aws_vpc.main,"]);
  });

  test("without an Error line the excerpt is the last lines", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    expect(errorExcerpt(lines, 5)).toEqual(["line 25", "line 26", "line 27", "line 28", "line 29"]);
  });

  test.each([
    [0, "0s"],
    [59_999, "59s"],
    [60_000, "1m00s"],
    [3_725_000, "1h02m"],
  ])("formatElapsed(%d) = %s", (ms, text) => expect(formatElapsed(ms)).toBe(text));
});

describe("terraform -json events (recorded from terraform 1.11.4: __tests__/fixtures/terraform-json)", () => {
  const fixture = (name: string): string[] =>
    fs
      .readFileSync(path.join(__dirname, "..", "fixtures", "terraform-json", `${name}.jsonl`), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "");
  const replay = (lines: string[]): { state: ProgressState; events: string[] } => {
    let state = initialProgress();
    const events: string[] = [];
    for (const line of lines) {
      const next = advance(state, line, Date.parse((JSON.parse(line) as { "@timestamp": string })["@timestamp"]));
      state = next.state;
      if (next.event) events.push(next.event);
    }
    return { state, events };
  };

  test("plan: the planned changes by type and name, and the counts", () => {
    const { state } = replay(fixture("plan"));
    expect(state.plannedCounts).toEqual({ add: 2, change: 0, remove: 0 });
    expect(state.total).toBe(2);
    expect(state.planned.map((change) => `${change.action} ${change.type} ${change.name}`)).toEqual([
      "create terraform_data fast",
      "create terraform_data slow",
    ]);
    expect(describePlan(state.planned)).toEqual(["  create (2):", "    + terraform_data fast", "    + terraform_data slow"]);
  });

  test("apply: finished resources with terraform's elapsed time, outputs, nothing left in flight", () => {
    const { state, events } = replay(fixture("apply"));
    expect(events).toEqual(["terraform_data.fast created after 0s", "terraform_data.slow created after 12s"]);
    expect(state.done).toBe(2);
    expect(state.inFlight).toEqual({});
    expect(state.appliedCounts).toEqual({ add: 2, change: 0, remove: 0 });
    expect(state.outputs).toEqual({ url: "http://example.test:8502" });
    expect(state.failed).toBe(false);
  });

  test("apply_progress keeps the resource in flight with terraform's elapsed seconds", () => {
    const lines = fixture("apply");
    const upToProgress = lines.slice(0, lines.findIndex((line) => line.includes('"apply_progress"')) + 1);
    const { state } = replay(upToProgress);
    expect(Object.keys(state.inFlight)).toEqual(["terraform_data.slow"]);
    expect(state.inFlight["terraform_data.slow"]?.elapsedSeconds).toBe(10);
    const now = Date.parse("2026-12-02T14:28:38.796Z");
    expect(describeProgress(state, 10_000, now)).toBe("1 resources, 10s elapsed (creating: terraform_data.slow 10s)");
  });

  test("destroy (apply -destroy): destroyed resources counted", () => {
    const { state, events } = replay(fixture("destroy"));
    expect(events.every((event) => / destroyed after \d+s$/.test(event))).toBe(true);
    expect(events).toHaveLength(2);
    expect(state.appliedCounts).toEqual({ add: 0, change: 0, remove: 2 });
  });

  test("a failed apply: the errored resource and the diagnostic with its detail and address", () => {
    const { state, events } = replay(fixture("failed"));
    expect(state.failed).toBe(true);
    expect(events).toContain("terraform_data.broken[0] failed while creating after 0s");
    expect(state.errors).toEqual([
      "Error: local-exec provisioner error",
      "  Error running command 'exit 3': exit status 3. Output:",
      "  with terraform_data.broken[0]",
    ]);
    expect(errorExcerpt(fixture("failed"))[0]).toBe("Error: local-exec provisioner error");
  });

  test.each([
    ["ec2-moto-apply", "created", { add: 19, change: 0, remove: 0 }],
    ["ec2-moto-destroy", "destroyed", { add: 0, change: 0, remove: 19 }],
  ])("%s (EC2 deployment against moto, via the CLI): 19 resources %s, none left in flight", (name, verb, counts) => {
    const { state, events } = replay(fixture(name));
    expect(events).toHaveLength(19);
    expect(events.every((event) => event.includes(` ${verb} after `))).toBe(true);
    expect(state.done).toBe(19);
    expect(state.inFlight).toEqual({});
    expect(state.appliedCounts).toEqual(counts);
    expect(state.failed).toBe(false);
  });

  test("describePlan groups create, replace, change and destroy and keeps instance keys and modules apart", () => {
    const planned = [
      { address: "aws_lb.alb", type: "aws_lb", name: "alb", action: "create" },
      { address: "aws_ecs_service.app", type: "aws_ecs_service", name: "app", action: "update" },
      { address: "module.net.aws_subnet.public[1]", type: "aws_subnet", name: "public", action: "delete" },
      { address: "aws_instance.app", type: "aws_instance", name: "app", action: "replace" },
      { address: "aws_iam_role_policy.task", type: "aws_iam_role_policy", name: "task", action: "create" },
      { address: "aws_iam_role.task", type: "aws_iam_role", name: "task", action: "create" },
    ];
    expect(describePlan(planned)).toEqual([
      "  create (3):",
      "    + aws_iam_role task",
      "    + aws_iam_role_policy task",
      "    + aws_lb alb",
      "  replace (1):",
      "    -/+ aws_instance app",
      "  change (1):",
      "    ~ aws_ecs_service app",
      "  destroy (1):",
      "    - aws_subnet public[1] (module.net)",
    ]);
  });
});

describe("reminders while a resource is slow (pipe / CI)", () => {
  const start = (address: string): string =>
    JSON.stringify({ type: "apply_start", hook: { resource: { addr: address }, action: "create" } });

  test("a line after 15 s in flight and every 15 s after, until the resource finishes", () => {
    const lastSaid = new Map<string, number>();
    let state = advance(initialProgress(), start("aws_lb.alb"), 0).state;
    const said: string[] = [];
    for (let now = 1000; now <= 50_000; now += 1000)
      said.push(...dueReminders(state, now, lastSaid).map((line) => `${now / 1000}: ${line}`));
    expect(said).toEqual([
      "15: aws_lb.alb: still creating, 15s",
      "30: aws_lb.alb: still creating, 30s",
      "45: aws_lb.alb: still creating, 45s",
    ]);
    state = advance(
      state,
      JSON.stringify({ type: "apply_complete", hook: { resource: { addr: "aws_lb.alb" }, action: "create" } }),
      51_000,
    ).state;
    expect(dueReminders(state, 70_000, lastSaid)).toEqual([]);
    expect(lastSaid.size).toBe(0);
  });

  test("terraform's own elapsed count wins when it is further than the clock", () => {
    const state = advance(
      initialProgress(),
      JSON.stringify({ type: "apply_progress", hook: { resource: { addr: "aws_db.x" }, action: "delete", elapsed_seconds: 120 } }),
      0,
    ).state;
    expect(dueReminders(state, 15_000, new Map())).toEqual(["aws_db.x: still destroying, 2m00s"]);
  });
});
