"""Trains one classic app and rewrites its model/ (run through ``python -m fraudkit.train <app-name>``).

Reads ``apps/<app>/model_config.json``:
  kind            logistic-regression | xgboost | lightgbm | stacking
  train_days      length of the train block (the book uses 7; more history is allowed and stated)
  extended        true to add the derived amount ratios (fraudkit.features.extend_features)
  candidates      hyperparameter sets; the one with the best mean AP on the validation folds is kept
  extends         optional: another app folder whose model_config.json this one reuses (keys here override)

Steps (deterministic): simulate the default world and its features; choose the candidate on the validation
folds; report AUC/AP/CP@100 over the four test folds; pick the threshold maximising F1 on the validation
folds' pooled predictions; fit the final model on the ``train_days`` days before the last delay week before
the state snapshot (STATE_END); write the artifact, serving.json, metrics.json and sample_scores.json
(scored by loading the app the way serving does, from the shipped snapshot, in order).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.features import extend_features
from fraudkit.models import save_model
from fraudkit.protocol import (
    DELAY_DAYS,
    Fold,
    assessment_folds,
    describe_protocol,
    fold_rows,
    score_fold,
    summarise,
    validation_folds,
)
from fraudkit.training.estimators import make_estimator
from fraudkit.training.world import STATE_END, World, best_f1_threshold, ensure_shared_state, write_sample


def _matrix(world: World, extended: bool) -> np.ndarray:
    return extend_features(world.features) if extended else world.features


def _run_folds(
    world: World, X: np.ndarray, kind: str, params: dict[str, Any], folds: list[Fold]
) -> tuple[list[dict[str, float]], np.ndarray, np.ndarray]:
    """Per-fold metrics plus the pooled (labels, scores) of the folds' test rows."""
    per_fold, labels, scores = [], [], []
    for fold in folds:
        train, test = fold_rows(world.table, fold)
        model = make_estimator(kind, params).fit(X[train], world.table.tx_fraud[train])
        p = model.predict_proba(X[test])[:, 1]
        per_fold.append(score_fold(world.table, test, p))
        labels.append(world.table.tx_fraud[test])
        scores.append(p)
    return per_fold, np.concatenate(labels), np.concatenate(scores)


def read_model_config(app_dir: Path) -> dict[str, Any]:
    """The app's model_config.json, merged over the config it ``extends`` (if any)."""
    config = json.loads((app_dir / "model_config.json").read_text(encoding="utf-8"))
    parent = config.pop("extends", None)
    return {**read_model_config(app_dir.parent / parent), **config} if parent else config


def train_app(app_dir: Path, world: World, log: Any = print) -> dict[str, Any]:
    """Runs the whole procedure for one app folder and writes its model/; returns metrics.json's content."""
    config = read_model_config(app_dir)
    kind, train_days, extended = config["kind"], int(config["train_days"]), bool(config.get("extended", False))
    X = _matrix(world, extended)
    started = time.time()

    selection: list[dict[str, Any]] = []
    best: tuple[float, dict[str, Any], np.ndarray, np.ndarray] | None = None
    for params in config["candidates"]:
        per_fold, labels, scores = _run_folds(world, X, kind, params, validation_folds(train_days))
        ap = summarise(per_fold)["average_precision"]["mean"]
        selection.append({"params": params, "validation_average_precision": ap})
        log(f"  validation AP {ap:.4f} for {params}")
        if best is None or ap > best[0]:
            best = (ap, params, labels, scores)
    assert best is not None, "model_config.json lists no candidates"
    _, params, valid_labels, valid_scores = best
    threshold = best_f1_threshold(valid_labels, valid_scores)

    test = assessment_folds(train_days)
    per_fold, _, _ = _run_folds(world, X, kind, params, test)
    summary = summarise(per_fold)
    log(f"  test folds: {summary}")

    train_end = STATE_END - timedelta(days=DELAY_DAYS)
    train_start = train_end - timedelta(days=train_days)
    rows = np.nonzero(
        (world.table.tx_datetime >= np.datetime64(train_start.isoformat(), "s"))
        & (world.table.tx_datetime < np.datetime64(train_end.isoformat(), "s"))
    )[0]
    final = make_estimator(kind, params).fit(X[rows], world.table.tx_fraud[rows])

    model_dir = app_dir / "model"
    model_dir.mkdir(exist_ok=True)
    for old in model_dir.iterdir():  # a retrain may change the artifact's file names
        if old.is_file() and old.name != "README.md":
            old.unlink()
    save_model(final.portable_, model_dir)
    training = {
        "kind": kind,
        "params": params,
        "final_train_block": f"{train_start} .. {train_end - timedelta(days=1)}",
        "extended_features": extended,
    }
    serving = {
        "threshold": threshold,
        "threshold_rule": "maximises F1 on the pooled predictions of the four validation folds",
        "extended_features": extended,
        "training": training,
    }
    (model_dir / "serving.json").write_text(json.dumps(serving, indent=2) + "\n", encoding="utf-8")
    metrics = {
        **summary,
        "protocol": describe_protocol(
            test,
            validation_folds=[f.describe() for f in validation_folds(train_days)],
            note=f"train block of {train_days} days (the book: 7); test sets identical to the book's protocol",
        ),
        "per_fold": per_fold,
        "selection": selection,
        "threshold": threshold,
        "final_model": training,
        "training_seconds": round(time.time() - started, 1),
    }
    (model_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    ensure_shared_state(world)
    write_sample(app_dir, world)
    return metrics
