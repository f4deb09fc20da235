"""Retrains one classic app and rewrites its model/: ``python -m fraudkit.train <app-name>``.

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

import argparse
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from fraudkit.features import BaselineFeatures, extend_features
from fraudkit.models import save_model
from fraudkit.models.fit import make_estimator
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
from fraudkit.scorer import SHARED_STATE, load_scorer
from fraudkit.simulator import SimulatorConfig, TransactionTable, simulate
from fraudkit.state import snapshot_from_table
from fraudkit.stream import transactions_of

APPS_DIR = Path(__file__).resolve().parent.parent
STATE_END = date(2018, 9, 30)
"""The shared snapshot holds the world up to (not including) this day; the sample scores come from it."""
SAMPLE_SIZE = 60
SHARED_HISTORY_K = 4
"""Earlier feature vectors per customer kept in the shared snapshot: the deep apps' windows need them."""


class World:
    """The simulated world and its batch features, computed once per process."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.table: TransactionTable = simulate(config)
        self.features = BaselineFeatures().fit_transform(self.table)


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


def best_f1_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The score threshold (predict fraud when p >= t) with the highest F1 on these predictions."""
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], labels[order].astype(np.float64)
    tp = np.cumsum(y)
    f1 = 2 * tp / (np.arange(1, s.shape[0] + 1) + y.sum())
    last_of_tie = np.concatenate((np.nonzero(np.diff(s))[0], [s.shape[0] - 1]))
    best = last_of_tie[np.argmax(f1[last_of_tie])]
    return float(s[best])


def ensure_shared_state(world: World, path: Path = SHARED_STATE, rewrite: bool = False) -> None:
    """Writes the shared snapshot (the world before STATE_END, all its labels) unless it exists."""
    if path.is_file() and not rewrite:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    seen = world.table.tx_datetime < np.datetime64(STATE_END.isoformat(), "s")
    snapshot_from_table(world.table.select(seen), world.features[seen], history_k=SHARED_HISTORY_K).save(path)


def write_sample(app_dir: Path, world: World) -> None:
    """Scores the first SAMPLE_SIZE transactions from STATE_END through the loaded app, in order."""
    start = int(np.searchsorted(world.table.tx_datetime, np.datetime64(STATE_END.isoformat(), "s")))
    sample = transactions_of(world.table.select(np.arange(start, start + SAMPLE_SIZE)))
    predictions = load_scorer(app_dir).predict(sample)
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
    (app_dir / "model" / "sample_scores.json").write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")


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


def is_deep_app(app_dir: Path) -> bool:
    """True for the deep apps (model/settings.json), which fraudkit.deep.train trains."""
    return (app_dir / "model" / "settings.json").is_file()


def main(argv: list[str] | None = None) -> int:
    """CLI entry: retrain the named apps (or rewrite the shared snapshot with --snapshot)."""
    parser = argparse.ArgumentParser(prog="python -m fraudkit.train", description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", help="app folder names under apps/ (each needs a model_config.json)")
    parser.add_argument("--snapshot", action="store_true", help="rewrite the shared state snapshot")
    args = parser.parse_args(argv)
    if not args.apps and not args.snapshot:
        parser.error("name at least one app, or --snapshot")
    for name in args.apps:
        if not (APPS_DIR / name / "model_config.json").is_file() and not is_deep_app(APPS_DIR / name):
            print(f"error: {name}: no apps/{name}/model_config.json", file=sys.stderr)
            return 2
    world = World(SimulatorConfig())
    if args.snapshot:
        ensure_shared_state(world, rewrite=True)
        print(f"wrote {SHARED_STATE} ({SHARED_STATE.stat().st_size // 1024} KiB)")
    for name in args.apps:
        print(f"{name}:", flush=True)
        trainer = train_app
        if is_deep_app(APPS_DIR / name):
            from fraudkit.deep.train import train_app as trainer  # needs PyTorch: imported only for deep apps
        metrics = trainer(APPS_DIR / name, world, log=lambda m: print(m, flush=True))
        print(f"  AP {metrics['average_precision']['mean']:.4f} in {metrics['training_seconds']} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
