/**
 * The registry is exhaustive at compile time: the real src/architectures (and the alarm and schedule dispatch)
 * compiled with the TypeScript compiler, once as they are and once with a fourth architecture id added, as
 * someone would start adding one. Only the edited files differ; every other file is read from src/.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
const IDS = path.join(ROOT, "src/architectures/ids.ts");
const INDEX = path.join(ROOT, "src/architectures/index.ts");
const WORKLOAD = path.join(ROOT, "src/constructs/workload.ts");
const ENTRIES = [INDEX, path.join(ROOT, "src/constructs/alarm-specs.ts"), path.join(ROOT, "src/constructs/schedule.ts")];

const config = ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile);
const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
const compilerOptions: ts.CompilerOptions = { ...options, noEmit: true, incremental: false, tsBuildInfoFile: undefined };

let previous: ts.Program | undefined;

/** The diagnostics of the entries with `edits` (file -> text transform) applied, as "file: message" lines. */
function compile(edits: Record<string, (text: string) => string> = {}): string[] {
  const host = ts.createCompilerHost(compilerOptions);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => {
    const text = readFile(file);
    const edit = edits[path.resolve(file)];
    return text === undefined || edit === undefined ? text : edit(text);
  };
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, create) => getSourceFile(file, language, onError, create || path.resolve(file) in edits);
  const program = ts.createProgram({ rootNames: ENTRIES, options: compilerOptions, host, oldProgram: previous });
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

/** Adds "lambda" to the id tuple. */
const fourthId = (text: string): string => {
  const edited = text.replace('"ecs_alb"] as const', '"ecs_alb", "lambda"] as const');
  expect(edited).not.toBe(text);
  return edited;
};

describe("adding an architecture", () => {
  test("the registry as it is compiles", () => {
    expect(compile()).toEqual([]);
  }, 120_000);

  test("a fourth id without a definition is a compile error naming the missing one", () => {
    const errors = compile({ [IDS]: fourthId });
    expect(errors[0]).toMatch(
      /^src\/architectures\/index\.ts: Type .* does not satisfy the expected type 'Record<"ec2" \| "ecs" \| "ecs_alb" \| "lambda", ArchitectureDefinition>'\.\n\s*Property 'lambda' is missing in type/,
    );
    // The lookup that indexes the registry by id fails too; nothing outside the registry does.
    expect(errors.every((error) => error.startsWith("src/architectures/index.ts: "))).toBe(true);
  }, 120_000);

  test("a fourth definition without a builder is a compile error naming the missing member", () => {
    const withoutBuilder = (text: string): string => {
      const edited = text.replace(
        "  ecs_alb: ecsAlb,\n",
        "  ecs_alb: ecsAlb,\n" +
          "  lambda: {\n" +
          '    id: "lambda", flag: "lambda", label: "AWS Lambda", shortLabel: "Lambda", compute: "fargate", url: "output",\n' +
          '    loadBalancer: false, defaultStateStore: "memory", alarmVariables: [],\n' +
          "    variables: () => ({}), costSizes: () => ({}), cost: () => undefined,\n" +
          "  },\n",
      );
      expect(edited).not.toBe(text);
      return edited;
    };
    const errors = compile({ [IDS]: fourthId, [INDEX]: withoutBuilder });
    expect(errors[0]).toMatch(
      /^src\/architectures\/index\.ts: Property 'build' is missing in type '.*' but required in type 'ArchitectureDefinition'\.$/,
    );
    // The lookup that returns a definition by id fails for the same reason; nothing outside the registry does.
    expect(errors.every((error) => error.startsWith("src/architectures/index.ts: ") && error.includes("'build' is missing"))).toBe(true);
  }, 120_000);

  test("a new kind of compute without its alarms and schedule calls is a compile error in both dispatches", () => {
    const newWorkload = (text: string): string => {
      const edited = text.replace(
        "export type Workload = Ec2Workload | EcsWorkload;",
        'export type Workload = Ec2Workload | EcsWorkload | { kind: "lambda"; functionName: string };',
      );
      expect(edited).not.toBe(text);
      return edited;
    };
    const errors = compile({ [WORKLOAD]: newWorkload });
    expect(errors).toEqual([
      expect.stringMatching(/^src\/constructs\/alarm-specs\.ts: Function lacks ending return statement/),
      expect.stringMatching(/^src\/constructs\/schedule\.ts: Function lacks ending return statement/),
    ]);
  }, 120_000);
});

test("the fixture edits apply to the files as they are", () => {
  expect(fs.readFileSync(IDS, "utf8")).toContain('"ecs_alb"] as const');
  expect(fs.readFileSync(INDEX, "utf8")).toContain("  ecs_alb: ecsAlb,\n");
  expect(fs.readFileSync(WORKLOAD, "utf8")).toContain("export type Workload = Ec2Workload | EcsWorkload;");
});
