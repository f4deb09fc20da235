#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (Node packages, the Python environments,
# the checkov, hadolint and e2e tool environments), then runs every check and prints one closing tally.
# Usage: bash scripts/test_all.sh            (all steps)
#        DDS_TEST_STEPS="jest apps" bash scripts/test_all.sh   (a subset, by step name)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

all_steps="install build lint hadolint jest checkov apps e2e"
steps="${DDS_TEST_STEPS:-$all_steps}"
passed=0
failed=0
failed_names=()

run_step() {
  local name=$1
  shift
  case " $steps " in *" $name "*) ;; *) return 0 ;; esac
  echo
  echo "==> [$name] $*"
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "==> [$name] ok in $((SECONDS - start)) s"
  else
    failed=$((failed + 1))
    failed_names+=("$name")
    echo "==> [$name] FAILED in $((SECONDS - start)) s"
  fi
}

install_node() {
  # npm ci when node_modules is missing, older than the lock file, or a runtime-only install made by
  # ./dynamic_deployment_system.sh (no jest): the suite needs the development tools too.
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -x node_modules/.bin/jest ]; then
    npm ci --no-audit --no-fund || return 1
  fi
  # The live-progress test drives a real terminal (tmux at 80 columns).
  command -v tmux >/dev/null 2>&1 || { apt-get update && apt-get install -y tmux; }
}

run_step install install_node
run_step build npm run --silent build
run_step lint npm run --silent lint
run_step hadolint bash scripts/hadolint.sh
run_step jest npm test --silent
run_step checkov bash scripts/checkov.sh
run_step apps bash scripts/test_apps.sh
run_step e2e npm run --silent test:e2e

echo
[ "$failed" -gt 0 ] && echo "failed steps: ${failed_names[*]}"
echo "test-all: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
