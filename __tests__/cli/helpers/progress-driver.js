/**
 * Runs the CLI's real terraform step (runTerraformStep + StreamOutput on this process's terminal) against a
 * scripted terraform that destroys `DRIVER_RESOURCES` resources with long addresses, so the status line is
 * far wider than an 80-column terminal. Used inside tmux by progress-terminal.test.ts.
 * The TypeScript sources are transpiled on require (no type check), so no build is needed.
 */
const fs = require("fs");
const os = require("os");
const path = require("path");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const { StreamOutput, isCiEnvironment } = require("../../../src/cli/io.ts");
const { runTerraformStep } = require("../../../src/cli/terraform-step.ts");

const count = Number(process.env.DRIVER_RESOURCES || "40");
const pauseMs = Number(process.env.DRIVER_PAUSE_MS || "40");
const resource = (i) => `module.fraud_detection_service.aws_cloudwatch_metric_alarm.very_long_alarm_name_for_testing_${i}`;
const event = (type, address, fields) =>
  JSON.stringify({
    "@message": `${address}: ${type}`,
    type,
    hook: { resource: { addr: address, resource_type: "aws_cloudwatch_metric_alarm", resource_name: "x" }, action: "delete", ...fields },
  });

const terraform = {
  binary: "terraform",
  version: async () => "1.11.4",
  run: (_args, _cwd, _env, onLine) => {
    const done = (async () => {
      onLine(JSON.stringify({ type: "change_summary", changes: { add: 0, change: 0, remove: count, operation: "plan" } }));
      for (let i = 0; i < count; i += 1) {
        onLine(event("apply_start", resource(i), {}));
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
        if (i === Math.floor(count / 2) && process.env.DRIVER_RESIZE_SIGNAL) fs.writeFileSync(process.env.DRIVER_RESIZE_SIGNAL, "half");
        if (i === Math.floor(count / 2) && process.env.DRIVER_RESIZE_SIGNAL) await new Promise((resolve) => setTimeout(resolve, 1500));
        onLine(event("apply_complete", resource(i), { elapsed_seconds: 0 }));
      }
      onLine(JSON.stringify({ type: "change_summary", changes: { add: 0, change: 0, remove: count, operation: "destroy" } }));
      return 0;
    })();
    return { done, interrupt: () => undefined };
  },
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-progress-"));
const out = new StreamOutput(process.stdout, process.stderr, [], { plain: isCiEnvironment(process.env) });
const ctx = {
  out,
  env: {},
  adapters: { terraform },
  clock: { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  signals: { onInterrupt: () => () => undefined },
};
runTerraformStep(ctx, { label: "destroy", args: ["destroy", "-auto-approve"], dir, env: {}, interruptHints: [] }).then(
  () => {
    out.out("DRIVER-FINISHED");
    fs.rmSync(dir, { recursive: true, force: true });
  },
  (error) => {
    out.err(`DRIVER-FAILED ${error.message}`);
    process.exitCode = 1;
  },
);
