#!/usr/bin/env bash
# Creates the test environments of the two Python lines, from apps/constraints/<env>.txt (every app's
# libraries plus the test tools: pytest, schemathesis, ruff):
#   .venvs/py39  (Python 3.9.18)   for the -py39/_py39 apps' tests
#   .venvs/py312 (Python 3.12.1)   for the other apps' tests and fraudkit's serving tests
# and, with --serve APP, the serving environment of one app: only what its requirements.txt says, under its
# Python line's constraints, in .venvs/serve-<env>-<hash of requirements + constraints> (apps with the same
# requirements share one; a changed requirements file gets a new one). Its path is printed on stdout.
# Idempotent and fast when already there: an env is (re)installed only when its constraints file changed
# (a content hash is stamped in the env). The interpreter comes from pyenv, else pythonX.Y on PATH,
# else $PY39_PYTHON / $PY312_PYTHON. Progress goes to stderr.
# Usage: bash scripts/python_envs.sh [py39|py312 ...]   (default: both)
#        bash scripts/python_envs.sh --serve APP ENV     (ENV = py39|py312, the app's line; see scripts/app_env.sh)
#        bash scripts/python_envs.sh --which ENV         ("<version> <interpreter>" of the line, for doctor)
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

# The serving env of one app: pip's own progress (one line per package collected, downloaded, installed)
# goes to stderr, so a first install shows what it is doing instead of one line for a minute.
ensure_serve_env() {
  local app=$1 env=$2 version requirements constraints want venv python
  version=$(full_version "$env")
  requirements=apps/$app/requirements.txt
  constraints=apps/constraints/$env.txt
  [ -f "$requirements" ] || { echo "error: $requirements not found" >&2; return 1; }
  want=$(cat "$requirements" "$constraints" | sha256sum | cut -c1-12)
  venv=.venvs/serve-$env-$want
  if [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ]; then
    echo "serving env ready: $venv" >&2
    echo "$PWD/$venv"
    return
  fi
  python=$(find_python "$env" "$version")
  echo "creating $venv for $app with $("$python" --version 2>&1) (only $requirements)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r "$requirements" -c "$constraints" >&2
  touch "$venv/.complete"
  echo "serving env ready: $venv ($(du -sm "$venv" | cut -f1) MB)" >&2
  echo "$PWD/$venv"
}

if [ "${1:-}" = "--serve" ]; then
  [ $# -eq 3 ] || { echo "usage: scripts/python_envs.sh --serve APP ENV" >&2; exit 2; }
  full_version "$3" >/dev/null || exit 2
  ensure_serve_env "$2" "$3"
  exit 0
fi

envs=("$@")
[ ${#envs[@]} -eq 0 ] && envs=(py39 py312)
for env in "${envs[@]}"; do
  full_version "$env" >/dev/null
  ensure_env "$env"
done
