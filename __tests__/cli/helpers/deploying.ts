import * as fs from "fs";
import * as path from "path";
import { stateText } from "./fakes";
import { fakeWorld, type FakeWorld } from "./world";

/** A fake world whose terraform plans 3 resources, applies them with these outputs, and destroys them all. */
export function deployingWorld(outputs: Record<string, string>): FakeWorld {
  const world = fakeWorld();
  world.terraform.scripts = {
    plan: { lines: ["Plan: 3 to add, 0 to change, 0 to destroy."] },
    apply: {
      lines: ["Apply complete! Resources: 3 added, 0 changed, 0 destroyed."],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(3, outputs)),
    },
    destroy: { effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(0)) },
  };
  return world;
}

/** The kinds of the fake AWS calls a command made, in order ("ssm-read", "ecs-restart", ...), without describes. */
export function awsCallKinds(world: FakeWorld): string[] {
  return world.aws.calls.map((call) => call.split(":")[0]).filter((kind) => kind !== "ssm-describe");
}
