"""What an app image holds, worked out from apps/Dockerfile and apps/.dockerignore without Docker: the tests
build the same file tree in a temporary folder and import the apps from there, and check which fraudkit
modules the image carries.

Only what the template uses is understood: ``COPY <src> <dest>`` from the build context (``${APP}``
substituted), ``WORKDIR`` and ``ENV PYTHONPATH=``; .dockerignore lines are Docker's patterns (``*``, ``?``,
``**``, ``!`` to re-include, the last matching line wins, a matched folder excludes its contents).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from fraudkit.app_folders import APPS_ROOT, TEMPLATE_DOCKERFILE

CONTEXT = APPS_ROOT
"""The build context of every app image."""
TRAINING_LIBRARIES = frozenset({"torch", "sklearn", "onnx", "onnxmltools", "skl2onnx", "xgboost", "lightgbm"})
"""Top-level modules the images must never import (onnxruntime, which serving uses, is not ``onnx``)."""


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def ignore_rules(context: Path = CONTEXT) -> list[tuple[bool, re.Pattern[str]]]:
    """The context's .dockerignore as (excludes, regex) pairs, in file order."""
    path = context / ".dockerignore"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    rules = []
    for line in (raw.strip() for raw in lines):
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        rules.append((not include, _pattern_regex(line.lstrip("!").strip("/"))))
    return rules


def is_ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """True when the context path ``relative`` (posix, no leading slash) is left out of the build context."""
    parts = relative.split("/")
    for depth in range(1, len(parts) + 1):  # a folder that is excluded takes everything in it along
        prefix = "/".join(parts[:depth])
        verdict = None
        for excludes, regex in rules:
            if regex.match(prefix):
                verdict = excludes
        if verdict:
            return True
    return False


def context_files(context: Path = CONTEXT) -> list[str]:
    """Every file of the context that Docker sends to the build (relative posix paths)."""
    rules = ignore_rules(context)
    return sorted(
        rel
        for rel in (p.relative_to(context).as_posix() for p in context.rglob("*") if p.is_file())
        if not is_ignored(rel, rules)
    )


@dataclass(frozen=True)
class ImageTree:
    """An app image's files laid out under ``root`` (``root / "srv"`` is the image's /srv)."""

    root: Path
    pythonpath: Path
    workdir: Path


def build_image_tree(app: str, root: Path, context: Path = CONTEXT) -> ImageTree:
    """Copies what the template's COPY lines put in the image of ``app`` into ``root``; returns its paths."""
    dockerfile = (context / TEMPLATE_DOCKERFILE).read_text(encoding="utf-8").replace("${APP}", app)
    sent = context_files(context)
    workdir, pythonpath = "/", "/"
    for line in dockerfile.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "COPY":
            source, target = words[1].strip("/"), words[2]
            for rel in sent:
                if rel == source or rel.startswith(source + "/"):
                    dest = root / (target.strip("/") + rel[len(source) :])
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(context / rel, dest)
        elif words[0] == "WORKDIR":
            workdir = words[1]
        elif words[0] == "ENV":
            pythonpath = next((w.split("=", 1)[1] for w in words[1:] if w.startswith("PYTHONPATH=")), pythonpath)
    return ImageTree(root, root / pythonpath.strip("/"), root / workdir.strip("/"))
