import { capture } from "./process";

/** The Docker checks the CLI needs (the image itself is built and pushed by terraform's docker provider). */
export interface DockerAdapter {
  /** Client version, or undefined when docker is not installed. */
  clientVersion(): Promise<string | undefined>;
  /** Daemon version, or undefined with the reason when the daemon cannot be reached. */
  daemon(): Promise<{ version?: string; reason?: string }>;
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
}
