import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DockerCli } from "../../src/cli/adapters/docker";
import { assessDockerBuild } from "../../src/cli/docker-checks";
import { formatCheck } from "../../src/cli/doctor";
import { EXIT } from "../../src/cli/errors";
import { fakeWorld } from "./helpers/world";

/** A fake docker binary answering `info` and `buildx version` as a given install would. */
function fakeDocker(info: string, buildx: string | undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dds-fake-docker-"));
  const file = path.join(dir, "docker");
  const buildxLine = buildx === undefined ? 'echo "docker: unknown command: docker buildx" >&2; exit 1' : `echo '${buildx}'`;
  fs.writeFileSync(file, `#!/bin/sh\ncase "$1" in\n  info) echo '${info}' ;;\n  buildx) ${buildxLine} ;;\nesac\n`, { mode: 0o755 });
  return file;
}

describe("DockerCli.imageStore", () => {
  it("sees the containerd snapshotter and the buildx version", async () => {
    const binary = fakeDocker('overlayfs|[["driver-type","io.containerd.snapshotter.v1"]]', "github.com/docker/buildx v0.17.1 a1b2c3");
    expect(await new DockerCli(process.env, binary).imageStore()).toEqual({
      driver: "overlayfs",
      containerdSnapshotter: true,
      buildx: "0.17.1",
    });
  });

  it("sees the classic store and a missing buildx plugin", async () => {
    const binary = fakeDocker('overlay2|[["Backing Filesystem","extfs"],["Supports d_type","true"]]', undefined);
    expect(await new DockerCli(process.env, binary).imageStore()).toEqual({ driver: "overlay2", containerdSnapshotter: false });
  });

  it("says nothing about the store when docker is not installed", async () => {
    expect(await new DockerCli(process.env, "/nonexistent/docker").imageStore()).toEqual({});
  });
});

describe("assessDockerBuild", () => {
  it("warns about the containerd store with the ways out, without failing doctor", () => {
    const [store, buildx] = assessDockerBuild({ containerdSnapshotter: true, driver: "overlayfs" });
    expect(store).toMatchObject({ name: "docker store", ok: false, required: false });
    expect(formatCheck(store!)).toMatch(/^warn .*containerd image store is on.*-> .*containerd-snapshotter.*--build remote.*--image-uri/);
    expect(buildx).toMatchObject({ ok: true, detail: expect.stringMatching(/not installed; not needed by kreuzwerker\/docker 3\.6\.2/) });
  });

  it("passes the classic store", () => {
    expect(assessDockerBuild({ containerdSnapshotter: false, driver: "overlay2", buildx: "0.17.1" }).map((c) => c.ok)).toEqual([
      true,
      true,
    ]);
  });

  it("adds no lines when the daemon could not be asked", () => {
    expect(assessDockerBuild({})).toEqual([]);
    expect(assessDockerBuild(undefined)).toEqual([]);
  });
});

describe("deploy with the containerd image store", () => {
  it("stops before terraform with the store named and the ways out", async () => {
    const world = fakeWorld();
    Object.assign(world.docker, { imageStore: async () => ({ containerdSnapshotter: true, driver: "overlayfs" }) });
    expect(await world.run(["deploy", "--arch", "ecs", "--app", "flask-xgboost-app", "--yes"])).toBe(EXIT.prepared);
    expect(world.out.text).toMatch(/missing: containerd image store is on .* -> .*--build remote/);
    expect(world.terraform.calls.map((call) => call.args[0])).not.toContain("apply");
  });

  it("is no obstacle for --image-uri, which builds nothing", async () => {
    const world = fakeWorld();
    Object.assign(world.docker, { imageStore: async () => ({ containerdSnapshotter: true, driver: "overlayfs" }) });
    await world.run([
      "deploy",
      "--arch",
      "ecs",
      "--app",
      "flask-xgboost-app",
      "--yes",
      "--image-uri",
      "repo/app:1",
      "--health-timeout",
      "0",
    ]);
    expect(world.out.text).not.toMatch(/containerd image store/);
  });
});
