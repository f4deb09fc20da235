/** The EC2 boot script's quoting, checked by bash itself: every value comes out as exactly one literal word. */
import { spawnSync } from "child_process";
import { TerraformLocal, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { ec2UserData } from "../../src/constructs/ec2-deployment";
import { shellCommand, shellQuote } from "../../src/validation/shell";

const VALUES = ["plain", "it's", "'$(id)'", "`id`", "a b\tc\nd", '"; id; "', "${HOME}", "%{x}", "\\", "ü€😀", "-e", ""];

/** What bash prints for `printf '%s\0' WORDS...`. */
function bashWords(script: string): string[] {
  const result = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  return result.stdout.split("\0").slice(0, -1);
}

describe("shellQuote", () => {
  test.each(VALUES)("%j is one word with exactly that value", (value) => {
    expect(bashWords(`printf '%s\\0' ${shellQuote(value)}`)).toEqual([value]);
  });

  test("a command line of quoted words splits back into the same words", () => {
    expect(bashWords(`printf '%s\\0' ${shellCommand(VALUES)}`)).toEqual(VALUES);
  });
});

describe("EC2 boot script", () => {
  /** Terraform's replace(x, "'", "'\\''") as the boot script's template asks for it, applied to a value. */
  const terraformQuoted = (script: string, ref: string, value: string) =>
    script.split(`\${replace(${ref}, "'", "'\\\\''")}`).join(value.replace(/'/g, "'\\''"));

  test.each(VALUES.filter((v) => v !== ""))("a Terraform-time value %j reaches the shell as one literal word", (value) => {
    // Synthesized for real, so the quoting is what CDKTF writes into the Terraform.
    const stack = new TerraformStack(Testing.app(), "boot");
    const variable = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    const userData = ec2UserData({
      image: variable("image_uri"),
      region: variable("region"),
      logGroup: "/dds/app",
      port: 8502,
      healthPath: "/health",
      appName: "flask-app",
      environment: [{ name: "MODE", value }],
    });
    new TerraformLocal(stack, "script", userData);
    const script = (JSON.parse(Testing.synth(stack)) as { locals: { script: string } }).locals.script;
    const preamble = script.split("\n").filter((line) => /^(IMAGE|REGION|LOG_GROUP)=/.test(line));
    expect(preamble).toHaveLength(3);
    const filled = terraformQuoted(terraformQuoted(preamble.join("\n"), "var.image_uri", value), "var.region", `${value}-r`);
    const envFlag = /-e MODE=('(?:[^']|'\\'')*'|\S+)/.exec(script)?.[1] ?? "";
    expect(bashWords(`${filled}\nprintf '%s\\0' "$IMAGE" "$REGION" "$LOG_GROUP" ${envFlag}`)).toEqual([
      value,
      `${value}-r`,
      "/dds/app",
      value,
    ]);
  });

  test("the whole script parses (bash -n) and the image is only ever used quoted", () => {
    const script = ec2UserData({
      image: "repo/app:1",
      region: "us-east-1",
      logGroup: "/dds/app",
      port: 8502,
      healthPath: "/health",
      appName: "flask-app",
      secrets: [{ name: "API_KEY", parameter: "/fraud/api-key" }],
    });
    expect(spawnSync("bash", ["-n"], { input: script }).status).toBe(0);
    expect(script).not.toMatch(/[^"]\$IMAGE[^"]/);
    expect(() =>
      ec2UserData({
        image: "x",
        region: "r",
        logGroup: "g",
        port: 8502,
        healthPath: "/h",
        appName: "a",
        environment: [{ name: "A;B", value: "1" }],
      }),
    ).toThrow(/not an environment variable name/);
  });
});
