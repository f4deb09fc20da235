"""``load_scorer``: the one loader of every app folder, classic or deep by the manifest's model family
(``fraudkit.app_folders.is_deep_app``)."""

from __future__ import annotations

from pathlib import Path

from fraudkit.app_folders import is_deep_app
from fraudkit.deep.scorer import load_deep_scorer
from fraudkit.models.scorer import load_classic_scorer
from fraudkit.records import Scorer


def load_scorer(app_dir: Path) -> Scorer:
    """The Scorer of any app folder: a window model (ONNX network or deep stack) for a deep family, else the
    classic portable model of ``model/model.json``."""
    return load_deep_scorer(app_dir) if is_deep_app(app_dir) else load_classic_scorer(app_dir)
