#!/usr/bin/env bash
# Checks what a deployment needs (bash >= 4, terraform >= 1.0 or OpenTofu, Docker client and daemon, AWS CLI
# and working credentials, Node/npm, 10 GB disk, 4 GB RAM): one line each, non-zero exit when one fails.
# The checks live once, in the CLI's `doctor` command; this script only makes sure the CLI can start.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v node >/dev/null 2>&1; then
  echo "FAILED  node             not found  -> install Node.js 20 or newer (https://nodejs.org/); the other checks need it"
  exit 1
fi
exec "$ROOT/dynamic_deployment_system.sh" doctor "$@"
