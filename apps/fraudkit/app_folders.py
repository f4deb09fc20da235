"""Finds the app folders under ``apps/`` and reads what the Python side needs from them (standard library only).

Mirrors the deployer's discovery (docs/DESIGN.md): an app is a sub-folder holding ``manifest.json`` or
``app.py``; the shared folders and dot-folders are skipped. Used by the tests, the benchmark and
``scripts/app_env.sh``.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

APPS_ROOT = Path(__file__).resolve().parent.parent
"""The ``apps/`` folder (the Docker build context)."""

NOT_APPS = frozenset({"fraudkit", "tests", "constraints", "benchmark"})
"""Sub-folders of ``apps/`` that are shared code, not apps."""

PYTHON_LINES = {"3.9": "py39", "3.12": "py312"}
"""Python major.minor of each serving line -> its env name (``.venvs/<env>``, ``constraints/<env>.txt``)."""

_FROM_PYTHON = re.compile(r"^\s*FROM\s+(?:\S+/)?python:(\d+\.\d+)", re.IGNORECASE | re.MULTILINE)


def find_app_dirs(root: Path = APPS_ROOT) -> list[Path]:
    """Every app folder under ``root``, sorted by name."""
    return sorted(
        child
        for child in root.iterdir()
        if child.is_dir()
        and not child.name.startswith((".", "_"))
        and child.name not in NOT_APPS
        and ((child / "manifest.json").is_file() or (child / "app.py").is_file())
    )


def read_manifest(app_dir: Path) -> dict[str, Any]:
    """The app's manifest.json, or an empty dict when it has none."""
    path = app_dir / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def python_version(app_dir: Path) -> str:
    """The app's Python major.minor: Dockerfile FROM, then the manifest, then a ``py39`` name suffix, else 3.12."""
    dockerfile = app_dir / "Dockerfile"
    if dockerfile.is_file():
        match = _FROM_PYTHON.search(dockerfile.read_text(encoding="utf-8"))
        if match:
            return match.group(1)
    manifest_python = read_manifest(app_dir).get("python")
    if isinstance(manifest_python, str):
        return manifest_python
    return "3.9" if re.search(r"[-_]py39$", app_dir.name) else "3.12"


def env_name(app_dir: Path) -> str:
    """The serving env of the app's Python line (``py39`` or ``py312``); KeyError for a line we do not ship."""
    return PYTHON_LINES[python_version(app_dir)]


def load_app_module(app_dir: Path) -> ModuleType:
    """Imports the app's ``app.py`` under a name of its own, so several apps can live in one process."""
    name = "fraudkit_app_" + re.sub(r"\W", "_", app_dir.name)
    spec = importlib.util.spec_from_file_location(name, app_dir / "app.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {app_dir / 'app.py'}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    # `python -m fraudkit.app_folders NAME` prints the app's env name (used by scripts/app_env.sh).
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python -m fraudkit.app_folders APP_NAME")
    target = APPS_ROOT / sys.argv[1]
    if target not in find_app_dirs():
        sys.exit(f"error: no app folder named {sys.argv[1]!r} under {APPS_ROOT}")
    try:
        print(env_name(target))
    except KeyError:
        sys.exit(f"error: {sys.argv[1]} runs on Python {python_version(target)}, which has no serving env")
