import type { CheckovSkip } from "../constructs/checkov";

/**
 * Turns CDKTF's Terraform JSON into HCL that reads like hand-written Terraform. CDKTF 0.21's own HCL
 * renderer (`hclOutput`) drops variable defaults of "" and quotes references in lifecycle blocks, so the
 * JSON, which CDKTF gets right, is the source. Objects are nested blocks except the map attributes below.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Attributes whose object value is a map, not a nested block. */
const MAP_ATTRIBUTES = new Set(["tags", "tags_all", "triggers", "required_providers", "dimensions", "build_args", "request_parameters"]);
/** Attributes holding references that HCL writes bare (JSON must quote them). */
const REFERENCE_LISTS = new Set(["ignore_changes", "depends_on", "replace_triggered_by"]);

const INDENT = "  ";

function isObject(value: Json): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A key as HCL accepts it: bare identifier or quoted. */
function renderKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : JSON.stringify(key);
}

/** Splits a Terraform template into literal text and ${...} interpolations (nested braces and strings respected). */
export function splitTemplate(text: string): Array<{ literal: string } | { expression: string }> {
  const parts: Array<{ literal: string } | { expression: string }> = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "$${";
      i += 3;
    } else if (text.startsWith("${", i)) {
      let depth = 1;
      let j = i + 2;
      let inString = false;
      for (; j < text.length && depth > 0; j++) {
        const c = text[j];
        if (inString) {
          if (c === "\\") j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{") depth++;
        else if (c === "}") depth--;
      }
      if (literal !== "") parts.push({ literal });
      literal = "";
      parts.push({ expression: text.slice(i + 2, j - 1) });
      i = j;
    } else {
      literal += text[i];
      i++;
    }
  }
  if (literal !== "") parts.push({ literal });
  return parts;
}

/**
 * An expression with terraform fmt's spacing inside one-line object braces (`{ "a" = 1 }`, as CDKTF writes
 * `jsonencode({"a" = 1})`). String literals are copied untouched, so `${...}` inside them is left alone.
 */
