import { advance, describeProgress, errorExcerpt, formatElapsed, initialProgress, ProgressState } from "../../src/cli/progress";

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
