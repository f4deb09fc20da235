#!/usr/bin/env bash
# Creates .venvs/train (Python 3.11): the environment that trains the classic models and runs fraudkit's
# unit tests. Idempotent: reinstalls only when apps/constraints/train.txt is newer than the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venvs/train
py=${TRAIN_PYTHON:-}
if [ -z "$py" ]; then
  if command -v pyenv >/dev/null 2>&1 && pyenv prefix 3.11.7 >/dev/null 2>&1; then
    py="$(pyenv prefix 3.11.7)/bin/python"
  else
    py=python3.11
  fi
fi
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
stamp="$venv/.constraints-installed"
if [ ! -f "$stamp" ] || [ apps/constraints/train.txt -nt "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r apps/constraints/train.txt
  touch "$stamp"
fi
echo "train env ready: $("$venv/bin/python" --version) in $venv"