export function spaceObjectBraces(expression: string): string {
  let out = "";
  for (let i = 0; i < expression.length; i += 1) {
    const c = expression[i];
    if (c === '"') {
      let j = i + 1;
      while (j < expression.length && expression[j] !== '"') j += expression[j] === "\\" ? 2 : 1;
      out += expression.slice(i, j + 1);
      i = j;
    } else if (c === "{" && expression[i + 1] !== "}" && expression[i + 1] !== " " && expression[i + 1] !== "\n") {
      out += "{ ";
    } else if (c === "}" && !/[\s{]$/.test(out)) {
      out += " }";
    } else {
      out += c;
    }
  }
  return out;
}

/** Text for inside an HCL quoted string: backslash, quote and control characters escaped (template sequences untouched). */
function escapeQuoted(text: string): string {
  const named: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\\"\u0000-\u001f\u007f\u2028\u2029]/g, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * The one writer of user-supplied text into HCL (terraform.tfvars, variable defaults, backend settings): a quoted
 * string whose value is exactly `value`. Quotes, backslashes and control characters are escaped, and `${` / `%{`
 * doubled, because every HCL string is a template: unescaped, they would be interpolations or directives.
 */
export function hclString(value: string): string {
  return `"${escapeQuoted(value.replace(/([$%])\{/g, "$1$1{"))}"`;
}

/** A literal value (no template, no reference) as HCL: strings through hclString, numbers and booleans bare. */
export function hclLiteral(value: string | number | boolean): string {
  return typeof value === "string" ? hclString(value) : String(value);
}

/** A JSON string as an HCL expression: a bare expression, a quoted template, or a heredoc for multi-line text. */
export function renderString(text: string, indent: string): string {
  const parts = splitTemplate(text);
  if (parts.length === 1 && "expression" in parts[0]) return spaceObjectBraces(parts[0].expression);
  // A line that is only the delimiter (indented or not) would end the heredoc early: quote such text instead.
  if (text.includes("\n") && !/^\s*EOT\s*$/m.test(text)) {
    const body = parts.map((p) => ("literal" in p ? p.literal : `\${${p.expression}}`)).join("");
    return `<<-EOT\n${body
      .replace(/\n$/, "")
      .split("\n")
      .map((line) => indent + INDENT + line)
      .join("\n")}\n${indent}${INDENT}EOT`;
  }
  return `"${parts.map((p) => ("literal" in p ? escapeQuoted(p.literal) : `\${${p.expression}}`)).join("")}"`;
}

/** A JSON value as an HCL expression (attribute value). */
function renderValue(value: Json, indent: string, key?: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return renderString(value, indent);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item) =>
      key !== undefined && REFERENCE_LISTS.has(key) && typeof item === "string"
        ? item.replace(/^\$\{(.*)\}$/s, "$1")
        : renderValue(item, indent + INDENT),
    );
    const inline = `[${items.join(", ")}]`;
    if (inline.length <= 80 && !inline.includes("\n")) return inline;
    return `[\n${items.map((item) => `${indent}${INDENT}${item},`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([k]) => k !== "//");
  if (entries.length === 0) return "{}";
  const lines = alignAttributes(
    entries.map(([k, v]) => [renderKey(k), renderValue(v, indent + INDENT)]),
    indent + INDENT,
  );
  return `{\n${lines.join("\n")}\n${indent}}`;
}

/**
 * `key = value` lines aligned as terraform fmt aligns them: the `=` of consecutive attributes line up; a
 * value spanning lines in brackets stands alone and ends the run (a heredoc does not).
 */
function alignAttributes(attributes: Array<[string, string]>, indent: string): string[] {
  const lines: string[] = [];
  let run: Array<[string, string]> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map(([k]) => k.length));
    lines.push(...run.map(([k, v]) => `${indent}${k.padEnd(width)} = ${v}`));
    run = [];
  };
  for (const [key, value] of attributes) {
    if (value.includes("\n") && !value.startsWith("<<")) {
      flush();
      lines.push(`${indent}${key} = ${value}`);
    } else {
      run.push([key, value]);
    }
  }
  flush();
  return lines;
}

/** Which attributes of a block hold literal values (no template, no reference), e.g. a variable's default. */
type LiteralKeys = (key: string) => boolean;
const NO_LITERALS: LiteralKeys = () => false;

/** The body of a block: attributes first (aligned like terraform fmt), then nested blocks. */
function renderBody(body: JsonObject, indent: string, comments: string[] = [], literal: LiteralKeys = NO_LITERALS): string {
  const attributes: Array<[string, string]> = [];
  const blocks: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    const blockItems =
      isObject(value) && !MAP_ATTRIBUTES.has(key)
        ? [value]
        : Array.isArray(value) && value.length > 0 && value.every(isObject) && !MAP_ATTRIBUTES.has(key)
          ? value
          : undefined;
    if (blockItems) {
      for (const item of blockItems as JsonObject[])
        blocks.push(`${indent}${renderKey(key)} {\n${renderBody(item, indent + INDENT)}${indent}}`);
    } else if (literal(key) && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) {
      attributes.push([renderKey(key), hclLiteral(value)]);
    } else {
      attributes.push([renderKey(key), renderValue(value, indent, key)]);
    }
  }
  const lines = [
    ...comments.map((c) => `${indent}${c}`),
    ...alignAttributes(attributes, indent),
    ...(attributes.length > 0 && blocks.length > 0 ? [""] : []),
    ...blocks,
  ];
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function block(header: string, body: JsonObject, comments: string[] = [], literal: LiteralKeys = NO_LITERALS): string {
  return `${header} {\n${renderBody(body, INDENT, comments, literal)}}\n`;
}

/** Terraform never evaluates templates in these: what they hold is taken as written. */
const VARIABLE_LITERALS: LiteralKeys = (key) => key === "default" || key === "description";
const OUTPUT_LITERALS: LiteralKeys = (key) => key === "description";
const BACKEND_LITERALS: LiteralKeys = () => true;

/** The `terraform {}` block: required_providers entries are attributes, the backend a labelled block. */
function renderTerraformBlock(settings: JsonObject): string {
  const lines: string[] = ["terraform {"];
  const providers = settings.required_providers;
  if (isObject(providers)) {
    lines.push(`${INDENT}required_providers {`);
    for (const [name, spec] of Object.entries(providers)) lines.push(`${INDENT}${INDENT}${name} = ${renderValue(spec, INDENT + INDENT)}`);
    lines.push(`${INDENT}}`);
  }
  const backend = settings.backend;
  if (isObject(backend)) {
    for (const [name, config] of Object.entries(backend)) {
      lines.push(
        "",
        `${INDENT}backend "${name}" {`,
        renderBody(config as JsonObject, INDENT + INDENT, [], BACKEND_LITERALS).trimEnd(),
        `${INDENT}}`,
      );
    }
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Renders a whole Terraform JSON document as HCL, with checkov skip comments (keyed "type.name") inside their resources and data sources. */
export function terraformJsonToHcl(doc: JsonObject, skips: Map<string, CheckovSkip[]> = new Map()): string {
  const out: string[] = [];
  if (isObject(doc.terraform)) out.push(renderTerraformBlock(doc.terraform));
  for (const [name, configs] of Object.entries((doc.provider ?? {}) as JsonObject)) {
    for (const config of (Array.isArray(configs) ? configs : [configs]) as JsonObject[]) out.push(block(`provider "${name}"`, config));
  }
  for (const [name, spec] of Object.entries((doc.variable ?? {}) as JsonObject)) {
    // A variable's type is a type constraint, written bare (string, number, bool), not a string.
    const { type, ...rest } = spec as JsonObject;
    out.push(block(`variable "${name}"`, type === undefined ? rest : { type: `\${${String(type)}}`, ...rest }, [], VARIABLE_LITERALS));
  }
  if (isObject(doc.locals)) out.push(block("locals", doc.locals));
  for (const kind of ["data", "resource"] as const) {
    for (const [type, instances] of Object.entries((doc[kind] ?? {}) as JsonObject)) {
      for (const [name, body] of Object.entries(instances as JsonObject)) {
        const comments = (skips.get(`${type}.${name}`) ?? []).map((s) => `#checkov:skip=${s.id}:${s.reason}`);
        out.push(block(`${kind} "${type}" "${name}"`, body as JsonObject, comments));
      }
    }
  }
  for (const [name, spec] of Object.entries((doc.output ?? {}) as JsonObject))
    out.push(block(`output "${name}"`, spec as JsonObject, [], OUTPUT_LITERALS));
  return out.join("\n");
}
