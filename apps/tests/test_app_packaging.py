"""Static checks of every app folder found (manifest, requirements, Dockerfile, .dockerignore).

There is no Docker engine here, so the Dockerfile each app is built from (the shared template with the app's
build arguments, or the app's override) is checked by reading it: base image of the app's Python line, non-root
USER, a stdlib HEALTHCHECK, EXPOSE of the manifest's port, gunicorn, and every COPY source present in the build
context (apps/) and not excluded by .dockerignore.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fraudkit.app_folders import (
    APPS_ROOT,
    PYTHON_LINES,
    build_args,
    dockerfile,
    find_app_dirs,
    is_deep_app,
    python_version,
    read_manifest,
)
from fraudkit.goals import AP_GOALS

# The seed's twelve apps, in its menu order (1 = first).
SEED_APPS = [
    "flask-cnn-app-py39",
    "flask-cnn-app",
    "flask-lstm-app-py39",
    "flask-lstm-app",
    "flask-transformers-app-py39",
    "flask-transformers-app",
    "flask-stacking-app",
    "flask-stacking-dl-app",
    "flask-lgbm-app",
    "flask-lgbm-app_py39",
    "flask-logreg-app",
    "flask-xgboost-app",
]
SEQUENCE_FAMILIES = {"cnn", "lstm", "transformer"}
# What each family's artifact needs at serving time (import name -> the distributions that provide it).
FAMILY_NEEDS = {
    "xgboost": {"onnxruntime"},  # served from the booster's ONNX export (fraudkit.training.export_trees)
    "lightgbm": {"onnxruntime"},
    "cnn": {"onnxruntime"},
    "lstm": {"onnxruntime"},
    "transformer": {"onnxruntime"},
    "stacking-dl": {"onnxruntime"},
}
# Artifact file name endings -> the distribution that loads them (see fraudkit.models and fraudkit.deep).
ARTIFACT_NEEDS = {".onnx": "onnxruntime", "xgboost.json": "xgboost-cpu", "lightgbm.txt": "lightgbm"}
APP_DIRS = find_app_dirs()


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep and version, f"{path.name}: '{line}' is not pinned with =="
            pins[_normalise(name)] = version
    return pins


def _instructions(app_dir: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of the app's Dockerfile as built: continuation lines joined, comments and
    ARG lines dropped, ${NAME} replaced by the app's build arguments (else the ARG default)."""
    joined = re.sub(r"\\\n", " ", (APPS_ROOT / dockerfile(app_dir)).read_text(encoding="utf-8"))
    values = dict(build_args(app_dir))
    pairs = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            if keyword.upper() == "ARG":
                name, _, default = rest.strip().partition("=")
                values.setdefault(name, default)
                continue
            rest = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], rest)
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def _exec_form(arguments: str) -> list[str]:
    return json.loads(arguments) if arguments.startswith("[") else arguments.split()


