"""Trains a deep app from its model/settings.json: `python -m fraudkit.deep.train <app-folder>` (training env).

Runs the Handbook's prequential protocol (fraudkit.protocol) on the full simulated world, writes the fold
metrics to model/metrics.json, and ships the fold-0 model (trained on the latest train block, the one whose
test week is 2018-08-29 .. 09-04) as model/model.onnx with model/serving.json (threshold, occlusion
reference), the feature state as of the end of that test week (model/state.npz, with each customer's last
vectors), and model/sample_scores.json: the next raw transactions and the scores the served artifact
gives them from that state. Seeds are fixed, so a rerun reproduces the metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from fraudkit.deep.export import export_onnx
from fraudkit.deep.fit import FitSettings, fit_sequence_net, predict_proba
from fraudkit.deep.sequences import gather_windows, window_index
from fraudkit.features import BaselineFeatures, epoch_seconds
from fraudkit.protocol import Fold, assessment_folds, describe_protocol, fold_rows, score_fold, summarise
from fraudkit.simulator import SimulatorConfig, TransactionTable, simulate

SAMPLE_SIZE = 25
"""Raw transactions stored in sample_scores.json (with their expected scores)."""


@dataclass(frozen=True)
class DeepSettings:
    """An app's model settings (model/settings.json)."""

    architecture: str
    seq_len: int
    train_days: int
    options: dict[str, Any]
    training: FitSettings

    @staticmethod
    def load(path: Path) -> DeepSettings:
        """Reads and checks model/settings.json."""
        raw = json.loads(path.read_text())
        missing = {"architecture", "seq_len"} - set(raw)
        if missing:
            raise ValueError(f"{path}: missing {', '.join(sorted(missing))}")
        return DeepSettings(
            architecture=str(raw["architecture"]),
            seq_len=int(raw["seq_len"]),
            train_days=int(raw.get("train_days", 7)),
            options=dict(raw.get("options", {})),
            training=FitSettings.from_dict(dict(raw.get("training", {}))),
        )


@dataclass(frozen=True)
class World:
    """The simulated data set with its batch features and every transaction's window indices."""

    table: TransactionTable
    features: NDArray[np.float64]
    index: NDArray[np.int64]

    @staticmethod
    def build(seq_len: int, config: SimulatorConfig | None = None) -> World:
        """Simulates the world (the book's by default) and computes features and windows."""
        table = simulate(config or SimulatorConfig())
        features = BaselineFeatures().fit_transform(table)
        index = window_index(table.customer_id, epoch_seconds(table.tx_datetime), seq_len)
        return World(table, features, index)

    def windows(self, rows: NDArray[np.int64]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Windows and masks of the given rows."""
        return gather_windows(self.features, self.index[rows])


def best_f1_threshold(y: NDArray[np.integer], scores: NDArray[np.float64]) -> float:
    """The score threshold with the best F1 on (y, scores); 0.5 when there is no positive."""
    if y.sum() == 0:
        return 0.5
    order = np.argsort(-scores, kind="mergesort")
    tp = np.cumsum(y[order])
    precision = tp / np.arange(1, y.shape[0] + 1)
    recall = tp / y.sum()
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros_like(precision), where=tp > 0)
    return float(scores[order][int(np.argmax(f1))])


def run_folds(
    world: World, settings: DeepSettings, fold_list: list[Fold], log: Any = print
) -> tuple[list[dict[str, float]], Any, dict[str, Any]]:
    """Trains and scores every fold; returns per-fold metrics, fold 0's network and its training details."""
    per_fold: list[dict[str, float]] = []
    first_net: Any = None
    details: dict[str, Any] = {}
    for k, fold in enumerate(fold_list):
        started = time.time()
        train, test = fold_rows(world.table, fold)
        windows, mask = world.windows(train)
        y = world.table.tx_fraud[train]
        result = fit_sequence_net(settings.architecture, settings.options, windows, mask, y, settings.training)
        test_windows, test_mask = world.windows(test)
        metrics = score_fold(world.table, test, predict_proba(result.net, test_windows, test_mask))
        per_fold.append(metrics)
        log(
            f"fold {k} (test from {fold.test_start}): {json.dumps({m: round(v, 4) for m, v in metrics.items()})} "
            f"best epoch {result.best_epoch}, {time.time() - started:.0f} s"
        )
        if k == 0:
            first_net = result.net
            n_val = int(windows.shape[0] * settings.training.validation_fraction)
            val_scores = predict_proba(result.net, windows[-n_val:], mask[-n_val:])
            details = {
                "threshold": best_f1_threshold(y[-n_val:], val_scores),
                "reference": np.median(world.features[train], axis=0).tolist(),
                "best_epoch": result.best_epoch,
            }
    return per_fold, first_net, details


def write_metrics(path: Path, per_fold: list[dict[str, float]], fold_list: list[Fold], settings: DeepSettings) -> None:
    """metrics.json in the shared format (mean/std per metric, the protocol's dates, per-fold values)."""
    body = {
        **summarise(per_fold),
        "protocol": describe_protocol(fold_list, sequence_length=settings.seq_len),
        "per_fold": [{m: round(v, 4) for m, v in f.items()} for f in per_fold],
    }
    path.write_text(json.dumps(body, indent=2) + "\n")


def train_app(app_dir: Path, log: Any = print) -> dict[str, Any]:
    """Trains the app in `app_dir` and writes its model/ artifacts; returns the metrics summary."""
    from fraudkit.deep.shipping import ship_artifacts  # serving-side imports kept out of module import time

    model_dir = app_dir / "model"
    settings = DeepSettings.load(model_dir / "settings.json")
    world = World.build(settings.seq_len)
    fold_list = assessment_folds(settings.train_days)
    per_fold, net, details = run_folds(world, settings, fold_list, log)
    write_metrics(model_dir / "metrics.json", per_fold, fold_list, settings)
    export_onnx(net, model_dir / "model.onnx", settings.seq_len, world.features.shape[1])
    state_end = fold_list[0].test_end
    ship_artifacts(app_dir, world.table, world.features, settings.seq_len, details, state_end, SAMPLE_SIZE)
    return summarise(per_fold)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: one app folder (path, or name under apps/)."""
    parser = argparse.ArgumentParser(prog="python -m fraudkit.deep.train", description=__doc__.splitlines()[0])
    parser.add_argument("app", help="app folder, e.g. apps/flask-lstm-app or flask-lstm-app")
    args = parser.parse_args(argv)
    app_dir = Path(args.app)
    if not app_dir.is_dir():
        app_dir = Path(__file__).resolve().parents[2] / args.app
    if not (app_dir / "model" / "settings.json").is_file():
        print(f"error: {args.app}: no model/settings.json (not a deep app folder)", file=sys.stderr)
        return 2
    summary = train_app(app_dir)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
