import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PassThrough } from "stream";
import { StreamLineInput, StreamOutput } from "../../src/cli/io";

describe("StreamLineInput", () => {
  test("hands one piped line to each question, then reports end of input", async () => {
    const stream = new PassThrough();
    stream.end("3\n1\r\ny\n");
    const input = new StreamLineInput(stream);
    expect(input.isTTY).toBe(false);
    expect([await input.nextLine(), await input.nextLine(), await input.nextLine(), await input.nextLine()]).toEqual([
      "3",
      "1",
      "y",
      undefined,
    ]);
  });

  test("waits for a line that arrives later", async () => {
    const stream = new PassThrough();
    const input = new StreamLineInput(stream);
    const pending = input.nextLine();
    stream.write("late\n");
    expect(await pending).toBe("late");
    input.close();
  });
});

describe("StreamOutput", () => {
  test("masks credentials on screen and in the transcript, and stops copying after untee", () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dds-io-")), "deploy.log");
    const output = new StreamOutput(stdout, stderr, ["my-secret-value"]);
    const untee = output.tee(file);
    output.out("key AKIAIOSFODNN7EXAMPLE");
    output.logOnly("terraform says my-secret-value");
    output.err("oops");
    untee();
    output.out("after");
    expect(String(stdout.read())).toBe("key ****\nafter\n");
    expect(String(stderr.read())).toBe("oops\n");
    expect(fs.readFileSync(file, "utf8")).toBe("key ****\nterraform says ****\noops\n");
  });
});
