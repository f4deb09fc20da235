import type { Dependency } from "../types";

/** A requirements.txt line that could not be parsed. */
export interface RequirementProblem {
  /** 1-based line number. */
  line: number;
  /** What is wrong, one line. */
  message: string;
}

/** The dependencies of one requirements.txt and the lines that could not be read. */
export interface ParsedRequirements {
  /** Every requirement line that parsed, in file order. */
  dependencies: Dependency[];
  /** Lines that are neither a requirement, an option, a comment nor blank. */
  problems: RequirementProblem[];
}

// PEP 508 name, optional extras, optional version specifiers, optional environment marker.
const NAME = String.raw`[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?`;
const VERSION = String.raw`[A-Za-z0-9.*+!_-]+`;
const CLAUSE = String.raw`(?:===|==|!=|~=|<=|>=|<|>)\s*${VERSION}`;
const REQUIREMENT = new RegExp(
  String.raw`^(${NAME})\s*(?:\[\s*${NAME}(?:\s*,\s*${NAME})*\s*\])?\s*` + String.raw`(${CLAUSE}(?:\s*,\s*${CLAUSE})*|@\s*\S+)?\s*(?:;.*)?$`,
);
const PINNED = /^==\s*([A-Za-z0-9.+!_-]+)$/;

/** Parses the text of a requirements.txt; pip options (-r, -c, --index-url, ...) are accepted and ignored. */
export function parseRequirements(text: string): ParsedRequirements {
  const dependencies: Dependency[] = [];
  const problems: RequirementProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    // pip treats " #" as the start of a comment; a "#" inside a URL fragment has no space before it.
    const content = raw.replace(/(^|\s)#.*$/, "").trim();
    if (content === "" || content.startsWith("-")) return;
    const match = REQUIREMENT.exec(content);
    if (!match) {
      problems.push({ line, message: `not a valid requirement: ${JSON.stringify(content)}` });
      return;
    }
    const specifier = (match[2] ?? "").replace(/\s+/g, "");
    const pinned = PINNED.exec(specifier);
    dependencies.push({ name: match[1], specifier, version: pinned?.[1], line });
  });
  return { dependencies, problems };
}
