"""Loading a deep app folder for serving: its window model (one ONNX network or a deep stack), the shared
state snapshot (or the app's own), serving.json and metrics.json."""

from __future__ import annotations

import json
from pathlib import Path

from fraudkit.deep.runtime import OnnxSequenceModel
from fraudkit.deep.scorer import DeepScorer, ServingConfig, WindowModel
from fraudkit.deep.stack import STACK_FILE, DeepStack
from fraudkit.scorer import artifact_version, state_path
from fraudkit.store import open_store

MODEL_FILE = "model.onnx"
SERVING_FILE = "serving.json"
METRICS_FILE = "metrics.json"


def load_window_model(model_dir: Path) -> tuple[WindowModel, list[str]]:
    """The app's window model and its file names in model/ (a deep stack is recognised by its stack file)."""
    if (model_dir / STACK_FILE).is_file():
        stack = DeepStack.load(model_dir)
        return stack, stack.files()
    return OnnxSequenceModel(model_dir / MODEL_FILE), [MODEL_FILE]


def load_deep_scorer(app_dir: Path) -> DeepScorer:
    """Builds the Scorer of a deep app folder (manifest.json + model/)."""
    manifest = json.loads((app_dir / "manifest.json").read_text())
    model_dir = app_dir / "model"
    model, files = load_window_model(model_dir)
    state = open_store(state_path(model_dir), history_k=model.seq_len - 1, namespace=str(manifest["name"]))
    config = ServingConfig.load(model_dir / SERVING_FILE)
    metrics_path = model_dir / METRICS_FILE
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    training_metrics = {k: v for k, v in metrics.items() if k not in ("per_fold",)}
    return DeepScorer(
        name=str(manifest["name"]),
        version=artifact_version(model_dir, [*files, SERVING_FILE]),
        family=str(manifest["model_family"]),
        model=model,
        state=state,
        config=config,
        metrics=training_metrics,
        details={"artifact": files},
    )
