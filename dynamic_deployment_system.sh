#!/usr/bin/env bash
# Entry point of the deployment system: installs the runtime Node dependencies on first run (npm ci
# --omit=dev: no test, lint or cdktf-cli tooling; scripts/test_all.sh adds those), compiles the
# TypeScript CLI when a source is newer than the build, then hands every argument and stdin to it.
# No arguments = the interactive menu; `./dynamic_deployment_system.sh --help` lists the commands.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENTRY="$ROOT/dist/src/cli/bin.js"
# tsc --incremental leaves unchanged outputs alone, so freshness is judged by a stamp touched after each build.
STAMP="$ROOT/dist/.cli-build-stamp"

# Setup output goes to stderr so `list --json` and friends keep a clean stdout; npm and tsc get
# /dev/null as stdin so they can never swallow the menu answers piped to this script.
if ! command -v node >/dev/null 2>&1; then
  echo "error: node is not installed (Node.js >= 20 is required: https://nodejs.org/)" >&2
  exit 1
fi
if [ ! -d "$ROOT/node_modules" ]; then
  echo "First run: installing the runtime Node dependencies (npm ci --omit=dev)..." >&2
  (cd "$ROOT" && npm ci --omit=dev --no-audit --no-fund </dev/null >&2) || { echo "error: npm ci failed" >&2; exit 1; }
fi
if [ ! -f "$ENTRY" ] || [ ! -f "$STAMP" ] || [ -n "$(find "$ROOT/src" "$ROOT/main.ts" "$ROOT/tsconfig.json" -newer "$STAMP" -print -quit 2>/dev/null)" ]; then
  echo "Building the CLI (npm run build)..." >&2
  (cd "$ROOT" && npm run --silent build </dev/null >&2) || { echo "error: the build failed (npm run build)" >&2; exit 1; }
  touch "$STAMP"
fi

export DDS_REPO_ROOT="${DDS_REPO_ROOT:-$ROOT}"
exec node "$ENTRY" "$@"
