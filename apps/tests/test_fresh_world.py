"""The fresh-world check streams an unseen world through a shipped app (small world here; the full-size
figures come from ``python -m fraudkit.training.fresh_world <app>``)."""

from __future__ import annotations

import math

import pytest

from fraudkit.app_folders import APPS_ROOT
from fraudkit.simulator import SimulatorConfig
from fraudkit.training.fresh_world import evaluate

APP = "flask-logreg-app"


def test_streaming_an_unseen_world_scores_its_test_week():
    if not (APPS_ROOT / APP / "model" / "model.json").is_file():
        pytest.skip(f"NOT TESTED: {APP} has no trained model")
    world = SimulatorConfig.small(nb_days=24, start_date="2019-01-01", customer_seed=5, terminal_seed=6)
    result = evaluate(APP, config=world, warm_up_days=10)
    assert result["test_week"] == "2019-01-18 .. 2019-01-24"
    assert result["transactions_streamed"] > 5_000
    # A tiny world gives noisy figures; the point is that labels fed back make the model useful at all.
    assert result["auc_roc"] > 0.6 and not math.isnan(result["average_precision"])
