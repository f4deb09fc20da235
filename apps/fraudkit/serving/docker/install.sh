#!/bin/sh
# Shared image build step of apps/Dockerfile (build context apps/, files copied to /tmp/build): installs the
# app's requirements under its Python line's constraints, creates the non-root user, cleans up.
set -eu
# The line comes from the interpreter the image runs, so a PYTHON_VERSION without a serving line fails here.
line=$(python -c 'import sys; print("py%d%d" % sys.version_info[:2])')
constraints="/tmp/build/constraints/$line.txt"
if [ ! -f "$constraints" ]; then
  echo "error: no constraints/$line.txt: Python $(python -V 2>&1) is not a serving line" >&2
  exit 1
fi
# LightGBM's wheel links the system OpenMP runtime, which slim images lack (XGBoost's wheel bundles its own).
if grep -qi '^lightgbm' /tmp/build/requirements.txt; then
  apt-get update
  apt-get install -y --no-install-recommends libgomp1
  rm -rf /var/lib/apt/lists/*
fi
pip install --no-cache-dir --disable-pip-version-check --no-compile \
  -r /tmp/build/requirements.txt -c "$constraints"
# Numeric ids, so USER 10001:10001 in the Dockerfile needs no name lookup.
groupadd --system --gid 10001 app
useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin app
rm -rf /tmp/build
