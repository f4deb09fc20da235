import * as fs from "fs";
import * as readline from "readline";
import { maskSecrets } from "./mask";

/** Where the CLI writes: the terminal plus, while a deployment runs, its transcript file. All text is masked. */
export interface Output {
  /** True when stdout is a terminal (live progress overwrites one line; otherwise progress is printed line by line). */
  readonly isTTY: boolean;
  /** A normal line on stdout. */
  out(line: string): void;
  /** A warning or error line on stderr. */
  err(line: string): void;
  /** A transient status line (overwritten in place on a terminal, dropped otherwise). */
  status(line: string): void;
  /** Writes to the transcript only (full terraform output that is too noisy for the screen). */
  logOnly(line: string): void;
  /** Copies every following line into `file` (appending) until the returned function is called. */
  tee(file: string): () => void;
}

/** Writes lines to two streams, masking credentials, with an optional transcript file. */
export class StreamOutput implements Output {
  readonly isTTY: boolean;
  private transcripts: number[] = [];
  private statusShown = false;

  constructor(
    private readonly stdout: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly stderr: NodeJS.WritableStream,
    private readonly secrets: string[] = [],
  ) {
    this.isTTY = Boolean(stdout.isTTY);
  }

  out(line: string): void {
    this.write(this.stdout, line);
  }

  err(line: string): void {
    this.write(this.stderr, line);
  }

  status(line: string): void {
    if (!this.isTTY) return;
    this.stdout.write(`\r\x1b[2K${maskSecrets(line, this.secrets)}`);
    this.statusShown = true;
  }

  logOnly(line: string): void {
    this.record(maskSecrets(line, this.secrets));
  }

  tee(file: string): () => void {
    const fd = fs.openSync(file, "a", 0o600);
    this.transcripts.push(fd);
    return () => {
      this.transcripts = this.transcripts.filter((open) => open !== fd);
      fs.closeSync(fd);
    };
  }

  private write(stream: NodeJS.WritableStream, line: string): void {
    const masked = maskSecrets(line, this.secrets);
    if (this.statusShown) {
      this.stdout.write("\r\x1b[2K");
      this.statusShown = false;
    }
    stream.write(`${masked}\n`);
    this.record(masked);
  }

  private record(masked: string): void {
    for (const fd of this.transcripts) fs.writeSync(fd, `${masked}\n`);
  }
}

/** Reads answers one line at a time, from a terminal or a pipe alike. */
export interface LineInput {
  /** True when answers come from a person at a terminal (a wrong answer is asked again). */
  readonly isTTY: boolean;
  /** The next line without its newline, or undefined at end of input. */
  nextLine(): Promise<string | undefined>;
}

/**
 * Line reader over a stream. Lines that arrive before they are asked for are queued, so
 * `echo -e "3\n1\ny" | cli` hands one answer to each question.
 */
export class StreamLineInput implements LineInput {
  readonly isTTY: boolean;
  private readonly queue: string[] = [];
  private waiters: Array<(line: string | undefined) => void> = [];
  private ended = false;
  private reader?: readline.Interface;

  constructor(private readonly stream: NodeJS.ReadableStream & { isTTY?: boolean }) {
    this.isTTY = Boolean(stream.isTTY);
  }

  nextLine(): Promise<string | undefined> {
    this.start();
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve(undefined);
    this.reader?.resume();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops reading so the process can exit while stdin stays open. */
  close(): void {
    this.reader?.close();
  }

  private start(): void {
    if (this.reader) return;
    this.reader = readline.createInterface({ input: this.stream, terminal: false });
    this.reader.on("line", (line) => {
      const waiter = this.waiters.shift();
      if (waiter) waiter(line.replace(/\r$/, ""));
      else this.queue.push(line.replace(/\r$/, ""));
      if (this.waiters.length === 0) this.reader?.pause();
    });
    this.reader.on("close", () => {
      this.ended = true;
      for (const waiter of this.waiters.splice(0)) waiter(undefined);
    });
  }
}
