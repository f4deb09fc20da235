"""Trains a deep app from its model/settings.json (run through `python -m fraudkit.train <app>`; needs PyTorch).

settings.json: `kind` "network" (one sequence network: architecture, options, training) or "deep-stack"
(networks + classic parts + a meta-learner, see fraudkit.training.deep_stack); `seq_len`; `train_days`.

Runs the Handbook's prequential protocol (fraudkit.protocol) on the simulated world and writes the test
folds' metrics to model/metrics.json. The shipped model is fold 0's (its train block is the latest one
assessed, test week 2018-08-29 .. 09-04), so the metrics describe the very artifact that is served. The
threshold maximises F1 on the most recent part of that block (held out from fitting). Serving state and
sample scores are shared with the classic apps (fraudkit.training.world: one snapshot, scored through load_scorer).
Seeds are fixed, so a rerun reproduces the metrics.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from fraudkit.deep.scorer import SERVING_FILE
from fraudkit.deep.sequences import gather_windows, window_index
from fraudkit.features import epoch_seconds
from fraudkit.protocol import assessment_folds, describe_protocol, fold_rows, score_fold, summarise
from fraudkit.training.net_fit import FitSettings, fit_network
from fraudkit.training.nets import ENCODERS
from fraudkit.training.world import World, best_f1_threshold, ensure_shared_state, write_sample

SETTINGS_FILE = "settings.json"


@dataclass(frozen=True)
class Windows:
    """The world's features with every transaction's window indices (oldest first, itself last)."""

    features: NDArray[np.float64]
    index: NDArray[np.int64]

    @staticmethod
    def of(world: World, seq_len: int) -> Windows:
        """Window indices over the whole world (a window may reach back before a fold's train block)."""
        table = world.table
        return Windows(world.features, window_index(table.customer_id, epoch_seconds(table.tx_datetime), seq_len))

    def get(self, rows: NDArray[np.int64]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """Windows and masks of the given rows."""
        return gather_windows(self.features, self.index[rows])


class FittedFold(Protocol):
    """A model trained on one fold's train block."""

    holdout: tuple[NDArray[np.integer], NDArray[np.float64]]
    """Labels and scores of the most recent part of the train block, held out from fitting."""

    def scores(self, windows: NDArray[np.float32], mask: NDArray[np.float32]) -> NDArray[np.float64]:
        """Fraud probabilities of windows."""
        ...

    def export(self, model_dir: Path) -> dict[str, Any]:
        """Writes the serving artifact files; returns what metrics.json records about the model."""
        ...


def fit_fold(
    settings: dict[str, Any], windows: NDArray[np.float32], mask: NDArray[np.float32], y: NDArray[np.integer]
) -> FittedFold:
    """Dispatches on the settings' kind."""
    kind = settings.get("kind", "network")
    if kind == "network":
        return fit_network(settings, windows, mask, y)
    if kind == "deep-stack":
        from fraudkit.training.deep_stack import fit_deep_stack

        return fit_deep_stack(settings, windows, mask, y)
    raise ValueError(f"unknown deep model kind {kind!r}")


def read_settings(app_dir: Path) -> dict[str, Any]:
    """model/settings.json, checked before any training starts (a typo fails in a second, not an hour)."""
    path = app_dir / "model" / SETTINGS_FILE
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: invalid JSON ({err})") from err
    missing = {"seq_len", "train_days"} - set(settings)
    if missing:
        raise ValueError(f"{path}: missing {', '.join(sorted(missing))}")
    kind = settings.get("kind", "network")
    networks: list[dict[str, Any]] = []
    if kind == "network":
        networks = [settings]
    elif kind == "deep-stack":
        networks = list(settings.get("networks", []))
    if not networks:
        raise ValueError(f"{path}: kind must be 'network' or 'deep-stack' (with at least one of 'networks')")
    for member in networks:
        if member.get("architecture") not in ENCODERS:
            raise ValueError(f"{path}: unknown architecture {member.get('architecture')!r}")
        FitSettings.from_dict(dict(member.get("training", {})))
    return settings


def train_app(app_dir: Path, world: World, log: Any = print) -> dict[str, Any]:
    """Runs the protocol for one deep app folder and writes its model/; returns metrics.json's content."""
    settings = read_settings(app_dir)
    seq_len, train_days = int(settings["seq_len"]), int(settings["train_days"])
    windows_of = Windows.of(world, seq_len)
    y_all = world.table.tx_fraud
    folds = assessment_folds(train_days)
    started = time.time()
    per_fold: list[dict[str, float]] = []
    shipped: FittedFold | None = None
    reference: list[float] = []
    for k, fold in enumerate(folds):
        fold_started = time.time()
        train, test = fold_rows(world.table, fold)
        windows, mask = windows_of.get(train)
        fitted = fit_fold(settings, windows, mask, y_all[train])
        per_fold.append(score_fold(world.table, test, fitted.scores(*windows_of.get(test))))
        rounded = {m: round(v, 4) for m, v in per_fold[-1].items()}
        log(f"  fold {k} (test from {fold.test_start}): {rounded} in {time.time() - fold_started:.0f} s")
        if k == 0:
            shipped = fitted
            reference = np.median(world.features[train], axis=0).tolist()
    assert shipped is not None

    model_dir = app_dir / "model"
    for old in model_dir.iterdir():  # a retrain may change the artifact's file names
        if old.is_file() and old.name != SETTINGS_FILE:
            old.unlink()
    model_info = shipped.export(model_dir)
    threshold = best_f1_threshold(*shipped.holdout)
    serving = {
        "threshold": threshold,
        "threshold_rule": "maximises F1 on the latest part of the shipped model's train block (held out)",
        "reference": reference,
        "reference_rule": "median of each feature over the shipped model's train block (occlusion baseline)",
    }
    (model_dir / SERVING_FILE).write_text(json.dumps(serving, indent=2) + "\n", encoding="utf-8")
    metrics = {
        **summarise(per_fold),
        "protocol": describe_protocol(
            folds,
            sequence_length=seq_len,
            note=f"train block of {train_days} days (the book: 7); test sets identical to the book's protocol",
        ),
        "per_fold": per_fold,
        "threshold": threshold,
        "final_model": {
            "kind": settings.get("kind", "network"),
            "trained_on": folds[0].describe()["train"],
            **model_info,
        },
        "training_seconds": round(time.time() - started, 1),
    }
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    ensure_shared_state(world)
    write_sample(app_dir, world)
    return metrics
