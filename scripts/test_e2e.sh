#!/usr/bin/env bash
# The end-to-end test: every architecture deployed and destroyed through the CLI with the real terraform
# against an in-process moto server on 127.0.0.1 (no AWS account, no network beyond the package registries).
# Installs what it needs from scratch: .venvs/e2e (pinned moto[server], boto3, AWS CLI, pytest) and the
# CLI build. Extra arguments go to pytest, e.g. `bash scripts/test_e2e.sh -k ecs_alb`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v terraform >/dev/null 2>&1 && [ -z "${DDS_TERRAFORM_BIN:-}" ]; then
  echo "error: terraform (>= 1.5) is not on PATH; install it or set DDS_TERRAFORM_BIN (see docs/e2e.md)" >&2
  exit 1
fi

venv=.venvs/e2e
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.requirements-installed"
if [ ! -f "$stamp" ] || [ e2e/requirements.txt -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r e2e/requirements.txt
  touch "$stamp"
fi

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund
fi
# The CLI entry builds itself when the sources are newer than its stamp: let it do so once now, so that
# parallel deploys never race to rebuild and no build time counts as an apply.
./dynamic_deployment_system.sh --help >/dev/null

# Three tests at a time (each worker has its own moto): an apply is mostly the provider waiting, so the run
# takes about as long as its slowest deployment. E2E_WORKERS=0 runs them one after another.
cd e2e
exec "../$venv/bin/python" -m pytest -n "${E2E_WORKERS:-3}" "$@"
