#!/usr/bin/env bash
# Creates the serving + test environments of the two Python lines, from apps/constraints/<env>.txt:
#   .venvs/py39  (Python 3.9.18)   for the -py39/_py39 apps
#   .venvs/py312 (Python 3.12.1)   for the other apps and fraudkit's serving tests
# Idempotent and fast when already there: an env is (re)installed only when its constraints file changed
# (a content hash is stamped in the env). The interpreter comes from pyenv, else pythonX.Y on PATH,
# else $PY39_PYTHON / $PY312_PYTHON. Progress goes to stderr.
# Usage: bash scripts/python_envs.sh [py39|py312 ...]   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

full_version() {
  case "$1" in
    py39) echo 3.9.18 ;;
    py312) echo 3.12.1 ;;
    *) echo "error: unknown env '$1' (expected py39 or py312)" >&2; return 1 ;;
  esac
}

find_python() {
  local env=$1 version=$2 minor=${2%.*} override
  override=$(eval "echo \${$(echo "$env" | tr '[:lower:]' '[:upper:]')_PYTHON:-}")
  if [ -n "$override" ]; then echo "$override"; return; fi
  if command -v pyenv >/dev/null 2>&1 && pyenv prefix "$version" >/dev/null 2>&1; then
    echo "$(pyenv prefix "$version")/bin/python"; return
  fi
  if command -v "python$minor" >/dev/null 2>&1; then command -v "python$minor"; return; fi
  echo "error: Python $minor not found (install $version with pyenv, or set $(echo "$env" | tr '[:lower:]' '[:upper:]')_PYTHON)" >&2
  return 1
}

ensure_env() {
  local env=$1 version minor venv constraints want python
  version=$(full_version "$env")
  minor=${version%.*}
  venv=.venvs/$env
  constraints=apps/constraints/$env.txt
  want=$(sha256sum "$constraints" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.constraints-sha256" 2>/dev/null)" = "$want" ]; then
    echo "$env env ready: $venv" >&2
    return
  fi
  # A venv of the wrong Python (e.g. made by hand) is rebuilt rather than trusted.
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$minor'.split('.'))))"; then
    python=$(find_python "$env" "$version")
    echo "creating $venv with $("$python" --version 2>&1)" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
  fi
  echo "installing $constraints into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$constraints" >&2
  echo "$want" > "$venv/.constraints-sha256"
  echo "$env env ready: $venv" >&2
}

# --which ENV: prints "<version> <interpreter>" of the Python line (what doctor checks), exit 1 when there is none.
if [ "${1:-}" = "--which" ]; then
  version=$(full_version "${2:-}") || exit 2
  python=$(find_python "$2" "$version") || exit 1
  echo "$("$python" -c 'import platform; print(platform.python_version())') $python"
  exit 0
fi

envs=("$@")
[ ${#envs[@]} -eq 0 ] && envs=(py39 py312)
for env in "${envs[@]}"; do
  full_version "$env" >/dev/null
  ensure_env "$env"
done
