"""``python -m fraudkit.training.report``: the README's results table, read from every app's ``model/metrics.json``.

One row per app found (a new app appears without editing anything), with its AP goal and the Handbook's AP for
its family where the book reports one, so the table can never drift from the shipped artifacts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fraudkit.app_folders import APPS_ROOT, find_app_dirs
from fraudkit.goals import AP_GOALS, BOOK_AP

METRICS = ("auc_roc", "average_precision", "card_precision_at_100")


def _cell(metrics: dict, key: str) -> str:
    value = metrics.get(key) or {}
    return f"{value['mean']:.3f} ± {value['std']:.3f}" if "mean" in value else "–"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}".rstrip("0")


def results_table(root: Path = APPS_ROOT) -> str:
    """Markdown table of every app's prequential test metrics, its AP goal and the book's AP for its family."""
    rows = [
        "| app | family | AUC ROC | AP | CP@100 | AP goal | book AP |",
        "|---|---|---|---|---|---|---|",
    ]
    manifests = {app_dir: json.loads((app_dir / "manifest.json").read_text()) for app_dir in find_app_dirs(root)}
    in_menu_order = sorted(manifests, key=lambda d: (manifests[d].get("menu_position", float("inf")), d.name))
    for app_dir in in_menu_order:
        manifest = manifests[app_dir]
        family = manifest.get("model_family", "?")
        metrics_file = app_dir / "model" / "metrics.json"
        metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
        goal = AP_GOALS.get(family)
        book = BOOK_AP.get(family)
        rows.append(
            f"| {app_dir.name} | {family} | "
            + " | ".join(_cell(metrics, key) for key in METRICS)
            + f" | {_number(goal)} | {_number(book)} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.stdout.write(results_table() + "\n")