def _ignored_roots() -> set[str]:
    lines = (APPS_ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return {line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")}


def test_the_seed_apps_are_all_there() -> None:
    assert set(SEED_APPS) <= {d.name for d in APP_DIRS}


def test_menu_positions_are_unique() -> None:
    positions = [read_manifest(d).get("menu_position") for d in APP_DIRS]
    given = [p for p in positions if p is not None]
    assert len(given) == len(set(given))


def test_dockerignore_keeps_the_context_lean_but_complete() -> None:
    ignored = _ignored_roots()
    assert {"tests", "benchmark", ".venvs", "**/__pycache__"} <= ignored
    assert not {"fraudkit", "constraints"} & ignored


@pytest.mark.parametrize("app_dir", APP_DIRS, ids=lambda d: d.name)
class TestAppFolder:
    def test_manifest(self, app_dir: Path) -> None:
        manifest = read_manifest(app_dir)
        assert manifest["name"] == app_dir.name
        assert manifest["model_family"] in AP_GOALS, "family needs a goal in fraudkit/goals.py"
        expected_type = "deep-learning" if manifest["model_family"] in SEQUENCE_FAMILIES else "machine-learning"
        assert manifest["type"] == expected_type
        assert manifest["description"].strip()
        assert manifest["python"] in PYTHON_LINES
        assert manifest.get("port", 8502) == 8502 and manifest.get("health_path", "/health") == "/health"
        if app_dir.name in SEED_APPS:
            assert manifest["menu_position"] == SEED_APPS.index(app_dir.name) + 1

    def test_the_artifacts_are_those_of_its_family(self, app_dir: Path) -> None:
        # is_deep_app (the manifest's family) is what the loader and the trainer go by: the files must agree.
        deep = is_deep_app(app_dir)
        assert (app_dir / "model" / "settings.json").is_file() is deep
        assert (app_dir / "model" / "model.json").is_file() is not deep
        assert (app_dir / "model_config.json").is_file() is not deep

    def test_python_line_is_the_same_everywhere(self, app_dir: Path) -> None:
        line = python_version(app_dir)
        assert line == read_manifest(app_dir)["python"], "Dockerfile FROM and manifest disagree"
        [base] = [args for k, args in _instructions(app_dir) if k == "FROM"][-1:]
        assert base == f"python:{line}-slim", "the image is not built on the app's Python line"
        if re.search(r"[-_]py39$", app_dir.name):
            assert line == "3.9"

    def test_requirements_are_pinned_to_the_line(self, app_dir: Path) -> None:
        pins = _pins(app_dir / "requirements.txt")
        line_pins = _pins(APPS_ROOT / "constraints" / f"{PYTHON_LINES[python_version(app_dir)]}.txt")
        for name, version in pins.items():
            assert line_pins.get(name) == version, f"{name}=={version} differs from the line's constraints"
        assert {"flask", "gunicorn", "numpy"} <= set(pins)
        needs = FAMILY_NEEDS.get(read_manifest(app_dir)["model_family"])
        if needs:
            assert needs & set(pins), f"needs one of {sorted(needs)}"
        assert "torch" not in pins, "neural models are served with ONNX Runtime, not PyTorch"

    def test_requirements_match_the_trained_artifacts(self, app_dir: Path) -> None:
        model = app_dir / "model"
        if not (model / "metrics.json").is_file():
            pytest.skip(f"NOT TESTED: {app_dir.name} has no trained model/ yet")

        # A booster file with its ONNX export beside it is served by onnxruntime, not by its library.
        def exported(f: Path) -> bool:
            return f.suffix != ".onnx" and f.with_name(f.name.rsplit(".", 1)[0] + ".onnx").is_file()

        served = [f for f in model.rglob("*") if not exported(f)]
        needed = {dist for f in served for end, dist in ARTIFACT_NEEDS.items() if f.name.endswith(end)}
        model_libraries = set(_pins(app_dir / "requirements.txt")) & set(ARTIFACT_NEEDS.values())
        assert model_libraries == needed, "an image must hold the model libraries its artifacts need, and no others"

    def test_dockerfile(self, app_dir: Path) -> None:
        steps = _instructions(app_dir)
        keywords = [k for k, _ in steps]
        manifest = read_manifest(app_dir)
        env = PYTHON_LINES[manifest["python"]]

        assert steps[0] == ("FROM", f"python:{manifest['python']}-slim")
        users = [args for k, args in steps if k == "USER"]
        assert users and users[-1].split(":")[0] not in {"root", "0"}
        assert keywords.index("USER") < keywords.index("CMD")
        assert ("EXPOSE", str(manifest.get("port", 8502))) in steps
        [healthcheck] = [args for k, args in steps if k == "HEALTHCHECK"]
        probe = _exec_form(healthcheck.split(" CMD ", 1)[1])
        assert probe[:3] == ["python", "-m", "fraudkit.serving.healthcheck"]
        [cmd] = [args for k, args in steps if k == "CMD"]
        assert _exec_form(cmd)[0] == "gunicorn" and "python:fraudkit.serving.gunicorn_conf" in _exec_form(cmd)

        copies = [_exec_form(args) for k, args in steps if k in {"COPY", "ADD"}]
        sources = [src for parts in copies for src in [p for p in parts if not p.startswith("--")][:-1]]
        # The template copies every line's constraints and install.sh picks the one of the image's Python.
        assert {f"constraints/{env}.txt", "constraints"} & set(
            sources
        ) and f"{app_dir.name}/requirements.txt" in sources
        assert (APPS_ROOT / "constraints" / f"{env}.txt").is_file()
        ignored = _ignored_roots()
        for source in sources:
            assert (APPS_ROOT / source).exists(), f"COPY source {source} is not in the build context"
            assert source.split("/")[0] not in ignored, f"COPY source {source} is excluded by .dockerignore"

    def test_app_py_defines_create_app(self, app_dir: Path) -> None:
        assert re.search(r"^def create_app\(\)", (app_dir / "app.py").read_text(encoding="utf-8"), re.MULTILINE)
