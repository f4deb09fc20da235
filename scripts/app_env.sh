#!/usr/bin/env bash
# Prints the absolute path of the python that serves an app, creating its serving env on first use
# (scripts/python_envs.sh --serve: the app's requirements.txt only, under its Python line's constraints; the
# test tools live in the test envs .venvs/py39 and .venvs/py312). Used by the CLI's local `serve`.
# Progress goes to stderr, the path to stdout.
# Usage: bash scripts/app_env.sh <app-name> [<python X.Y>]
# The CLI passes the Python line its discovery found (X.Y -> env pyXY); without it the line is read from the app
# folder by fraudkit.app_folders (the same rules, standard library only), for use by hand.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
  echo "usage: scripts/app_env.sh <app-name> [<python X.Y>]" >&2
  exit 2
fi
if [ $# -eq 2 ]; then
  if ! [[ "$2" =~ ^3\.[0-9]+$ ]]; then
    echo "error: python version '$2' must be X.Y, such as 3.12" >&2
    exit 2
  fi
  env="py${2//./}"
else
  host_python=$(command -v python3 || command -v python)
  env=$(PYTHONPATH="$root/apps" "$host_python" -m fraudkit.app_folders "$1")
fi
venv=$(bash "$root/scripts/python_envs.sh" --serve "$1" "$env")
echo "$venv/bin/python"
