import { ARCHITECTURE_DEFINITIONS, architectureDefinitions, parseArchitecture, UnknownArchitectureError } from "../../src/architectures";
import { stackVariableSpecs } from "../../src/stacks/deployment-stack";
import { estimateCost } from "../../src/cost";
import * as fs from "fs";
import * as path from "path";
import { TARGET_LABELS, TARGETS, archFlag, archFlagList } from "../../src/cli/labels";
import { ARCHITECTURES } from "../../src/types";
import { appsUnderTest } from "../helpers/apps";

const apps = appsUnderTest();

describe("the architecture registry", () => {
  test("one definition per id, in the order of the id list, each under its own id", () => {
    expect(Object.keys(ARCHITECTURE_DEFINITIONS)).toEqual([...ARCHITECTURES]);
    expect(architectureDefinitions().map((def) => def.id)).toEqual([...ARCHITECTURES]);
  });

  test("the menu keeps its scripted numbers: 1 EC2, 2 ECS, 3 ECS + ALB, 4 Local (last)", () => {
    expect(TARGETS).toEqual(["ec2", "ecs", "ecs_alb", "local"]);
    expect(TARGETS.map((target) => TARGET_LABELS[target])).toEqual([
      "EC2 (single instance)",
      "ECS Fargate (single environment)",
      "ECS Fargate + Load Balancer (high availability)",
      "Local (run on this machine, no AWS account needed)",
    ]);
  });

  test.each(architectureDefinitions())("$id: its id and its --arch spelling parse back to it, in any case", (def) => {
    for (const text of [def.id, def.flag, ` ${def.flag.toUpperCase()} `]) expect(parseArchitecture(text)).toBe(def.id);
    expect(archFlag(def.id)).toBe(def.flag);
  });

  test("the help file documents every --arch spelling the registry accepts", () => {
    const helpFile = fs.readFileSync(path.join(__dirname, "..", "..", "help"), "utf8");
    expect(helpFile).toContain(`A = ${archFlagList()} `);
  });

  test("an unknown spelling lists every id and the spellings that differ from them", () => {
    expect(() => parseArchitecture("lambda")).toThrow(UnknownArchitectureError);
    expect(() => parseArchitecture("lambda")).toThrow(
      'unknown architecture "lambda"; valid architectures: ec2, ecs, ecs_alb (ecs-alb is accepted for ecs_alb)',
    );
  });

  // The defaults are written once: what main.tf declares is what the estimate prices when no flag is given.
  test.each(architectureDefinitions().flatMap((def) => apps.map((app) => [def.id, app.name, def, app] as const)))(
    "%s / %s: the cost estimate prices the sizes main.tf declares by default",
    (_id, _name, def, app) => {
      const specs = stackVariableSpecs({ app, arch: def.id, region: "us-east-1" });
      const estimate = estimateCost({ arch: def.id, region: "us-east-1", ...def.costSizes({}, app) });
      const compute = estimate.lines[0]!.quantity;
      if (def.compute === "instance") {
        expect(compute).toBe(`1 x ${specs.instance_type!.default}`);
      } else {
        const tasks = specs.min_count?.default ?? specs.desired_count!.default;
        expect(compute).toBe(
          `${tasks} task${tasks === 1 ? "" : "s"} x ${Number(specs.cpu!.default) / 1024} vCPU, ${Number(specs.memory!.default) / 1024} GB`,
        );
      }
    },
  );
});
