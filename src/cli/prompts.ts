import { CliError, EXIT } from "./errors";
import type { LineInput, Output } from "./io";

/** One numbered entry of a menu. */
export interface MenuItem<T> {
  /** Text shown after the number. */
  label: string;
  /** What choosing it returns. */
  value: T;
  /** Other accepted answers besides the number (e.g. the app name), compared case-insensitively. */
  aliases?: string[];
}

/**
 * Reads one answer. On a terminal a wrong answer is asked again; on a pipe, a wrong answer or
 * end of input is a usage error, because nobody is there to correct it.
 */
async function ask<T>(
  input: LineInput,
  output: Output,
  question: string,
  parse: (answer: string) => T | undefined,
  expected: string,
): Promise<T> {
  for (;;) {
    output.out(question);
    const line = await input.nextLine();
    if (line === undefined) {
      throw new CliError(`end of input while waiting for an answer to "${question.trim()}" (expected ${expected})`, EXIT.usage);
    }
    if (!input.isTTY) output.out(`> ${line}`);
    const value = parse(line.trim());
    if (value !== undefined) return value;
    if (!input.isTTY) throw new CliError(`invalid answer "${line.trim()}" to "${question.trim()}" (expected ${expected})`, EXIT.usage);
    output.out(`"${line.trim()}" is not a valid answer; expected ${expected}.`);
  }
}

/** Prints a numbered menu and returns the chosen item's value. */
export async function chooseFromMenu<T>(input: LineInput, output: Output, title: string, items: MenuItem<T>[]): Promise<T> {
  output.out(title);
  items.forEach((item, index) => output.out(`  ${String(index + 1).padStart(2)}) ${item.label}`));
  const parse = (answer: string): T | undefined => {
    if (/^\d+$/.test(answer)) return items[Number(answer) - 1]?.value;
    const lower = answer.toLowerCase();
    return items.find((item) => (item.aliases ?? []).some((alias) => alias.toLowerCase() === lower))?.value;
  };
  return ask(input, output, `Choose 1-${items.length}:`, parse, `a number from 1 to ${items.length}`);
}

/** Asks a y/N question; an empty answer means no. */
export async function confirm(input: LineInput, output: Output, question: string): Promise<boolean> {
  const parse = (answer: string): boolean | undefined => {
    const lower = answer.toLowerCase();
    if (lower === "y" || lower === "yes") return true;
    if (lower === "" || lower === "n" || lower === "no") return false;
    return undefined;
  };
  return ask(input, output, `${question} [y/N]:`, parse, "y or n");
}
