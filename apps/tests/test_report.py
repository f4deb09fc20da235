"""The README's results table is generated from the shipped metrics, one row per app."""

import json

from fraudkit.app_folders import find_app_dirs
from fraudkit.training.report import results_table


def test_every_app_has_a_row_with_its_shipped_average_precision() -> None:
    table = results_table()
    rows = {line.split(" | ")[0].strip("| "): line for line in table.splitlines()[2:]}
    apps = find_app_dirs()
    assert set(rows) == {app.name for app in apps}
    for app in apps:
        metrics = json.loads((app / "model" / "metrics.json").read_text())
        assert f"{metrics['average_precision']['mean']:.3f} ±" in rows[app.name].split(" | ")[3]


def test_rows_follow_the_menu_order() -> None:
    names = [line.split(" | ")[0].strip("| ") for line in results_table().splitlines()[2:]]
    position = {app.name: json.loads((app / "manifest.json").read_text())["menu_position"] for app in find_app_dirs()}
    assert [position[name] for name in names] == sorted(position.values())
