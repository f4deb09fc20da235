import { CliError, EXIT } from "../../src/cli/errors";
import { chooseFromMenu, confirm } from "../../src/cli/prompts";
import { RecordingOutput, ScriptedInput } from "./helpers/fakes";

const items = [
  { label: "EC2", value: "ec2", aliases: ["ec2"] },
  { label: "ECS", value: "ecs", aliases: ["ecs"] },
];

describe("prompts", () => {
  test("a number or an alias chooses; the answer is echoed on a pipe", async () => {
    const out = new RecordingOutput();
    expect(await chooseFromMenu(new ScriptedInput(["2"]), out, "Pick:", items)).toBe("ecs");
    expect(out.lines).toEqual(["Pick:", "   1) EC2", "   2) ECS", "Choose 1-2:", "> 2"]);
    expect(await chooseFromMenu(new ScriptedInput(["EC2"]), new RecordingOutput(), "Pick:", items)).toBe("ec2");
  });

  test("on a terminal a wrong answer is asked again", async () => {
    const out = new RecordingOutput(true);
    expect(await chooseFromMenu(new ScriptedInput(["9", "x", "1"], true), out, "Pick:", items)).toBe("ec2");
    expect(out.lines.filter((line) => line.includes("is not a valid answer"))).toHaveLength(2);
  });

  test.each([
    [["9"], /invalid answer "9"/],
    [["0"], /invalid answer "0"/],
    [[], /end of input/],
  ])("on a pipe, %j is a usage error", async (answers, message) => {
    const attempt = chooseFromMenu(new ScriptedInput(answers), new RecordingOutput(), "Pick:", items);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toMatchObject({ exitCode: EXIT.usage });
    await expect(attempt).rejects.toBeInstanceOf(CliError);
  });

  test.each([
    ["y", true],
    ["YES", true],
    ["n", false],
    ["", false],
  ])("confirm(%j) = %s", async (answer, expected) => {
    expect(await confirm(new ScriptedInput([answer]), new RecordingOutput(), "Deploy?")).toBe(expected);
  });

  test("confirm at end of input is a usage error, not a silent no", async () => {
    await expect(confirm(new ScriptedInput([]), new RecordingOutput(), "Deploy?")).rejects.toMatchObject({ exitCode: EXIT.usage });
  });
});
