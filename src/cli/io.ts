import * as fs from "fs";
import * as readline from "readline";
import { maskSecrets } from "./mask";

/** Where the CLI writes: the terminal plus, while a deployment runs, its transcript file. All text is masked. */
export interface Output {
  /**
   * True when stdout is a terminal and CI is not set: live progress overwrites one status line cut to the
   * terminal's width. Otherwise progress is printed line by line (with reminders while a resource is slow).
   */
  readonly isTTY: boolean;
  /** A normal line on stdout. */
  out(line: string): void;
  /** A warning or error line on stderr. */
  err(line: string): void;
  /** A transient status line (overwritten in place on a terminal, dropped otherwise); "" removes it. */
  status(line: string): void;
  /** Writes to the transcript only (full terraform output that is too noisy for the screen). */
  logOnly(line: string): void;
  /** Copies every following line into `file` (appending) until the returned function is called. */
  tee(file: string): () => void;
}

/** A terminal stream: node's tty.WriteStream has `columns` and emits "resize". */
type TerminalStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** True when the environment says the output is a CI log (CI=true or CI=1, as CI services set it). */
export function isCiEnvironment(env: NodeJS.ProcessEnv): boolean {
  const ci = (env.CI ?? "").toLowerCase();
  return ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * `line` cut to fit in `columns - 1` characters (the last column is left free: writing into it makes some
 * terminals wrap, which is what leaves one stale line per refresh). Counts code points, so an emoji or a
 * box-drawing character takes one place, as in a terminal.
 */
export function fitToWidth(line: string, columns: number): string {
  const room = Math.max(1, columns - 1);
  const chars = [...line];
  if (chars.length <= room) return line;
  return room === 1 ? "…" : `${chars.slice(0, room - 1).join("")}…`;
}

/** Writes lines to two streams, masking credentials, with an optional transcript file. */
export class StreamOutput implements Output {
  readonly isTTY: boolean;
  private transcripts: number[] = [];
  private statusShown = false;
  /** The last status (masked, uncut), redrawn at the new width when the terminal is resized. */
  private lastStatus = "";
  /** Characters of the status as drawn, to tell how many rows a narrower terminal re-wrapped it into. */
  private drawnWidth = 0;

  constructor(
    private readonly stdout: TerminalStream,
    private readonly stderr: NodeJS.WritableStream,
    private readonly secrets: string[] = [],
    options: { plain?: boolean } = {},
  ) {
    this.isTTY = Boolean(stdout.isTTY) && !options.plain;
    if (this.isTTY && typeof stdout.on === "function") stdout.on("resize", () => this.redrawAfterResize());
  }

  out(line: string): void {
    this.write(this.stdout, line);
  }

  err(line: string): void {
    this.write(this.stderr, line);
  }

  status(line: string): void {
    if (!this.isTTY) return;
    this.lastStatus = maskSecrets(line, this.secrets);
    if (this.lastStatus === "") {
      if (this.statusShown) this.stdout.write("\r\x1b[2K");
      this.statusShown = false;
      return;
    }
    this.draw("\r\x1b[2K");
  }

  /** Terminal width (80 when the stream does not say). */
  private columns(): number {
    return this.stdout.columns && this.stdout.columns > 0 ? this.stdout.columns : 80;
  }

  private draw(erase: string): void {
    const fitted = fitToWidth(this.lastStatus, this.columns());
    this.stdout.write(`${erase}${fitted}`);
    this.drawnWidth = [...fitted].length;
    this.statusShown = true;
  }

  /**
   * After a resize, terminals that reflow (tmux, VTE, iTerm2) may have wrapped the drawn status over several
   * rows: go up to its first row and clear to the end of the screen before drawing it at the new width.
   */
  private redrawAfterResize(): void {
    if (!this.statusShown) return;
    const rows = Math.max(1, Math.ceil(this.drawnWidth / this.columns()));
    this.draw(`\r${rows > 1 ? `\x1b[${rows - 1}A` : ""}\x1b[J`);
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
      this.lastStatus = "";
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
