/** Exit codes of the CLI; documented in the help file and README. */
export const EXIT = {
  /** Everything asked for was done. */
  ok: 0,
  /** An operation failed (terraform, docker, health check, AWS call). */
  failed: 1,
  /** Bad input: unknown app or architecture, invalid menu answer, end of input, bad flag value. */
  usage: 2,
  /** The deployment folder was written but nothing was deployed because a prerequisite is missing. */
  prepared: 3,
  /** Stopped by Ctrl-C; state kept. */
  interrupted: 130,
} as const;

/** An error the CLI reports as one line (plus optional detail lines) with a chosen exit code. */
export class CliError extends Error {
  /** Process exit code to use. */
  readonly exitCode: number;
  /** Extra lines printed after the message (last log lines, next command, ...). */
  readonly details: string[];

  constructor(message: string, exitCode: number = EXIT.failed, details: string[] = []) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
    this.details = details;
  }
}

/** Raised by adapters when the program they run is not installed. */
export class BinaryMissingError extends Error {
  /** The program that could not be started. */
  readonly binary: string;

  constructor(binary: string) {
    super(`${binary} is not installed or not on PATH`);
    this.name = "BinaryMissingError";
    this.binary = binary;
  }
}

/** One line for any error, never a stack trace (the stack only with DDS_DEBUG=1). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split("\n")[0] || error.name;
  return String(error);
}
