"""Every app runs from what its image carries, with the training libraries made unimportable.

For each app of the running interpreter's Python line, the files apps/Dockerfile copies (filtered by
apps/.dockerignore, see image_context) are laid out in a temporary folder; a fresh interpreter started there
with the image's PYTHONPATH, and a meta-path finder refusing torch, scikit-learn, onnx, XGBoost and LightGBM,
imports the app's create_app, waits for the model and replays the app's sample_scores.json through /predict.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from image_context import TRAINING_LIBRARIES, build_image_tree

from fraudkit.app_folders import find_app_dirs, python_version

RUNNING_LINE = f"{sys.version_info.major}.{sys.version_info.minor}"
LINE_APPS = [d for d in find_app_dirs() if python_version(d) == RUNNING_LINE]
SCORE_TOLERANCE = 1e-6

# Runs inside the image tree: argv[1] is the comma-separated list of refused top-level modules.
IN_IMAGE = """
import importlib.abc, json, sys

REFUSED = set(sys.argv[1].split(","))

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in REFUSED:
            raise ImportError(f"{name} is not in the serving image")
        return None

sys.meta_path.insert(0, Refuse())

import fraudkit
from fraudkit.serving.limits import MAX_BATCH
from app import create_app

app = create_app()
assert app.extensions["fraudkit_model"].wait(120), "model did not load within 120 s"
client = app.test_client()
with open("model/sample_scores.json", encoding="utf-8") as f:
    transactions = json.load(f)["transactions"]
scores = []
for start in range(0, len(transactions), MAX_BATCH):
    reply = client.post("/predict", json={"transactions": transactions[start : start + MAX_BATCH]})
    assert reply.status_code == 200, reply.get_json()
    scores += [p["fraud_probability"] for p in reply.get_json()["predictions"]]
print(json.dumps({
    "fraudkit": fraudkit.__file__,
    "scores": scores,
    "modules": sorted(m.split(".")[0] for m in sys.modules),
    "fraudkit_modules": sorted(m for m in sys.modules if m.startswith("fraudkit")),
}))
"""


def _run_in_image(app_dir: Path, root: Path, refused: set[str]) -> dict:
    tree = build_image_tree(app_dir.name, root)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "FRAUDKIT_"))}
    env["PYTHONPATH"] = str(tree.pythonpath)
    done = subprocess.run(
        [sys.executable, "-c", IN_IMAGE, ",".join(sorted(refused))],
        cwd=tree.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("app_dir", LINE_APPS, ids=lambda d: d.name)
def test_the_app_scores_its_sample_from_the_image_files_alone(app_dir: Path, tmp_path: Path) -> None:
    sample = json.loads((app_dir / "model" / "sample_scores.json").read_text(encoding="utf-8"))
    result = _run_in_image(app_dir, tmp_path, set(TRAINING_LIBRARIES))
    assert Path(result["fraudkit"]).is_relative_to(tmp_path), "fraudkit was imported from outside the image"
    assert not (tmp_path / "srv" / "fraudkit" / "training").exists()
    assert result["scores"] == pytest.approx(sample["scores"], abs=SCORE_TOLERANCE, rel=0)
    assert not set(result["modules"]) & TRAINING_LIBRARIES
    assert not [m for m in result["fraudkit_modules"] if m.startswith(("fraudkit.training", "fraudkit.train"))]


def test_the_refusing_finder_does_refuse(tmp_path: Path) -> None:
    # The same run with the serving runtime itself refused must fail: the finder is really in the way.
    app_dir = LINE_APPS[0]
    with pytest.raises(AssertionError, match="not in the serving image"):
        _run_in_image(app_dir, tmp_path, {"numpy"})
