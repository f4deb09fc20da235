"""Retrains apps and rewrites their model/: ``python -m fraudkit.train <app> [<app> ...]`` (training env).

A deep app (``fraudkit.app_folders.is_deep_app``: its manifest's model family) is trained from its
model/settings.json by ``fraudkit.training.deep`` (needs PyTorch), any other app from its model_config.json by
``fraudkit.training.classic``. Every named app is checked before the world is simulated, so a typo fails in a
second, not an hour. ``--snapshot`` rewrites the shared state snapshot.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from fraudkit.app_folders import APPS_ROOT, find_app_dirs, is_deep_app
from fraudkit.scoring import SHARED_STATE
from fraudkit.simulator import SimulatorConfig
from fraudkit.training.world import World, ensure_shared_state

Trainer = Callable[..., dict[str, Any]]


def trainer_of(app_dir: Path) -> Trainer:
    """The app's training procedure, after checking its settings (ValueError or OSError when they are unusable)."""
    if is_deep_app(app_dir):
        from fraudkit.training import deep  # PyTorch: imported only when a deep app is trained

        deep.read_settings(app_dir)
        return deep.train_app
    from fraudkit.training import classic

    classic.read_model_config(app_dir)
    return classic.train_app


def main(argv: list[str] | None = None) -> int:
    """CLI entry: retrain the named apps (or rewrite the shared snapshot with --snapshot)."""
    parser = argparse.ArgumentParser(prog="python -m fraudkit.train", description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", help="app folder names under apps/, e.g. flask-xgboost-app")
    parser.add_argument("--snapshot", action="store_true", help="rewrite the shared state snapshot")
    args = parser.parse_args(argv)
    if not args.apps and not args.snapshot:
        parser.error("name at least one app, or --snapshot")
    known = {app_dir.name: app_dir for app_dir in find_app_dirs(APPS_ROOT)}
    trainers: dict[str, Trainer] = {}
    for name in args.apps:
        if name not in known:
            print(f"error: no app folder named {name!r} under {APPS_ROOT}", file=sys.stderr)
            return 2
        try:
            trainers[name] = trainer_of(known[name])
        except (OSError, ValueError) as err:
            print(f"error: {name}: {err}", file=sys.stderr)
            return 2
    world = World(SimulatorConfig())
    if args.snapshot:
        ensure_shared_state(world, rewrite=True)
        print(f"wrote {SHARED_STATE} ({SHARED_STATE.stat().st_size // 1024} KiB)")
    for name, train_app in trainers.items():
        print(f"{name}:", flush=True)
        metrics = train_app(known[name], world, log=lambda m: print(m, flush=True))
        print(f"  AP {metrics['average_precision']['mean']:.4f} in {metrics['training_seconds']} s", flush=True)
    return 0
