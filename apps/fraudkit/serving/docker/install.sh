#!/bin/sh
# Shared image build step of every app's Dockerfile (build context apps/, files copied to /tmp/build):
# installs the app's requirements under its Python line's constraints, creates the non-root user, cleans up.
set -eu
# LightGBM's wheel links the system OpenMP runtime, which slim images lack (XGBoost's wheel bundles its own).
if grep -qi '^lightgbm' /tmp/build/requirements.txt; then
  apt-get update
  apt-get install -y --no-install-recommends libgomp1
  rm -rf /var/lib/apt/lists/*
fi
pip install --no-cache-dir --disable-pip-version-check --no-compile \
  -r /tmp/build/requirements.txt -c /tmp/build/constraints.txt
useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin app
rm -rf /tmp/build
