"""Tree models are served from their ONNX export and paths file, without XGBoost or LightGBM.

- TreeSHAP from paths equals Shapley values computed from their definition on small random trees;
- every shipped export reproduces the library's own margins and SHAP values recorded at export time;
- an app's tree parts load without importing the training libraries, and a stale export is refused.
The app-level score replay (within 1e-6 of model/sample_scores.json) is test_apps_contract's.
"""

from __future__ import annotations

import itertools
import math
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fraudkit.app_folders import find_app_dirs, python_version
from fraudkit.models import load_model
from fraudkit.models.tree_paths import TreePaths
from fraudkit.models.trees import OnnxTreeModel

APPS_ROOT = Path(__file__).resolve().parents[1]
RUNNING_LINE = f"{sys.version_info.major}.{sys.version_info.minor}"
EXPORTS = sorted(
    p for d in find_app_dirs() if python_version(d) == RUNNING_LINE for p in (d / "model").glob("*.paths.npz")
)


# --- a tiny reference: random trees and Shapley values by enumeration of feature subsets --------------------


def _random_tree(rng: np.random.Generator, n_features: int, depth: int) -> dict:
    if depth == 0 or rng.random() < 0.2:
        return {"leaf": float(rng.normal()), "cover": 0.0}
    left = _random_tree(rng, n_features, depth - 1)
    right = _random_tree(rng, n_features, depth - 1)
    return {"feature": int(rng.integers(n_features)), "cut": float(rng.integers(1, 5)), "left": left, "right": right}


def _with_covers(node: dict, rng: np.random.Generator) -> float:
    if "leaf" in node:
        node["cover"] = float(rng.integers(1, 20))
    else:
        node["cover"] = _with_covers(node["left"], rng) + _with_covers(node["right"], rng)
    return node["cover"]


def _expected(node: dict, x: np.ndarray, known: set[int]) -> float:
    """E[f(x) | x_S] as path-dependent TreeSHAP defines it: known features follow x, others split by cover."""
    if "leaf" in node:
        return node["leaf"]
    if node["feature"] in known:
        return _expected(node["left"] if x[node["feature"]] <= node["cut"] else node["right"], x, known)
    total = node["cover"]
    return sum(_expected(node[s], x, known) * node[s]["cover"] / total for s in ("left", "right"))


def _shapley(tree: dict, x: np.ndarray, n: int) -> np.ndarray:
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for subset in itertools.combinations(others, size):
                known = set(subset)
                phi[i] += weight * (_expected(tree, x, known | {i}) - _expected(tree, x, known))
    return phi


def _paths_of(trees: list[dict], n_features: int) -> TreePaths:
    found = []

    def walk(node: dict, bounds: dict) -> None:
        if "leaf" in node:
            found.append((bounds, node["leaf"]))
            return
        f, cut = node["feature"], node["cut"]
        for side, is_left in (("left", True), ("right", False)):
            low, high, share = bounds.get(f, (-np.inf, np.inf, 1.0))
            share *= node[side]["cover"] / node["cover"]
            low, high = (low, min(high, cut)) if is_left else (max(low, cut), high)
            walk(node[side], {**bounds, f: (low, high, share)})

    for tree in trees:
        walk(tree, {})
    width = max(1, max(len(b) for b, _ in found))
    arrays = {k: np.zeros((len(found), width)) for k in ("feature", "lower", "upper", "zero")}
    depth, leaf = np.zeros(len(found), dtype=int), np.zeros(len(found))
    for p, (bounds, value) in enumerate(found):
        depth[p], leaf[p] = len(bounds), value
        for j, (f, (low, high, share)) in enumerate(sorted(bounds.items())):
            arrays["feature"][p, j], arrays["lower"][p, j], arrays["upper"][p, j], arrays["zero"][p, j] = (
                f, low, high, share
            )  # fmt: skip
    return TreePaths(
        arrays["feature"].astype(int), arrays["lower"], arrays["upper"], arrays["zero"], depth, leaf, n_features, False
    )


