/**
 * `deploy --build remote` through runCli with recording fakes: the targeted apply of the build resources, the
 * uploaded context, the streamed build log, the digest handed to terraform.tfvars, and the failure paths.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { CodeBuildState, LogEvent } from "../../src/cli/adapters/aws";
import { contextFiles, dockerignore } from "../../src/cli/build-context";
import { EXIT } from "../../src/cli/errors";
import { remoteBuildTargets } from "../../src/cli/remote-build";
import { stateText } from "./helpers/fakes";
import { fakeWorld, FakeWorld } from "./helpers/world";
import { REPO_ROOT } from "../helpers/apps";

jest.setTimeout(60_000);

const APP = "flask-xgboost-app";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const BUILD_OUTPUTS = {
  remote_build_project: "ecs-flask-xgboost-app-build",
  remote_build_bucket: "ecs-flask-xgboost-app-src-123",
  remote_build_log_group: "/dds/build/ecs-flask-xgboost-app",
};

/** A world whose CodeBuild answers IN_PROGRESS twice, then `final`, with two log lines on the way. */
function remoteWorld(final: Partial<CodeBuildState>): {
  world: FakeWorld;
  uploads: Array<{ bucket: string; key: string; files: string[] }>;
} {
  const world = fakeWorld();
  world.docker.client = undefined; // no Docker on this laptop: the remote build must not need it
  world.terraform.scripts = {
    init: { lines: ["Terraform has been successfully initialized!"] },
    output: { lines: [JSON.stringify(Object.fromEntries(Object.entries(BUILD_OUTPUTS).map(([k, v]) => [k, { value: v }])))] },
    plan: { lines: ["Plan: 3 to add, 0 to change, 0 to destroy."] },
    apply: {
      lines: ["Apply complete! Resources: 3 added, 0 changed, 0 destroyed."],
      effect: (dir) => fs.writeFileSync(path.join(dir, "terraform.tfstate"), stateText(3, { app_url: "http://x" })),
    },
  };
  const uploads: Array<{ bucket: string; key: string; files: string[] }> = [];
  const states: CodeBuildState[] = [
    { status: "IN_PROGRESS", phase: "PROVISIONING", exported: {} },
    { status: "IN_PROGRESS", phase: "BUILD", logGroup: BUILD_OUTPUTS.remote_build_log_group, logStream: "s1", exported: {} },
    { status: "SUCCEEDED", phase: "COMPLETED", logGroup: BUILD_OUTPUTS.remote_build_log_group, logStream: "s1", exported: {}, ...final },
  ];
  const pages: Array<{ events: LogEvent[]; next: string }> = [
    { events: [{ timestamp: 1, message: "Step 1/12 : FROM python:3.12-slim\n", stream: "s1" }], next: "t1" },
    { events: [{ timestamp: 2, message: "pushed repo@sha256:...\n", stream: "s1" }], next: "t2" },
  ];
  Object.assign(world.aws, {
    putObject: async (_region: string, bucket: string, key: string, file: string) => {
      const listing = spawnSync("python3", ["-m", "zipfile", "-l", file], { encoding: "utf8" });
      expect(listing.status).toBe(0);
      const files = listing.stdout
        .split("\n")
        .slice(1)
        .map((line) => line.split(/\s{2,}/)[0]!.trim())
        .filter(Boolean);
      uploads.push({ bucket, key, files });
    },
    startBuild: async (_region: string, project: string, location: string) => `${project}:build-1@${location}`,
    buildState: async () => states.shift() ?? states[states.length - 1],
    logStreamEvents: async (_region: string, _group: string, _stream: string, token?: string) =>
      token === undefined ? pages[0] : token === "t1" ? pages[1] : { events: [], next: token },
  });
  return { world, uploads };
}

