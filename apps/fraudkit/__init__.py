"""fraudkit: the shared library of the fraud-detection apps (simulator, features, serving state,
training and evaluation, model wrappers, and the Flask serving layer)."""

__version__ = "0.1.0"
