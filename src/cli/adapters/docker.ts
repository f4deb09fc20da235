import { capture } from "./process";

/** The Docker checks the CLI needs (the image itself is built and pushed by terraform's docker provider). */
export interface DockerAdapter {
  /** Client version, or undefined when docker is not installed. */
  clientVersion(): Promise<string | undefined>;
  /** Daemon version, or undefined with the reason when the daemon cannot be reached. */
  daemon(): Promise<{ version?: string; reason?: string }>;
  /** How the daemon stores images and whether buildx is installed (optional: fakes may leave it out). */
  imageStore?(): Promise<DockerImageStore>;
}

/** The parts of a Docker install that decide whether the docker provider can build (see docker-checks.ts). */
export interface DockerImageStore {
  /** True when images live in the containerd image store (io.containerd.snapshotter.v1); undefined: no daemon. */
  containerdSnapshotter?: boolean;
  /** The daemon's storage driver, e.g. "overlay2" or "overlayfs". */
  driver?: string;
  /** buildx plugin version, undefined when the plugin is missing. */
  buildx?: string;
}

/** The real adapter: runs the docker client. */
export class DockerCli implements DockerAdapter {
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly binary: string = "docker",
  ) {}

  async clientVersion(): Promise<string | undefined> {
    try {
      const result = await capture(this.binary, ["version", "--format", "{{.Client.Version}}"], { env: this.env });
      return /\d+\.\d+(\.\d+)?/.exec(result.stdout)?.[0];
    } catch {
      return undefined;
    }
  }

  async daemon(): Promise<{ version?: string; reason?: string }> {
    try {
      const result = await capture(this.binary, ["info", "--format", "{{.ServerVersion}}"], { env: this.env });
      const version = /\d+\.\d+(\.\d+)?/.exec(result.stdout)?.[0];
      if (result.code === 0 && version) return { version };
      const reason = result.stderr.split("\n").find((line) => line.trim() !== "") ?? "no answer from the daemon";
      return { reason: reason.trim() };
    } catch {
      return { reason: "docker is not installed" };
    }
  }

  async imageStore(): Promise<DockerImageStore> {
    const run = async (args: string[]) => {
      try {
        return await capture(this.binary, args, { env: this.env });
      } catch {
        return undefined;
      }
    };
    const [info, buildx] = await Promise.all([run(["info", "--format", "{{.Driver}}|{{json .DriverStatus}}"]), run(["buildx", "version"])]);
    const store: DockerImageStore = {};
    if (info && info.code === 0) {
      const [driver, status] = info.stdout.trim().split("|", 2);
      store.driver = driver;
      store.containerdSnapshotter = /io\.containerd\.snapshotter/.test(status ?? "");
    }
    if (buildx && buildx.code === 0) store.buildx = /v?(\d+\.\d+(\.\d+)?)/.exec(buildx.stdout)?.[1];
    return store;
  }
}
