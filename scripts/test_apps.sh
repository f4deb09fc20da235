#!/usr/bin/env bash
# The Python side's checks, each in the environment it belongs to (installed first if missing):
#   ruff (lint + format check) over apps/
#   .venvs/py312 (3.12): every test under apps/tests; the app contract tests pick the 3.12 apps
#   .venvs/py39  (3.9):  the serving, state-store and app contract tests (those pick the -py39/_py39 apps)
#   .venvs/train (3.11): the test files that importorskip a training library (sklearn, torch), which the serving
#                        envs do not have, so they are not only skipped
# pytest's exit 5 (nothing collected) counts as a pass; any other failure fails the script, after all steps ran.
# Usage: bash scripts/test_apps.sh [extra pytest args]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)

bash scripts/python_envs.sh || { echo "test-apps: could not create the Python environments"; exit 1; }
# The shared state store's tests start their own redis-server (Debian's package) on a free loopback port.
command -v redis-server >/dev/null || { apt-get update && apt-get install -y redis-server; } || echo "test-apps: could not install redis-server"

failed=()
step() {
  local name=$1
  shift
  echo
  echo "--> $name"
  "$@"
  local rc=$?
  if [ "$rc" -eq 5 ]; then
    echo "--> $name: no tests collected"
  elif [ "$rc" -ne 0 ]; then
    echo "--> $name: FAILED (exit $rc)"
    failed+=("$name")
  fi
}

in_apps() { (cd "$root/apps" && "$@"); }

step "ruff check" in_apps "$root/.venvs/py312/bin/ruff" check .
step "ruff format" in_apps "$root/.venvs/py312/bin/ruff" format --check .

step "pytest py312" in_apps "$root/.venvs/py312/bin/python" -m pytest -q "$@" tests

mapfile -t serving_tests < <(cd apps && ls tests/test_serving_*.py tests/test_store*.py tests/test_apps_contract.py)
step "pytest py39" in_apps "$root/.venvs/py39/bin/python" -m pytest -q "$@" "${serving_tests[@]}"

mapfile -t training_tests < <(cd apps && grep -lE 'importorskip\("(sklearn|torch)' tests/test_*.py)
if [ ${#training_tests[@]} -gt 0 ] && [ -f scripts/setup_train_env.sh ]; then
  step "train env" bash scripts/setup_train_env.sh
  step "pytest train" in_apps "$root/.venvs/train/bin/python" -m pytest -q "$@" "${training_tests[@]}"
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-apps: FAILED steps: ${failed[*]}"
  exit 1
fi
echo "test-apps: all steps passed"
