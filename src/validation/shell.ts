import { Fn, Token } from "cdktf";

/** Characters a POSIX shell word may hold unquoted (no globbing, expansion or word splitting). */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * One POSIX shell word that stands for exactly `value`: bare when it holds only safe characters, otherwise in
 * single quotes, inside which the shell interprets nothing; a single quote itself is closed, escaped and reopened.
 */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (SAFE_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * `shellQuote` for a value known only when Terraform runs (a variable, a resource attribute): the quoting is
 * done by Terraform's replace() inside the template, so whatever the value becomes, it stays one literal word.
 */
export function shellQuoteTerraform(value: string): string {
  if (!Token.isUnresolved(value)) return shellQuote(value);
  // CDKTF copies string arguments into the expression unescaped: the backslash is written as HCL needs it.
  return `'${Token.asString(Fn.replace(value, "'", `'\\\\''`))}'`;
}

/** A command line for people to copy: each word shell-quoted. */
export function shellCommand(words: ReadonlyArray<string | number>): string {
  return words.map(shellQuote).join(" ");
}