def test_paths_give_the_shapley_values_of_the_definition() -> None:
    rng = np.random.default_rng(7)
    n = 4
    trees = [_random_tree(rng, n, 4) for _ in range(6)]
    trees = [t for t in trees if "leaf" not in t]
    for tree in trees:
        _with_covers(tree, rng)
    explainer = _paths_of(trees, n)
    X = rng.integers(0, 6, size=(25, n)).astype(float)
    X[0] = [1.0, 2.0, 3.0, 4.0]  # values equal to cuts: the <= side
    want = np.array([sum(_shapley(t, x, n) for t in trees) for x in X])
    assert np.max(np.abs(explainer.contributions(X) - want)) < 1e-12
    # Local accuracy: contributions add up to f(x) - E[f(x)].
    fx = np.array([sum(_expected(t, x, set(range(n))) for t in trees) for x in X])
    base = sum(_expected(t, X[0], set()) for t in trees)
    assert np.allclose(explainer.contributions(X).sum(axis=1), fx - base, atol=1e-12)


def test_large_batches_are_explained_in_chunks_like_single_rows() -> None:
    rng = np.random.default_rng(3)
    trees = [t for t in (_random_tree(rng, 3, 3) for _ in range(5)) if "leaf" not in t]
    for tree in trees:
        _with_covers(tree, rng)
    explainer = _paths_of(trees, 3)
    X = rng.integers(0, 6, size=(700, 3)).astype(float)
    one_by_one = np.vstack([explainer.contributions(x[None, :]) for x in X[:40]])
    assert np.array_equal(explainer.contributions(X)[:40], one_by_one)


# --- the shipped exports -------------------------------------------------------------------------------------


def _descriptor(paths_file: Path) -> dict:
    stem = paths_file.name[: -len(".paths.npz")]
    kind = "xgboost" if stem.endswith("xgboost") else "lightgbm"
    ext = "json" if kind == "xgboost" else "txt"
    return {"kind": kind, "file": f"{stem}.{ext}", "n_features": 18}


@pytest.mark.skipif(not EXPORTS, reason=f"NOT TESTED: no exported tree model on the {RUNNING_LINE} line")
@pytest.mark.parametrize("paths_file", EXPORTS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_export_reproduces_the_library(paths_file: Path) -> None:
    descriptor = _descriptor(paths_file)
    model = OnnxTreeModel(descriptor["kind"], paths_file.parent, descriptor["file"], descriptor["n_features"])
    with np.load(paths_file, allow_pickle=False) as data:
        rows, margin, shap = data["check_rows"], data["check_margin"], data["check_shap"]
    assert len(rows) > 100  # the app's sample plus rows on the split thresholds
    assert np.max(np.abs(model.logit(rows) - margin)) < 1e-5
    assert np.max(np.abs(model.contributions(rows) - shap)) < 1e-5
    # Batch size does not change a row's answer (micro-batching relies on it).
    assert np.array_equal(model.logit(rows[:1]), model.logit(rows)[:1])


@pytest.mark.skipif(not EXPORTS, reason=f"NOT TESTED: no exported tree model on the {RUNNING_LINE} line")
def test_stale_export_is_refused(tmp_path: Path) -> None:
    source = EXPORTS[0].parent
    for f in source.iterdir():
        shutil.copy(f, tmp_path / f.name)
    descriptor = _descriptor(EXPORTS[0])
    booster = tmp_path / descriptor["file"]
    booster.write_bytes(booster.read_bytes() + b"\n")
    with pytest.raises(ValueError, match="export_trees"):
        OnnxTreeModel(descriptor["kind"], tmp_path, descriptor["file"], descriptor["n_features"])


TREE_APPS = sorted({p.parent.parent for p in EXPORTS})


@pytest.mark.skipif(not TREE_APPS, reason=f"NOT TESTED: no tree app on the {RUNNING_LINE} line")
@pytest.mark.parametrize("app_dir", TREE_APPS, ids=lambda d: d.name)
def test_tree_apps_load_without_the_training_libraries(app_dir: Path) -> None:
    probe = (
        "import sys; from pathlib import Path; from fraudkit.scorer import load_scorer; "
        f"load_scorer(Path({str(app_dir)!r})); "
        "loaded = sorted(m for m in ('xgboost', 'lightgbm') if m in sys.modules); print(loaded); sys.exit(bool(loaded))"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=APPS_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.skipif(not TREE_APPS, reason=f"NOT TESTED: no tree app on the {RUNNING_LINE} line")
def test_a_descriptor_loads_the_onnx_model() -> None:
    model_dir = TREE_APPS[0] / "model"
    model = load_model(model_dir)
    parts = getattr(model, "parts", [model])
    assert any(isinstance(p, OnnxTreeModel) for p in parts) or (model_dir / "deep_stack.json").is_file()
