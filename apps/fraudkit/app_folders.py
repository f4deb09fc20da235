"""Finds the app folders under ``apps/`` and reads what the Python side needs from them (standard library only).

Mirrors the deployer's discovery (docs/DESIGN.md): an app is a sub-folder holding ``manifest.json`` or
``app.py``; the shared folders and dot-folders are skipped. Used by the tests, the benchmark and
``scripts/app_env.sh``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

APPS_ROOT = Path(__file__).resolve().parent.parent
"""The ``apps/`` folder (the Docker build context)."""

NOT_APPS = frozenset({"fraudkit", "tests", "constraints", "benchmark"})
"""Sub-folders of ``apps/`` that are shared code, not apps."""

PYTHON_LINES = {"3.9": "py39", "3.12": "py312"}
"""Python major.minor of each serving line -> its env name (``.venvs/<env>``, ``constraints/<env>.txt``)."""

TEMPLATE_DOCKERFILE = "Dockerfile"
"""The Dockerfile every app is built from, relative to the build context, unless the app has its own."""

DEFAULT_PYTHON_VERSION = "3.12"
"""The Python line of an app that names none (the newest line the project ships)."""

DEEP_FAMILIES = frozenset({"cnn", "lstm", "transformer", "transformers", "stacking-dl", "mlp", "neural-network"})
"""Model families served from windows of a customer's transactions (``fraudkit.deep``); the deployer sizes
their containers as neural networks (src/discovery/resources.ts, same list; a test compares them)."""

# The same rules as the deployer's discovery (src/discovery/python-version.ts); a test runs both and compares.
_FROM_PYTHON = re.compile(
    r"^\s*FROM\s+(?:--platform=\S+\s+)?(?:\S*/)?python:(\d+)\.(\d+)", re.IGNORECASE | re.MULTILINE
)
_MAJOR_MINOR = re.compile(r"(?:^|[^\d])(3)\.(\d{1,2})(?:\.\d+)?(?:[^\d]|$)")
_NAME_SUFFIX = re.compile(r"[-_]py(3)(\d{1,2})$")


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


def is_deep_family(family: object) -> bool:
    """True for a model family of ``DEEP_FAMILIES``: the one rule for "is this app deep"."""
    return family in DEEP_FAMILIES


def is_deep_app(app_dir: Path) -> bool:
    """True when the app's manifest names a deep model family (the loader, the trainer and the tests ask this)."""
    return is_deep_family(read_manifest(app_dir).get("model_family"))


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _major_minor(text: str | None) -> str | None:
    match = _MAJOR_MINOR.search(text.strip()) if text is not None else None
    return f"{match.group(1)}.{match.group(2)}" if match else None


def python_version_and_source(app_dir: Path) -> tuple[str, str]:
    """The app's Python major.minor and where it came from, most authoritative first.

    The app's own Dockerfile (an override: the last stage's python base image, the one that runs), then the
    manifest's ``python`` field (what the shared template is built with), runtime.txt, .python-version, a
    ``-py39``/``_py312`` name suffix, else the default line.
    """
    override = _read(app_dir / "Dockerfile")
    froms = _FROM_PYTHON.findall(override) if override is not None else []
    manifest_python = read_manifest(app_dir).get("python")
    suffix = _NAME_SUFFIX.search(app_dir.name)
    candidates = [
        ("Dockerfile", f"{froms[-1][0]}.{froms[-1][1]}" if froms else None),
        ("manifest", _major_minor(manifest_python) if isinstance(manifest_python, str) else None),
        ("runtime.txt", _major_minor(_read(app_dir / "runtime.txt"))),
        (".python-version", _major_minor(_read(app_dir / ".python-version"))),
        ("name-suffix", f"{suffix.group(1)}.{suffix.group(2)}" if suffix else None),
    ]
    for source, version in candidates:
        if version is not None:
            return version, source
    return DEFAULT_PYTHON_VERSION, "default"


def python_version(app_dir: Path) -> str:
    """The app's Python major.minor (see ``python_version_and_source`` for the order of the sources)."""
    return python_version_and_source(app_dir)[0]


def dockerfile(app_dir: Path) -> str:
    """The Dockerfile the app is built from, relative to the build context: its own override, else the template."""
    return f"{app_dir.name}/Dockerfile" if (app_dir / "Dockerfile").is_file() else TEMPLATE_DOCKERFILE


def build_args(app_dir: Path) -> dict[str, str]:
    """The ``--build-arg`` values of the app's image (an override may ignore them)."""
    return {"APP": app_dir.name, "PYTHON_VERSION": python_version(app_dir)}


def describe(app_dir: Path) -> dict[str, Any]:
    """What both the deployer and the Python side derive from an app folder (printed by ``--json``)."""
    version, source = python_version_and_source(app_dir)
    family = read_manifest(app_dir).get("model_family")
    return {
        "name": app_dir.name,
        "python": version,
        "python_source": source,
        "family": family,
        "deep": is_deep_family(family),
        "dockerfile": dockerfile(app_dir),
        "build_args": build_args(app_dir),
    }


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


def _describe_or_error(app_dir: Path) -> dict[str, Any]:
    # One unreadable manifest must not hide the other apps (the deployer reports it as a problem too).
    try:
        return describe(app_dir)
    except (OSError, ValueError) as error:
        return {"name": app_dir.name, "error": str(error)}


def _main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m fraudkit.app_folders", description="The app folders under apps/.")
    parser.add_argument("app", nargs="?", help="print this app's serving env name (py39 or py312)")
    parser.add_argument("--json", action="store_true", help="print every app as JSON instead")
    parser.add_argument("--root", type=Path, default=APPS_ROOT, help="the apps folder (default: this checkout's)")
    args = parser.parse_args(argv)
    if args.json == (args.app is not None):
        parser.error("give either APP_NAME or --json")
    root = args.root.resolve()
    if args.json:
        print(json.dumps([_describe_or_error(app_dir) for app_dir in find_app_dirs(root)], indent=2))
        return 0
    target = root / args.app
    if target not in find_app_dirs(root):
        print(f"error: no app folder named {args.app!r} under {root}", file=sys.stderr)
        return 2
    try:
        print(env_name(target))
    except KeyError:
        print(f"error: {args.app} runs on Python {python_version(target)}, which has no serving env", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    # `python -m fraudkit.app_folders NAME` prints the app's env name (used by scripts/app_env.sh).
    sys.exit(_main(sys.argv[1:]))
