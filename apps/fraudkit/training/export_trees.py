"""Exports every tree booster of the app folders to its serving form: an ONNX graph and a paths file.

For a booster file ``<stem>.json`` (XGBoost) or ``<stem>.txt`` (LightGBM) in an app's ``model/`` it writes
``<stem>.onnx`` (one ``ai.onnx.ml`` TreeEnsembleRegressor giving the raw margin, run by ONNX Runtime) and
``<stem>.paths.npz`` (the root-to-leaf paths with their cover shares, for exact TreeSHAP reasons; see
``fraudkit.models.tree_paths``). Serving then needs neither XGBoost nor LightGBM.

The graph is written from the booster's own model (XGBoost's JSON, LightGBM's ``dump_model``) rather than by
onnxmltools: its converters emit a classifier head (probabilities, not the margin the stacks combine) and
single-precision split thresholds, while LightGBM compares float64 values with float64 thresholds. Here
LightGBM graphs take float64 input with float64 thresholds (``nodes_values_as_tensor``), XGBoost graphs float32
like XGBoost itself. Every export is checked against the library (margins and SHAP values on the app's
sample rows and on rows placed exactly at split thresholds) before anything is written.

Run in the training environment (xgboost, lightgbm, onnx, onnxruntime):
``PYTHONPATH=apps .venvs/train/bin/python -m fraudkit.training.export_trees [app ...]`` (default: every app).
Training calls ``export_booster`` itself when it saves a tree model (``fraudkit.training.boosters.TreeModel``);
this command re-exports with the app's sample rows among the checks.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

MARGIN_TOLERANCE = 1e-5
"""Largest |ONNX margin - library margin| accepted (the graph's output is float32)."""
SHAP_TOLERANCE = 1e-5
"""Largest |paths SHAP - library SHAP| accepted (XGBoost's own SHAP is float32)."""


@dataclass
class Trees:
    """A booster as flat node arrays: one entry per node, trees one after another."""

    tree: np.ndarray
    node: np.ndarray  # id within its tree
    feature: np.ndarray  # -1 at a leaf
    threshold: np.ndarray
    left: np.ndarray  # node id within the tree, -1 at a leaf
    right: np.ndarray
    default_left: np.ndarray
    cover: np.ndarray
    value: np.ndarray  # leaf value (0 for a split)
    base_margin: float
    n_features: int
    float32_less_than: bool


def xgboost_trees(model_file: Path) -> Trees:
    """Reads an XGBoost JSON model (binary:logistic): split if x < t (float32), the margin base from base_score."""
    learner = json.loads(model_file.read_text(encoding="utf-8"))["learner"]
    if learner["objective"]["name"] != "binary:logistic":
        raise ValueError(f"{model_file.name}: only binary:logistic boosters are exported")
    columns: dict[str, list[Any]] = {k: [] for k in ("tree", "node", "feature", "threshold", "left", "right")}
    columns.update(default_left=[], cover=[], value=[])
    for t, tree in enumerate(learner["gradient_booster"]["model"]["trees"]):
        if any(tree["split_type"]):
            raise ValueError(f"{model_file.name}: categorical splits are not supported")
        for n, (lc, rc) in enumerate(zip(tree["left_children"], tree["right_children"])):
            leaf = lc == -1
            columns["tree"].append(t)
            columns["node"].append(n)
            columns["feature"].append(-1 if leaf else tree["split_indices"][n])
            columns["threshold"].append(0.0 if leaf else tree["split_conditions"][n])
            columns["left"].append(lc)
            columns["right"].append(rc)
            columns["default_left"].append(bool(tree["default_left"][n]))
            columns["cover"].append(tree["sum_hessian"][n])
            columns["value"].append(tree["split_conditions"][n] if leaf else 0.0)
    base = np.float32(float(learner["learner_model_param"]["base_score"]))
    margin = float(np.float32(-np.log(np.float32(1.0) / base - np.float32(1.0))))
    n_features = int(learner["learner_model_param"]["num_feature"])
    return _trees(columns, margin, n_features, float32_less_than=True)


def lightgbm_trees(booster: Any) -> Trees:
    """Reads a LightGBM booster (binary, numerical splits): split if x <= t (float64), covers = data counts."""
    dump = booster.dump_model()
    columns: dict[str, list[Any]] = {k: [] for k in ("tree", "node", "feature", "threshold", "left", "right")}
    columns.update(default_left=[], cover=[], value=[])
    for t, info in enumerate(dump["tree_info"]):
        nodes: list[dict[str, Any]] = []

        def visit(node: dict[str, Any], nodes: list[dict[str, Any]] = nodes) -> int:
            index = len(nodes)
            nodes.append(node)
            if "leaf_value" not in node:
                if node["decision_type"] != "<=" or node.get("missing_type", "None") not in ("None", "NaN"):
                    raise ValueError("only numerical <= splits without zero-as-missing are exported")
                node["_left"] = visit(node["left_child"])
                node["_right"] = visit(node["right_child"])
            return index

        visit(info["tree_structure"])
        for n, node in enumerate(nodes):
            leaf = "leaf_value" in node
            columns["tree"].append(t)
            columns["node"].append(n)
            columns["feature"].append(-1 if leaf else node["split_feature"])
            columns["threshold"].append(0.0 if leaf else float(node["threshold"]))
            columns["left"].append(-1 if leaf else node["_left"])
            columns["right"].append(-1 if leaf else node["_right"])
            columns["default_left"].append(bool(node.get("default_left", True)))
            columns["cover"].append(float(node["leaf_count"] if leaf else node["internal_count"]))
            columns["value"].append(float(node["leaf_value"]) if leaf else 0.0)
    return _trees(columns, 0.0, int(dump["max_feature_idx"]) + 1, float32_less_than=False)


def _trees(columns: dict[str, list[Any]], base: float, n_features: int, float32_less_than: bool) -> Trees:
    ints = {k: np.array(columns[k], dtype=np.int64) for k in ("tree", "node", "feature", "left", "right")}
    return Trees(
        threshold=np.array(columns["threshold"], dtype=np.float64),
        default_left=np.array(columns["default_left"], dtype=bool),
        cover=np.array(columns["cover"], dtype=np.float64),
        value=np.array(columns["value"], dtype=np.float64),
        base_margin=base,
        n_features=n_features,
        float32_less_than=float32_less_than,
        **ints,
    )


def onnx_graph(trees: Trees) -> Any:
    """One TreeEnsembleRegressor (ai.onnx.ml opset 3): X (n, n_features) -> margin (n, 1), float32 output."""
    from onnx import TensorProto, helper, numpy_helper

    leaf = trees.feature < 0
    modes = np.where(leaf, "LEAF", "BRANCH_LT" if trees.float32_less_than else "BRANCH_LEQ")
    attributes: dict[str, Any] = {
        "nodes_treeids": trees.tree.tolist(),
        "nodes_nodeids": trees.node.tolist(),
        "nodes_featureids": np.where(leaf, 0, trees.feature).tolist(),
        "nodes_modes": modes.tolist(),
        "nodes_truenodeids": np.where(leaf, 0, trees.left).tolist(),
        "nodes_falsenodeids": np.where(leaf, 0, trees.right).tolist(),
        "nodes_missing_value_tracks_true": (trees.default_left & ~leaf).astype(int).tolist(),
        "target_treeids": trees.tree[leaf].tolist(),
        "target_nodeids": trees.node[leaf].tolist(),
        "target_ids": [0] * int(leaf.sum()),
        "n_targets": 1,
        "post_transform": "NONE",
        "aggregate_function": "SUM",
    }
    if trees.float32_less_than:
        x_type = TensorProto.FLOAT
        attributes["nodes_values"] = trees.threshold.astype(np.float32).tolist()
        attributes["target_weights"] = trees.value[leaf].astype(np.float32).tolist()
        attributes["base_values"] = [trees.base_margin]
    else:
        x_type = TensorProto.DOUBLE
        thresholds = numpy_helper.from_array(trees.threshold, name="nodes_values")
        weights = numpy_helper.from_array(trees.value[leaf], name="target_weights")
        attributes["nodes_values_as_tensor"] = thresholds
        attributes["target_weights_as_tensor"] = weights
        attributes["base_values_as_tensor"] = numpy_helper.from_array(np.array([trees.base_margin]), name="base")
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["margin"], domain="ai.onnx.ml", **attributes)
    graph = helper.make_graph(
        [node],
        "trees",
        [helper.make_tensor_value_info("X", x_type, [None, trees.n_features])],
        [helper.make_tensor_value_info("margin", TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
        producer_name="fraudkit",
    )
    model.ir_version = 8  # what onnxruntime 1.19 reads
    return model


def paths(trees: Trees) -> dict[str, np.ndarray]:
    """Every root-to-leaf path: its distinct features with their intervals and cover shares, and its leaf value."""
    found: list[tuple[dict[int, list[float]], float, int]] = []
    by_tree: dict[int, np.ndarray] = {}
    for t in np.unique(trees.tree):
        by_tree[int(t)] = np.flatnonzero(trees.tree == t)

    for t, rows in by_tree.items():

        def walk(n: int, bounds: dict[int, list[float]], rows: np.ndarray = rows, t: int = t) -> None:
            at = rows[n]
            if trees.feature[at] < 0:
                found.append(({f: list(b) for f, b in bounds.items()}, float(trees.value[at]), t))
                return
            f = int(trees.feature[at])
            cut = float(trees.threshold[at])
            for child, is_left in ((int(trees.left[at]), True), (int(trees.right[at]), False)):
                lower, upper, share = bounds.get(f, [-np.inf, np.inf, 1.0])
                share *= trees.cover[rows[child]] / trees.cover[at]
                lower, upper = (lower, min(upper, cut)) if is_left else (max(lower, cut), upper)
                walk(child, {**bounds, f: [lower, upper, share]})

        walk(0, {})

    width = max(1, max(len(b) for b, _, _ in found))
    shape = (len(found), width)
    out = {
        "feature": np.zeros(shape, dtype=np.int32),
        "lower": np.full(shape, -np.inf),
        "upper": np.full(shape, np.inf),
        "zero": np.ones(shape),
        "depth": np.zeros(len(found), dtype=np.int32),
        "leaf": np.zeros(len(found)),
        "float32_less_than": np.array(trees.float32_less_than),
    }
    for p, (bounds, value, _) in enumerate(found):
        out["depth"][p] = len(bounds)
        out["leaf"][p] = value
        for j, (f, (lower, upper, share)) in enumerate(sorted(bounds.items())):
            out["feature"][p, j], out["lower"][p, j], out["upper"][p, j], out["zero"][p, j] = f, lower, upper, share
    return out


def sha256(path: Path) -> str:
    """The file's content hash: ties the exported files to the booster they came from."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_rows(trees: Trees, sample: np.ndarray | None) -> np.ndarray:
    """The app's rows plus rows sitting exactly on, just below and just above split thresholds."""
    rng = np.random.default_rng(0)
    if sample is None:  # training, before any sample exists: thresholds over the trees' mean split values
        sample = np.zeros((1, trees.n_features))
        for f in range(trees.n_features):
            cuts = trees.threshold[trees.feature == f]
            sample[0, f] = cuts.mean() if len(cuts) else 0.0
    splits = np.flatnonzero(trees.feature >= 0)
    picked = rng.choice(splits, size=min(100, len(splits)), replace=False)
    rows = [sample]
    for nudge in (0.0, -1e-9, 1e-9):
        edge = sample[rng.integers(0, len(sample), len(picked))].copy()
        edge[np.arange(len(picked)), trees.feature[picked]] = trees.threshold[picked] * (1 + nudge)
        rows.append(edge)
    return np.vstack(rows)


def export_booster(kind: str, model_dir: Path, file: str, n_features: int, sample: np.ndarray | None) -> list[str]:
    """Writes ``<stem>.onnx`` and ``<stem>.paths.npz`` for one booster after checking both against the library;
    returns their names. ``sample`` holds rows of the model's features (the checks run on them); None when
    training saves the booster (rows on the split thresholds only)."""
    import onnxruntime as ort

    source = model_dir / file
    stem = source.name.rsplit(".", 1)[0]
    if kind == "xgboost":
        import xgboost

        booster: Any = xgboost.Booster(model_file=str(source))
        trees = xgboost_trees(source)
        X = check_rows(trees, sample).astype(np.float32).astype(np.float64)
        matrix = xgboost.DMatrix(X)
        want_margin = booster.predict(matrix, output_margin=True)
        want_shap = booster.predict(matrix, pred_contribs=True)[:, :n_features]
    else:
        import lightgbm

        booster = lightgbm.Booster(model_file=str(source))
        trees = lightgbm_trees(booster)
        X = check_rows(trees, sample)
        want_margin = booster.predict(X, raw_score=True)
        want_shap = booster.predict(X, pred_contrib=True)[:, :n_features]
    if trees.n_features != n_features:
        raise ValueError(f"{source.name}: {trees.n_features} features, the descriptor says {n_features}")

    graph = onnx_graph(trees).SerializeToString()
    session = ort.InferenceSession(graph, providers=["CPUExecutionProvider"])
    got_margin = session.run(None, {"X": X.astype(np.float32 if trees.float32_less_than else np.float64)})[0][:, 0]
    margin_error = float(np.max(np.abs(got_margin - want_margin)))

    from fraudkit.models.tree_paths import TreePaths

    arrays = paths(trees)
    explainer = TreePaths(**{k: arrays[k] for k in ("feature", "lower", "upper", "zero", "depth", "leaf")},
                          n_features=n_features, float32_less_than=trees.float32_less_than)  # fmt: skip
    shap_error = float(np.max(np.abs(explainer.contributions(X) - want_shap)))
    if margin_error > MARGIN_TOLERANCE or shap_error > SHAP_TOLERANCE:
        errors = f"margin {margin_error:.2e}, SHAP {shap_error:.2e}"
        raise ValueError(f"{source.name}: export differs from {kind} ({errors})")

    (model_dir / f"{stem}.onnx").write_bytes(graph)
    # The library's own answers on the check rows, so serving tests can compare without the library.
    checks = {"check_rows": X, "check_margin": want_margin.astype(np.float64), "check_shap": want_shap}
    np.savez_compressed(model_dir / f"{stem}.paths.npz", source_sha256=np.array(sha256(source)), **arrays, **checks)
    print(f"{model_dir.parent.name}/{source.name}: margin {margin_error:.1e}, SHAP {shap_error:.1e}", file=sys.stderr)
    return [f"{stem}.onnx", f"{stem}.paths.npz"]


def _sample_rows(app_dir: Path, extended: bool) -> np.ndarray:
    """The model inputs of the app's stored sample transactions, as the shipped state gives them."""
    from fraudkit.features import extend_features
    from fraudkit.records import Transaction
    from fraudkit.scoring import state_path
    from fraudkit.state import OnlineFeatureState

    sample = json.loads((app_dir / "model" / "sample_scores.json").read_text(encoding="utf-8"))["transactions"]
    state = OnlineFeatureState.load(state_path(app_dir / "model"), history_k=0)
    records = [
        Transaction(
            str(tx["transaction_id"]),
            int(tx["customer_id"]),
            int(tx["terminal_id"]),
            datetime.fromisoformat(str(tx["tx_datetime"]).replace("Z", "+00:00")).replace(tzinfo=None),
            float(tx["tx_amount"]),
        )
        for tx in sample
    ]
    rows = np.array([state.update(tx).features for tx in records])
    return extend_features(rows) if extended else rows


def tree_parts(model_dir: Path) -> list[dict[str, Any]]:
    """The tree descriptors of an app's model: the model itself, a classic stack's parts, a deep stack's parts."""
    descriptors: list[dict[str, Any]] = []
    for name in ("model.json", "stack.json", "deep_stack.json"):
        path = model_dir / name
        if not path.is_file():
            continue
        body = json.loads(path.read_text(encoding="utf-8"))
        if name == "stack.json":
            descriptors += body["parts"]
        elif name == "deep_stack.json":
            descriptors += body["classic"]
        else:
            descriptors.append(body)
    return [d for d in descriptors if d.get("kind") in ("xgboost", "lightgbm")]


def export_app(app_dir: Path) -> list[str]:
    """Exports every tree part of one app folder; returns the files written."""
    model_dir = app_dir / "model"
    parts = tree_parts(model_dir)
    if not parts:
        return []
    serving = json.loads((model_dir / "serving.json").read_text(encoding="utf-8"))
    settings = model_dir / "deep_stack.json"
    extended = bool(serving.get("extended_features", False))
    if settings.is_file():
        extended = bool(json.loads(settings.read_text(encoding="utf-8")).get("extended", False))
    sample = _sample_rows(app_dir, extended)
    written = []
    for part in parts:
        written += export_booster(str(part["kind"]), model_dir, str(part["file"]), int(part["n_features"]), sample)
    return written


def main(argv: list[str]) -> int:
    """Exports the named app folders (default: every app with trained tree models)."""
    from fraudkit.app_folders import find_app_dirs

    apps = find_app_dirs()
    if argv:
        known = {d.name: d for d in apps}
        unknown = [a for a in argv if a not in known]
        if unknown:
            print(f"error: unknown app(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        apps = [known[a] for a in argv]
    for app_dir in apps:
        if (app_dir / "model" / "sample_scores.json").is_file():
            export_app(app_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
