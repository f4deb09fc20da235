"""Loading a deep app folder for serving, and writing what training ships beside the network
(state snapshot, serving config, sample scores computed through the served path itself)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fraudkit.deep.runtime import OnnxSequenceModel
from fraudkit.deep.scorer import DeepScorer, ServingConfig, WindowModel
from fraudkit.simulator import TransactionTable
from fraudkit.state import OnlineFeatureState, snapshot_from_table
from fraudkit.stream import transactions_of

MODEL_FILE = "model.onnx"
STATE_FILE = "state.npz"
SERVING_FILE = "serving.json"
METRICS_FILE = "metrics.json"
SAMPLE_FILE = "sample_scores.json"


def artifact_version(paths: list[Path]) -> str:
    """A short content hash of the artifacts: changes exactly when the served model changes."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_window_model(model_dir: Path) -> tuple[WindowModel, list[Path]]:
    """The app's window model and the files it was read from (stacks are recognised by their stack.json)."""
    if (model_dir / "stack.json").is_file():
        from fraudkit.deep.stack import StackModel

        stack = StackModel.load(model_dir)
        return stack, stack.files
    return OnnxSequenceModel(model_dir / MODEL_FILE), [model_dir / MODEL_FILE]


def load_deep_scorer(app_dir: Path) -> DeepScorer:
    """Builds the Scorer of a deep app folder (manifest.json + model/)."""
    manifest = json.loads((app_dir / "manifest.json").read_text())
    model_dir = app_dir / "model"
    model, files = load_window_model(model_dir)
    state = OnlineFeatureState.load(model_dir / STATE_FILE, history_k=model.seq_len - 1)
    config = ServingConfig.load(model_dir / SERVING_FILE)
    metrics_path = model_dir / METRICS_FILE
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    training_metrics = {k: v for k, v in metrics.items() if k not in ("per_fold",)}
    return DeepScorer(
        name=str(manifest["name"]),
        version=artifact_version(files),
        family=str(manifest["model_family"]),
        model=model,
        state=state,
        config=config,
        metrics=training_metrics,
        details={"artifact": [f.name for f in files]},
    )


def ship_artifacts(
    app_dir: Path,
    table: TransactionTable,
    features: NDArray[np.float64],
    seq_len: int,
    details: dict[str, Any],
    state_end: date,
    sample_size: int,
) -> None:
    """Writes serving.json and the state as of `state_end`, then scores the next `sample_size` transactions
    through the loaded app (the served code path) and stores them with their scores."""
    model_dir = app_dir / "model"
    (model_dir / SERVING_FILE).write_text(
        json.dumps({"threshold": details["threshold"], "reference": details["reference"]}, indent=2) + "\n"
    )
    cut = int(np.searchsorted(table.tx_datetime, np.datetime64(state_end.isoformat(), "s")))
    seen = np.arange(cut)
    state = snapshot_from_table(table.select(seen), features[seen], history_k=seq_len - 1)
    state.save(model_dir / STATE_FILE)
    scorer = load_deep_scorer(app_dir)
    sample = transactions_of(table.select(np.arange(cut, cut + sample_size)))
    predictions = scorer.predict(sample)
    body = {
        "transactions": [
            {
                "transaction_id": tx.transaction_id,
                "customer_id": tx.customer_id,
                "terminal_id": tx.terminal_id,
                "tx_datetime": tx.tx_datetime.isoformat(),
                "tx_amount": tx.tx_amount,
            }
            for tx in sample
        ],
        "scores": [p.fraud_probability for p in predictions],
    }
    (model_dir / SAMPLE_FILE).write_text(json.dumps(body, indent=2) + "\n")
