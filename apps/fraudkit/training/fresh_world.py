"""Serving quality on a world the model never saw: ``python -m fraudkit.training.fresh_world <app> [<app> ...]``.

Simulates another world (other seeds, starting 2019-01-01), streams it day by day through the app's loaded
Scorer (``predict`` in time order, yesterday's labels through ``feedback``), and scores the test week that
follows a warm-up, with the prequential protocol's known-compromised-card removal. The app starts from its
shipped snapshot, which knows nothing of this world, so everything it knows comes from the stream itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, timedelta
from typing import Any

import numpy as np

from fraudkit.protocol import DELAY_DAYS, Fold, fold_rows, score_fold
from fraudkit.scorer import load_scorer
from fraudkit.simulator import SimulatorConfig, simulate
from fraudkit.stream import replay

FRESH_WORLD = SimulatorConfig(
    nb_days=54,
    start_date="2019-01-01",
    customer_seed=10,
    terminal_seed=11,
    transaction_seed=12,
    fraud_seed=1_000,
)
"""Another 5,000-customer world: 40 days of warm-up, the 7-day delay, then one test week."""
WARM_UP_DAYS = 40


def evaluate(app_name: str, config: SimulatorConfig = FRESH_WORLD, warm_up_days: int = WARM_UP_DAYS) -> dict[str, Any]:
    """Streams the fresh world through the app and returns the test week's metrics."""
    from fraudkit.app_folders import APPS_ROOT

    table = simulate(config)
    scorer = load_scorer(APPS_ROOT / app_name)
    started = time.time()
    predictions = replay(table, scorer.predict, scorer.feedback)
    seconds = time.time() - started
    scores = np.array([p.fraud_probability for p in predictions])  # type: ignore[attr-defined]
    test_start = date.fromisoformat(config.start_date) + timedelta(days=warm_up_days + DELAY_DAYS)
    _, test = fold_rows(table, Fold(test_start))
    return {
        "app": app_name,
        "test_week": Fold(test_start).describe()["test"],
        "transactions_streamed": len(table),
        "stream_seconds": round(seconds, 1),
        **{k: round(v, 4) for k, v in score_fold(table, test, scores[test]).items()},
    }


def main(argv: list[str] | None = None) -> int:
    """CLI entry: one JSON line of metrics per app."""
    parser = argparse.ArgumentParser(
        prog="python -m fraudkit.training.fresh_world", description=__doc__.splitlines()[0]
    )
    parser.add_argument("apps", nargs="+", help="app folder names under apps/")
    args = parser.parse_args(argv)
    for name in args.apps:
        print(json.dumps(evaluate(name)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
