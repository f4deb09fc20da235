/**
 * The live progress in a real terminal: tmux runs the CLI's terraform step (helpers/progress-driver.js) in
 * an 80-column pane while a scripted destroy reports 30 resources whose status line is far wider than 80
 * columns. A status line that wraps leaves one stale row per refresh; the screen must hold none, also after
 * the pane is resized in the middle of the run. Needs tmux (scripts/test_all.sh installs it).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const DRIVER = path.join(__dirname, "helpers", "progress-driver.js");
const REPO = path.join(__dirname, "..", "..");

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", `dds-test-${process.pid}`, ...args], { encoding: "utf8" });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the driver in a detached tmux session of `width` columns and returns the whole pane history. */
async function runInTmux(width: number, env: Record<string, string>, during?: (session: string) => Promise<void>): Promise<string[]> {
  const session = `p${Math.random().toString(36).slice(2, 8)}`;
  const exports = Object.entries(env)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  tmux("new-session", "-d", "-s", session, "-x", String(width), "-y", "50", `cd ${REPO} && env ${exports} node ${DRIVER}; sleep 60`);
  try {
    if (during) await during(session);
    const capture = (): string => tmux("capture-pane", "-p", "-S", "-", "-t", session);
    await until(() => capture().includes("DRIVER-FINISHED") || capture().includes("DRIVER-FAILED"), 60_000);
    return capture()
      .split("\n")
      .filter((line) => line.trim() !== "");
  } finally {
    tmux("kill-session", "-t", session);
  }
}

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

describe("live progress in a terminal (tmux)", () => {
  test("tmux is installed (scripts/test_all.sh installs it)", () => {
    expect(hasTmux).toBe(true);
  });

  (hasTmux ? test : test.skip)(
    "at 80 columns no stale status line is left; every resource gets its line",
    async () => {
      const lines = await runInTmux(80, { DRIVER_RESOURCES: "30", CI: "" });
      expect(lines.filter((line) => line.startsWith("[destroy]"))).toEqual([]);
      expect(lines.filter((line) => /^ {2}\[\d+\/30\] /.test(line))).toHaveLength(30);
      expect(lines).toContain("DRIVER-FINISHED");
    },
    90_000,
  );

  (hasTmux ? test : test.skip)(
    "a resize from 80 to 50 columns mid-run is redrawn without stale rows",
    async () => {
      const signal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dds-tmux-")), "half");
      const lines = await runInTmux(80, { DRIVER_RESOURCES: "20", DRIVER_RESIZE_SIGNAL: signal, CI: "" }, async (session) => {
        await until(() => fs.existsSync(signal), 30_000);
        tmux("resize-window", "-t", session, "-x", "50");
      });
      expect(lines.filter((line) => line.startsWith("[destroy]") || /^\S*elapsed/.test(line))).toEqual([]);
      expect(lines.join("\n")).toContain("destroy done: 20/20 resources");
    },
    90_000,
  );

  (hasTmux ? test : test.skip)(
    "with CI=true the terminal gets plain lines only (no carriage-return redraws)",
    async () => {
      const lines = await runInTmux(80, { DRIVER_RESOURCES: "5", CI: "true" });
      expect(lines.filter((line) => line.startsWith("[destroy]"))).toEqual([]);
      expect(lines.join("\n")).toContain("destroy done: 5/5 resources");
    },
    90_000,
  );
});