describe("deploy --build remote", () => {
  test("applies the build resources first, uploads the context, streams the log, and deploys the pushed digest", async () => {
    const { world, uploads } = remoteWorld({ exported: { IMAGE_DIGEST: DIGEST } });
    const code = await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--build", "remote", "--health-timeout", "0"]);
    expect(world.out.errors.join("\n")).not.toMatch(/docker/i);
    expect(code).toBe(EXIT.ok);

    const calls = world.terraform.calls.map((call) => call.args);
    expect(calls.map((args) => args[0])).toEqual(["init", "apply", "output", "plan", "apply"]);
    const targets = calls[1]!.filter((arg) => arg.startsWith("-target="));
    expect(targets).toEqual(
      expect.arrayContaining([
        "-target=aws_ecr_repository.image_repository",
        "-target=aws_codebuild_project.image_remote_build_project",
        "-target=aws_s3_bucket_public_access_block.image_remote_build_source_private",
      ]),
    );
    expect(targets.some((target) => /fargate|ecs_service/.test(target))).toBe(false);
    expect(calls[4]).toContain("tfplan");

    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ bucket: BUILD_OUTPUTS.remote_build_bucket, key: "source/context.zip" });
    expect(uploads[0]!.files).toEqual(expect.arrayContaining([`${APP}/app.py`, `${APP}/manifest.json`, "fraudkit/__init__.py"]));
    expect(uploads[0]!.files.some((file) => file.startsWith("tests/") || file.startsWith("flask-cnn-app-py39/"))).toBe(false);

    expect(world.out.text).toContain("  [build] Step 1/12 : FROM python:3.12-slim");
    expect(world.out.text).toContain("  [build] pushed repo@sha256:...");
    const dir = path.join(world.ctx.repoRoot, `deployment_ecs_${APP}`);
    expect(fs.readFileSync(path.join(dir, "terraform.tfvars"), "utf8")).toContain(`image_digest = "${DIGEST}"`);
    expect(fs.readFileSync(path.join(dir, "main.tf"), "utf8")).toContain('resource "aws_codebuild_project" "image_remote_build_project"');
  });

  test("a failed build stops before the full apply and says which phase failed", async () => {
    const { world } = remoteWorld({ status: "FAILED", phase: "COMPLETED", failure: "BUILD FAILED: exit status 1" });
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--build", "remote"])).toBe(EXIT.failed);
    expect(world.terraform.calls.map((call) => call.args[0])).toEqual(["init", "apply", "output"]);
    expect(world.out.text).toMatch(/remote image build failed \(BUILD FAILED: exit status 1\)/);
  });

  test("a build that exports no digest is a failure, not a deployment of an empty image", async () => {
    const { world } = remoteWorld({ exported: {} });
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--build", "remote"])).toBe(EXIT.failed);
    expect(world.terraform.calls.map((call) => call.args[0])).not.toContain("plan");
  });

  test("--build must be local or remote", async () => {
    const world = fakeWorld();
    expect(await world.run(["deploy", "--arch", "ecs", "--app", APP, "--yes", "--build", "cloud"])).toBe(EXIT.usage);
    expect(world.terraform.calls).toEqual([]);
  });
});

describe("the build context", () => {
  test("holds the app, fraudkit, the constraints and the template, minus .dockerignore", () => {
    const files = contextFiles(path.join(REPO_ROOT, "apps"), "flask-logreg-app", "Dockerfile");
    expect(files).toEqual(
      expect.arrayContaining(["Dockerfile", ".dockerignore", "constraints/py312.txt", "fraudkit/serving/docker/install.sh"]),
    );
    expect(files).toContain("flask-logreg-app/app.py");
    expect(files.some((file) => /__pycache__|\.pyc$/.test(file))).toBe(false);
    expect(files.some((file) => file.startsWith("flask-xgboost-app/") || file.startsWith("tests/"))).toBe(false);
  });

  test.each([
    ["**/__pycache__", "fraudkit/__pycache__/x.pyc", true],
    ["**/*.pyc", "a/b/c.pyc", true],
    ["tests", "tests/test_x.py", true],
    ["tests", "fraudkit/tests.py", false],
    ["*.md", "README.md", true],
    ["*.md", "fraudkit/README.md", false],
  ])("%s excludes %s: %s", (pattern, file, expected) => {
    expect(dockerignore(pattern)(file)).toBe(expected);
  });

  test("a later ! rule brings a file back", () => {
    expect(dockerignore("model\n!model/keep.json")("model/keep.json")).toBe(false);
    expect(dockerignore("model\n!model/keep.json")("model/drop.bin")).toBe(true);
  });

  test("remoteBuildTargets picks the image resources only", () => {
    const tf = [
      'resource "aws_ecr_repository" "image_repository" {',
      'resource "aws_ecs_service" "fargate_service" {',
      'data "aws_region" "image_x" {',
    ];
    expect(remoteBuildTargets(tf.join("\n"))).toEqual(["aws_ecr_repository.image_repository"]);
  });
});
