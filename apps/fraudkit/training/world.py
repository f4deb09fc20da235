"""What both trainers (classic and deep) share: the simulated world and its batch features, the shared state
snapshot, the F1 threshold rule and the sample scores every app ships (scored through ``load_scorer``, as
serving loads the app).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np

from fraudkit.features import BaselineFeatures
from fraudkit.scorer import load_scorer
from fraudkit.scoring import SHARED_STATE
from fraudkit.simulator import SimulatorConfig, TransactionTable, simulate
from fraudkit.state import snapshot_from_table
from fraudkit.stream import transactions_of

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
