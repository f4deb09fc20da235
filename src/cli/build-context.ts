import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

/** The folders and files of apps/ one app's image is built from (the rest of apps/ is other apps). */
export function contextRoots(appName: string, dockerfile: string): string[] {
  return [...new Set([appName, "fraudkit", "constraints", dockerfile, ".dockerignore"])];
}

/** A .dockerignore pattern as a matcher of slash-separated paths relative to the context. */
function patternMatcher(pattern: string): (rel: string) => boolean {
  const clean = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  let source = "";
  for (let i = 0; i < clean.length; i++) {
    const char = clean[i];
    if (char === "*" && clean[i + 1] === "*") {
      source += clean[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += clean[i + 2] === "/" ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A pattern that names a folder excludes everything in it.
  const regex = new RegExp(`^${source}(?:/.*)?$`);
  return (rel) => regex.test(rel);
}

/** The .dockerignore rules of a context: true when docker would leave the path out (last matching rule wins). */
export function dockerignore(text: string): (rel: string) => boolean {
  const rules = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) =>
      line.startsWith("!") ? { keep: true, match: patternMatcher(line.slice(1)) } : { keep: false, match: patternMatcher(line) },
    );
  return (rel) => {
    let ignored = false;
    for (const rule of rules) if (rule.match(rel)) ignored = !rule.keep;
    return ignored;
  };
}

/** Files (relative, slash-separated) of the app's build context, sorted, respecting apps/.dockerignore. */
export function contextFiles(appsDir: string, appName: string, dockerfile: string): string[] {
  const ignorePath = path.join(appsDir, ".dockerignore");
  const ignored = dockerignore(fs.existsSync(ignorePath) ? fs.readFileSync(ignorePath, "utf8") : "");
  const files: string[] = [];
  const walk = (rel: string): void => {
    if (ignored(rel) && rel !== dockerfile && rel !== ".dockerignore") return;
    const full = path.join(appsDir, rel);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) for (const child of fs.readdirSync(full).sort()) walk(`${rel}/${child}`);
    else if (stat.isFile()) files.push(rel);
  };
  for (const root of contextRoots(appName, dockerfile)) walk(root);
  return files.sort();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Writes `files` (relative to `root`) to a zip archive (deflate, fixed 1980 timestamps so the same sources give
 * the same bytes). Small enough to need no zip tool on the user's machine.
 */
export function writeZip(root: string, files: string[], target: string): { bytes: number; files: number } {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const rel of files) {
    const data = fs.readFileSync(path.join(root, rel));
    const packed = zlib.deflateRawSync(data);
    const name = Buffer.from(rel, "utf8");
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x031e, 4); // made by Unix, so the mode below counts
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(0, 12);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(((0o100644 << 16) >>> 0) as number, 38);
    entry.writeUInt32LE(offset, 42);
    chunks.push(local, name, packed);
    central.push(entry, name);
    offset += local.length + name.length + packed.length;
  }
  const centralSize = central.reduce((sum, chunk) => sum + chunk.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  const archive = Buffer.concat([...chunks, ...central, end]);
  fs.writeFileSync(target, archive);
  return { bytes: archive.length, files: files.length };
}
