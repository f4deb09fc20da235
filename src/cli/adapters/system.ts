import * as fs from "fs";
import * as os from "os";
import { capture } from "./process";

/** Facts about this machine that the prerequisite check needs. */
export interface SystemProbe {
  /** Version of `<binary> --version`-style output (first x.y[.z] found), or undefined when not installed. */
  toolVersion(binary: string, args: string[]): Promise<string | undefined>;
  /** Free bytes on the file system holding `dir`. */
  freeDiskBytes(dir: string): number;
  /** Total memory in bytes. */
  totalMemoryBytes(): number;
}

/** The real probe. */
export class LocalSystem implements SystemProbe {
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  async toolVersion(binary: string, args: string[]): Promise<string | undefined> {
    try {
      const result = await capture(binary, args, { env: this.env });
      if (result.code !== 0) return undefined;
      return /\d+\.\d+(\.\d+)?/.exec(`${result.stdout}\n${result.stderr}`)?.[0];
    } catch {
      return undefined;
    }
  }

  freeDiskBytes(dir: string): number {
    const stats = fs.statfsSync(dir);
    return Number(stats.bavail) * Number(stats.bsize);
  }

  totalMemoryBytes(): number {
    return os.totalmem();
  }
}
