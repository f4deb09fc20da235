/** A whole CLI context made of recording fakes, in a temporary repository whose apps are the fixtures. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { CliContext } from "../../../src/cli/context";
import { runCli } from "../../../src/cli/main";
import { discoverApps } from "../../../src/discovery";
import { FIXTURE_APPS_DIR } from "../../helpers/apps";
import {
  FakeAws,
  FakeClock,
  FakeDocker,
  FakeHttp,
  FakeLocal,
  FakeSignals,
  FakeSystem,
  FakeTerraform,
  RecordingOutput,
  ScriptedInput,
} from "./fakes";

/** A temporary repository whose apps/ are the fixture apps. */
export function tempRepo(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dds-cli-"));
  fs.symlinkSync(FIXTURE_APPS_DIR, path.join(root, "apps"));
  return root;
}

/** A context made of fakes; override any part. */
export interface FakeWorld {
  ctx: CliContext;
  out: RecordingOutput;
  terraform: FakeTerraform;
  aws: FakeAws;
  docker: FakeDocker;
  system: FakeSystem;
  http: FakeHttp;
  local: FakeLocal;
  clock: FakeClock;
  signals: FakeSignals;
  /** Runs the CLI with these arguments and stdin answers; returns the exit code. */
  run(args: string[], answers?: string[], tty?: boolean): Promise<number>;
}

/** Builds a fresh world in a temporary repository. */
export function fakeWorld(repoRoot: string = tempRepo(), env: NodeJS.ProcessEnv = {}): FakeWorld {
  const world = {
    out: new RecordingOutput(),
    terraform: new FakeTerraform(),
    aws: new FakeAws(),
    docker: new FakeDocker(),
    system: new FakeSystem(),
    http: new FakeHttp(),
    local: new FakeLocal(),
    clock: new FakeClock(),
    signals: new FakeSignals(),
  } as FakeWorld;
  const ctx = (answers: string[], tty: boolean): CliContext => ({
    repoRoot,
    env: { DDS_TF_PLUGIN_MIRROR: "", ...env },
    out: world.out,
    input: new ScriptedInput(answers, tty),
    adapters: {
      terraform: world.terraform,
      aws: world.aws,
      docker: world.docker,
      system: world.system,
      http: world.http,
      local: world.local,
    },
    clock: world.clock,
    signals: world.signals,
    discover: () => discoverApps(path.join(repoRoot, "apps")),
  });
  world.ctx = ctx([], false);
  world.run = (args, answers = [], tty = false) => runCli(args, ctx(answers, tty));
  return world;
}
