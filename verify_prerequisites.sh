#!/usr/bin/env bash
# Checks the prerequisites (one list, src/cli/prerequisites.ts REQUIREMENTS: bash, Node/npm, disk, RAM, the
# Python lines, terraform >= 1.5 or OpenTofu, the AWS CLI and credentials, Docker for a local image build,
# tmux for the tests): one line each, then which uses are ready; non-zero exit when one of the uses asked
# for (--for, default: local serve and deploy with --image-uri) is not. The checks live once, in the CLI's
# `doctor` command; this script only makes sure the CLI can start.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v node >/dev/null 2>&1; then
  echo "FAILED  node             not found  -> install Node.js 20 or newer (https://nodejs.org/); the other checks need it"
  exit 1
fi
exec "$ROOT/dynamic_deployment_system.sh" doctor "$@"
