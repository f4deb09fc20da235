#!/usr/bin/env bash
# Prints the absolute path of the python that serves an app, creating its serving env on first use
# (scripts/python_envs.sh --serve: the app's requirements.txt only, under its Python line's constraints; the
# test tools live in the test envs .venvs/py39 and .venvs/py312). Used by the CLI's local `serve`.
# Progress goes to stderr, the path to stdout.
# Usage: bash scripts/app_env.sh <app-name>
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: scripts/app_env.sh <app-name>" >&2
  exit 2
fi
# fraudkit.app_folders reads the app's Python line (the same rules as the deployer's discovery) with the standard library only.
host_python=$(command -v python3 || command -v python)
env=$(PYTHONPATH="$root/apps" "$host_python" -m fraudkit.app_folders "$1")
venv=$(bash "$root/scripts/python_envs.sh" --serve "$1" "$env")
echo "$venv/bin/python"
